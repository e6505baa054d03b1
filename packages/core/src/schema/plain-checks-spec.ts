/**
 * The schemas checked where start-up time matters (the registry on every command, the remote
 * cache's records): the CLI's build turns each into plain generated functions, so its fast
 * paths never load TypeBox, while everything else (tests, the server) checks the same schema
 * at run time (plain-checks.ts). One list, so the two cannot name different schemas.
 */

import * as Type from 'typebox/type';
import { SharedFieldsSchema } from './fields.js';
import { GitStateSchema } from './git.js';
import { RegistryProjectSchema } from './registry.js';
import { RecordStampsSchema } from './stamps.js';
import { SyncRecordSchema } from './sync.js';

/** Export name of the check -> its schema. */
export const PLAIN_CHECKS = {
  isSharedFields: SharedFieldsSchema,
  isSyncRecord: SyncRecordSchema,
  isRegistryProject: RegistryProjectSchema,
  // A checkout's git state (or null) as the registry keeps it (a project's `git`, `pushed_git`).
  isGitStateOrNull: Type.Union([GitStateSchema, Type.Null()]),
  // A synced slot's stamps of its base (stamps.ts).
  isRecordStamps: RecordStampsSchema,
} as const;

/** Export name of the field finder -> its object schema (see badField in plain-checks.ts). */
export const PLAIN_FIELD_FINDERS = {
  badRegistryProjectField: RegistryProjectSchema,
} as const;
