/**
 * Checks of the local files' shapes against core's schemas. This is the run-time form; the
 * CLI's build replaces this module with functions generated from the same schemas
 * (packages/cli/scripts/plain-checks.mjs), and a test keeps the two in agreement.
 */
import type { TObject } from 'typebox/type';
import { schemaChecker } from './check.js';
import type { SharedFields } from './fields.js';
import type { GitState } from './git.js';
import { PLAIN_CHECKS, PLAIN_FIELD_FINDERS } from './plain-checks-spec.js';
import type { RegistryProject } from './registry.js';
import type { RecordStamps } from './stamps.js';
import type { SyncRecord } from './sync.js';

export const isSharedFields: (value: unknown) => value is SharedFields = schemaChecker(
  PLAIN_CHECKS.isSharedFields,
).is;
export const isSyncRecord: (value: unknown) => value is SyncRecord = schemaChecker(
  PLAIN_CHECKS.isSyncRecord,
).is;
export const isRegistryProject: (value: unknown) => value is RegistryProject = schemaChecker(
  PLAIN_CHECKS.isRegistryProject,
).is;

export const isGitStateOrNull: (value: unknown) => value is GitState | null = schemaChecker(
  PLAIN_CHECKS.isGitStateOrNull,
).is;

export const isRecordStamps: (value: unknown) => value is RecordStamps = schemaChecker(
  PLAIN_CHECKS.isRecordStamps,
).is;

/**
 * The first property (in the schema's order) of an object that does not match, with that
 * property's schema, so a message can name the field; "" with the whole schema when the
 * value is not an object; undefined when every property matches.
 */
export type BadField = (value: unknown) => { key: string; schema: object } | undefined;

function fieldFinder(schema: TObject): BadField {
  const required = new Set<string>(schema.required ?? []);
  const checks = Object.entries(schema.properties).map(
    ([key, prop]) => [key, prop, schemaChecker(prop)] as const,
  );
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return { key: '', schema };
    const obj = value as Record<string, unknown>;
    for (const [key, prop, check] of checks) {
      const v = obj[key];
      if (v === undefined && !required.has(key)) continue;
      if (v === undefined || !check.is(v)) return { key, schema: prop };
    }
    return undefined;
  };
}

export const badRegistryProjectField: BadField = fieldFinder(
  PLAIN_FIELD_FINDERS.badRegistryProjectField,
);
