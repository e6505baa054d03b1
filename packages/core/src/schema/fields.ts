/**
 * The shared fields of a project and where a machine holds it: the pieces every other wire
 * type is built from. Limits and enums come from vocabulary.ts, so the CLI's checks, the
 * server's route schemas and the OpenAPI document cannot disagree.
 */
import type { Static } from 'typebox';
// typebox/type's namespace rather than typebox's Type object: a bundler can then drop the
// builders never called (70 KB of the CLI's network chunk).
import * as Type from 'typebox/type';
import { CLASSIFICATIONS, LIMITS, PROJECT_STATUSES, PROJECT_TYPES } from '../vocabulary.js';
import { GitStateSchema } from './git.js';

// Nullable values use a type list, not anyOf: the server's Ajv coerces types, and with anyOf
// it would turn a null into "" by trying the string branch first.
export const nullableText = (max: number) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength: max });
export const nullableEnum = <const V extends readonly string[]>(values: V) =>
  Type.Unsafe<V[number] | null>({ type: ['string', 'null'], enum: [...values, null] });
export const nullableString = () => Type.Unsafe<string | null>({ type: ['string', 'null'] });
export const text = (max: number) => Type.String({ maxLength: max });

/** Longest ISO 8601 timestamp accepted in a record (with room for offsets and fractions). */
const TIMESTAMP_MAX = 64;

export const TagsSchema = Type.Array(text(LIMITS.tag), { maxItems: LIMITS.tags });

/**
 * The metadata every machine shares (synced), all present. The path is not here: it belongs
 * to a machine (a checkout), never to the project. Timestamps are ISO 8601, for display
 * only, never for ordering.
 */
export const SharedFieldsSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: LIMITS.name }),
  description: nullableText(LIMITS.description),
  remote_url: nullableText(LIMITS.remote_url),
  project_type: nullableEnum(PROJECT_TYPES),
  status: Type.Enum(PROJECT_STATUSES),
  classification: nullableEnum(CLASSIFICATIONS),
  organization: nullableText(LIMITS.organization),
  tags: TagsSchema,
  template: nullableText(LIMITS.template),
  template_version: nullableText(LIMITS.template_version),
  created_at: Type.String({ maxLength: TIMESTAMP_MAX }),
  updated_at: Type.String({ maxLength: TIMESTAMP_MAX }),
});
export type SharedFields = Static<typeof SharedFieldsSchema>;

/**
 * A checkout's git state on the wire: absent when the machine never sent one (not a git
 * repository, git state turned off, an older client); null once it said there is none.
 */
export const CheckoutGitSchema = Type.Optional(Type.Union([GitStateSchema, Type.Null()]));

/**
 * Where one machine holds a checkout of a project; `last_seen` is ISO 8601; `git` its last
 * reported git state (metadata only, with the time it was taken).
 */
export const CheckoutSchema = Type.Object({
  machine_id: Type.String(),
  machine_name: Type.String(),
  path: Type.String(),
  last_seen: Type.String(),
  git: CheckoutGitSchema,
});
export type Checkout = Static<typeof CheckoutSchema>;
