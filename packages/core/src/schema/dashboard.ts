/** The dashboard's own answers (sign-in and the dashboard API). */
import type { Static } from 'typebox';
// typebox/type's namespace rather than typebox's Type object: a bundler can then drop the
// builders never called (70 KB of the CLI's network chunk).
import * as Type from 'typebox/type';
import { CheckoutSchema, SharedFieldsSchema } from './fields.js';

/** `GET /api/session` and `POST /api/session` answer. */
export const SessionResponseSchema = Type.Object({ account: Type.String() });
export type SessionResponse = Static<typeof SessionResponseSchema>;

/** A live project as the dashboard shows it (a sync record without the deletion flag). */
export const DashboardProjectSchema = Type.Object({
  uuid: Type.String(),
  rev: Type.Integer(),
  seq: Type.Integer(),
  fields: SharedFieldsSchema,
  checkouts: Type.Array(CheckoutSchema),
});
export type DashboardProject = Static<typeof DashboardProjectSchema>;

/** `GET /api/dashboard/projects` answer: one page of the matching projects. */
export const ProjectsPageSchema = Type.Object({
  total: Type.Integer(),
  page: Type.Integer(),
  per_page: Type.Integer(),
  projects: Type.Array(DashboardProjectSchema),
});
export type ProjectsPage = Static<typeof ProjectsPageSchema>;

/** `GET /api/dashboard/tags` answer. */
export const TagListSchema = Type.Object({ tags: Type.Array(Type.String()) });
export type TagList = Static<typeof TagListSchema>;

/** One change in a project's history: who (`source`) changed which fields, and when. */
export const HistoryEntrySchema = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  source: Type.String(),
  kind: Type.String(),
  fields: Type.Array(Type.String()),
});
export type HistoryEntry = Static<typeof HistoryEntrySchema>;

/** `GET /api/dashboard/projects/{uuid}` answer. */
export const ProjectPageSchema = Type.Object({
  project: DashboardProjectSchema,
  history: Type.Array(HistoryEntrySchema),
});
export type ProjectPage = Static<typeof ProjectPageSchema>;

/** The 409 answer to a stale dashboard edit: the error and the project as it is now. */
export const EditConflictSchema = Type.Object({
  error: Type.String(),
  current: DashboardProjectSchema,
});
export type EditConflict = Static<typeof EditConflictSchema>;
