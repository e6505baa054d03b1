/**
 * A project as the local registry file holds it: the shared fields (the same schema as on the
 * wire) plus what only this machine knows: its uuid, its absolute path here, and its sync
 * slot (decoded separately, so a slot of the wrong shape degrades instead of failing).
 */
import type { Static } from 'typebox';
import * as Type from 'typebox/type';
import { SharedFieldsSchema } from './fields.js';
import { GitStateSchema } from './git.js';

export const RegistryProjectSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  ...SharedFieldsSchema.properties,
  path: Type.String({ minLength: 1, pattern: '^/' }),
  sync: Type.Optional(Type.Object({})),
  /**
   * This machine's last collected git state of the checkout (null: not a git repository;
   * absent: never collected). One of the wrong shape is dropped on reading, not an error:
   * the next sync or `refresh` collects it again.
   */
  git: Type.Optional(Type.Union([GitStateSchema, Type.Null()])),
});
export type RegistryProject = Static<typeof RegistryProjectSchema>;
