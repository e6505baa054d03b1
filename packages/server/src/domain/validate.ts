/**
 * Schema checks of records that arrive inside a body checked only loosely (push records,
 * import items), so one bad record is reported without failing the others. Loaded lazily:
 * TypeBox's value checker is slow to load and admin commands never need it.
 */
import { normaliseTags, type SharedFields } from '@dev-infra/core';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { ProjectCreateBody, SharedFieldsSchema } from '../schemas.js';
import type { ProjectInput } from '../storage/types.js';
import { fieldsProblem } from './records.js';

// Compiled once when this module loads: TypeBox's interpreting Value.Check took about 90 µs a
// record (most of a 100-record push), a compiled check about 1 µs. Errors, the rare path, are
// still described by Value.Errors.
const sharedFieldsCheck = Compile(SharedFieldsSchema);
const importItemCheck = Compile(ProjectCreateBody);

/** Describes the first schema error of `value` against `schema` as "field: message". */
function schemaProblem(
  schema: typeof SharedFieldsSchema | typeof ProjectCreateBody,
  value: unknown,
) {
  for (const error of Value.Errors(schema, value)) {
    const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'record';
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

/** Checks one item of an import against the create schema. */
export function parseImportItem(value: unknown): { input: ProjectInput } | { error: string } {
  if (!importItemCheck.Check(value)) return { error: schemaProblem(ProjectCreateBody, value) };
  return { input: value as ProjectInput };
}
