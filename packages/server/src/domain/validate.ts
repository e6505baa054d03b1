/**
 * Schema checks of records that arrive inside a body checked only loosely (push records,
 * import items), so one bad record is reported without failing the others. Loaded lazily:
 * TypeBox's value checker is slow to load and admin commands never need it.
 */
import {
  GitKnownStateSchema,
  type GitState,
  GitStateSchema,
  GitUnknownStateSchema,
  isTimestamp,
  isUnknownGitState,
  LIMITS,
  normaliseTags,
  type PushStamps,
  PushStampsSchema,
  type SharedFields,
} from '@dev-infra/core';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { ProjectCreateBody, SharedFieldsSchema } from '../schemas.js';
import { boundStamps } from '../storage/stamp-clock.js';
import type { ProjectInput } from '../storage/types.js';
import { fieldsProblem, textProblem } from './records.js';

// Compiled once when this module loads: TypeBox's interpreting Value.Check took about 90 µs a
// record (most of a 100-record push), a compiled check about 1 µs. Errors, the rare path, are
// still described by Value.Errors.
const sharedFieldsCheck = Compile(SharedFieldsSchema);
const importItemCheck = Compile(ProjectCreateBody);
const pushStampsCheck = Compile(PushStampsSchema);

/**
 * Describes the first schema error of `value` against `schema` as "field: message", the
 * field's path under `root` (a record's fields are named alone).
 */
function schemaProblem(
  schema: typeof SharedFieldsSchema | typeof ProjectCreateBody | typeof PushStampsSchema,
  value: unknown,
  root = 'record',
) {
  for (const error of Value.Errors(schema, value)) {
    const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const field = path === '' ? root : root === 'record' ? path : `${root}.${path}`;
    const required = (error.params as { requiredProperties?: string[] }).requiredProperties;
    if (required?.length) return `${required.join(', ')}: is required`;
    return `${field}: ${error.message}`;
  }
  return 'invalid record';
}

/** Checks the fields of a pushed record: the full shape, then core's content rules. */
export function parsePushedFields(value: unknown): { fields: SharedFields } | { error: string } {
  if (!sharedFieldsCheck.Check(value)) return { error: schemaProblem(SharedFieldsSchema, value) };
  const fields = { ...(value as SharedFields) };
  fields.tags = normaliseTags(fields.tags);
  const problem = fieldsProblem(fields);
  return problem ? { error: problem } : { fields };
}

/**
 * Checks the stamps of a pushed record: the shape, and each tag named as records hold tags
 * (trimmed, by the text rule), since other machines receive the tags with the record. Stamps
 * past the server's clock are brought back to it (see boundStamps).
 */
export function parsePushedStamps(value: unknown): { stamps: PushStamps } | { error: string } {
  if (!pushStampsCheck.Check(value))
    return { error: schemaProblem(PushStampsSchema, value, 'stamps') };
  const stamps = value as PushStamps;
  for (const tag of [...Object.keys(stamps.tags ?? {}), ...(stamps.fresh?.tags ?? [])]) {
    const problem = textProblem('stamps.tags', tag);
    if (problem) return { error: problem };
    if (tag.trim() !== tag || tag.length === 0)
      return { error: 'stamps.tags: a tag is named untrimmed or empty' };
    if (tag.length > LIMITS.tag)
      return { error: `stamps.tags: a tag is longer than ${LIMITS.tag} characters` };
  }
  return { stamps: boundStamps(stamps) };
}

/** Checks one item of an import against the create schema. */
export function parseImportItem(value: unknown): { input: ProjectInput } | { error: string } {
  if (!importItemCheck.Check(value)) return { error: schemaProblem(ProjectCreateBody, value) };
  return { input: value as ProjectInput };
}

// Compiled on first use (most pushes carry no git state, admin commands never do).
let gitStateCheck: { Check(value: unknown): boolean } | undefined;

/**
 * Checks a pushed checkout's git state (issue 15): null (no state) or core's GitState, then the
 * text rule on its names (branch, upstream, head) and its times as timestamps: the state
 * crosses to every other machine and the dashboard. The first problem is named under `git.`.
 */
export function parseGitState(value: unknown): { git: GitState | null } | { error: string } {
  if (value === null) return { git: null };
  gitStateCheck ??= Compile(GitStateSchema);
  if (!gitStateCheck?.Check(value)) return { error: gitSchemaProblem(value) };
  const state = value as GitState;
  if (isUnknownGitState(state)) {
    if (!isTimestamp(state.taken_at))
      return { error: 'git.taken_at: must be an RFC 3339 timestamp' };
    return { git: state };
  }
  for (const name of ['branch', 'upstream', 'head'] as const) {
    const problem = textProblem(`git.${name}`, state[name]);
    if (problem) return { error: problem };
  }
  for (const name of ['taken_at', 'last_commit_at'] as const) {
    const text = state[name];
    if (text !== null && !isTimestamp(text))
      return { error: `git.${name}: must be an RFC 3339 timestamp` };
  }
  return { git: state };
}

/**
 * The first schema problem of a git state. The two kinds are told apart by `unknown`, so the
 * errors of the kind the value is not are left out (the union's own error says nothing).
 */
function gitSchemaProblem(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'git: must be an object or null';
  const schema = 'unknown' in value ? GitUnknownStateSchema : GitKnownStateSchema;
  for (const error of Value.Errors(schema, value)) {
    const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const required = (error.params as { requiredProperties?: string[] }).requiredProperties;
    if (required?.length) return `git.${required.join(', git.')}: is required`;
    return field ? `git.${field}: ${error.message}` : `git: ${error.message}`;
  }
  return 'git: invalid state';
}
