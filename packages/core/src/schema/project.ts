/** The original work-prod API's project (design section 4, "basic mode"). */
import type { Static } from 'typebox';
// typebox/type's namespace rather than typebox's Type object: a bundler can then drop the
// builders never called (70 KB of the CLI's network chunk).
import * as Type from 'typebox/type';
import { CLASSIFICATIONS, PROJECT_STATUSES, PROJECT_TYPES } from '../vocabulary.js';
import { CheckoutSchema, nullableEnum, nullableString } from './fields.js';

/**
 * A project as any work-prod's original API shows it, ours or a plain one: an integer id and
 * a single per-project path. Extra fields (ours: uuid, tags, checkouts ...) are allowed.
 */
export const BasicProjectSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  path: nullableString(),
  organization: nullableString(),
  classification: nullableEnum(CLASSIFICATIONS),
  project_type: nullableEnum(PROJECT_TYPES),
  status: nullableEnum(PROJECT_STATUSES),
  description: nullableString(),
  remote_url: nullableString(),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export type BasicProject = Static<typeof BasicProjectSchema>;

/** `GET /api/projects` answer: every project, unpaged. */
export const BasicProjectListSchema = Type.Array(BasicProjectSchema);

/** A project as our work-prod's original API shows it, with our extra fields. */
export const ProjectSchema = Type.Object({
  ...BasicProjectSchema.properties,
  uuid: Type.String(),
  status: Type.Enum(PROJECT_STATUSES),
  tags: Type.Array(Type.String()),
  template: nullableString(),
  template_version: nullableString(),
  checkouts: Type.Array(CheckoutSchema),
});
export type Project = Static<typeof ProjectSchema>;

/** `POST /api/projects/import` answer. */
export const ImportResultSchema = Type.Object({
  imported: Type.Integer(),
  skipped: Type.Integer(),
  errors: Type.Array(Type.String()),
});
export type ImportResult = Static<typeof ImportResultSchema>;
