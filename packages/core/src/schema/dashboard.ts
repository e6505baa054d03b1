/** The dashboard's own answers (sign-in and the dashboard API). */
import type { Static } from 'typebox';
// typebox/type's namespace rather than typebox's Type object: a bundler can then drop the
// builders never called (70 KB of the CLI's network chunk).
import * as Type from 'typebox/type';
import { CheckoutSchema, SharedFieldsSchema } from './fields.js';
import { GitStateSchema } from './git.js';

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

/**
 * One checkout in the "Work in progress" view: a live project whose state on that machine has
 * work in progress (`hasWorkInProgress`) or is unknown; `git.taken_at` is the report's age.
 */
export const WipCheckoutSchema = Type.Object({
  uuid: Type.String(),
  name: Type.String(),
  path: Type.String(),
  git: GitStateSchema,
});
export type WipCheckout = Static<typeof WipCheckoutSchema>;

/** A machine and its checkouts with work in progress, by project name. */
export const WipMachineSchema = Type.Object({
  machine_id: Type.String(),
  machine_name: Type.String(),
  last_sync: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  checkouts: Type.Array(WipCheckoutSchema),
});
export type WipMachine = Static<typeof WipMachineSchema>;

/**
 * `GET /api/dashboard/wip` answer: the machines holding work in progress, by name (a machine
 * with none is left out), and how many checkouts with a known state are clean.
 */
export const WipResponseSchema = Type.Object({
  machines: Type.Array(WipMachineSchema),
  clean: Type.Integer(),
});
export type WipResponse = Static<typeof WipResponseSchema>;
