/**
 * TypeBox schemas: route validation, response serialisation and the OpenAPI document all come
 * from these. Limits and enums are core's, so the CLI and the server agree.
 */
import {
  CHANGES_MAX_LIMIT,
  CLASSIFICATIONS,
  LIMITS,
  PROJECT_STATUSES,
  PROJECT_TYPES,
  PUSH_MAX_BATCH,
} from '@dev-infra/core';
import { Type } from 'typebox';
import { UUID_PATTERN } from './uuid.js';

/**
 * Nullable values use a type list, not anyOf: Fastify's Ajv coerces types, and with anyOf it
 * would turn a null into "" by trying the string branch first.
 */
const nullableText = (max: number) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength: max });
const nullableEnum = <const V extends readonly string[]>(values: V) =>
  Type.Unsafe<V[number] | null>({ type: ['string', 'null'], enum: [...values, null] });
const nullableString = () => Type.Unsafe<string | null>({ type: ['string', 'null'] });
const text = (max: number) => Type.String({ maxLength: max });

export const ErrorBody = Type.Object({ error: Type.String() });

export const CheckoutSchema = Type.Object({
  machine_id: Type.String(),
  machine_name: Type.String(),
  path: Type.String(),
  last_seen: Type.String(),
});

/** The shared fields, as a sync record carries them (all present). */
export const SharedFieldsSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: LIMITS.name }),
  description: nullableText(LIMITS.description),
  remote_url: nullableText(LIMITS.remote_url),
  project_type: nullableEnum(PROJECT_TYPES),
  status: Type.Enum(PROJECT_STATUSES),
  classification: nullableEnum(CLASSIFICATIONS),
  organization: nullableText(LIMITS.organization),
  tags: Type.Array(text(LIMITS.tag), { maxItems: LIMITS.tags }),
  template: nullableText(LIMITS.template),
  template_version: nullableText(LIMITS.template_version),
  created_at: Type.String({ maxLength: 64 }),
  updated_at: Type.String({ maxLength: 64 }),
});

const writeProperties = {
  name: Type.String({ maxLength: LIMITS.name }),
  path: nullableText(LIMITS.path),
  organization: nullableText(LIMITS.organization),
  classification: nullableEnum(CLASSIFICATIONS),
  project_type: nullableEnum(PROJECT_TYPES),
  status: Type.Enum(PROJECT_STATUSES),
  description: nullableText(LIMITS.description),
  remote_url: nullableText(LIMITS.remote_url),
  uuid: Type.String({ pattern: UUID_PATTERN }),
  tags: Type.Array(text(LIMITS.tag), { maxItems: LIMITS.tags }),
  template: nullableText(LIMITS.template),
  template_version: nullableText(LIMITS.template_version),
};

/** `POST /api/projects` body (also each item of an import): name required, the rest optional. */
export const ProjectCreateBody = Type.Object({
  ...Object.fromEntries(
    Object.entries(writeProperties).map(([k, v]) => [k, k === 'name' ? v : Type.Optional(v)]),
  ),
  name: writeProperties.name,
});

/** `PATCH /api/projects/{id}` body: every field optional. */
export const ProjectPatchBody = Type.Partial(Type.Object(writeProperties));

/** A project as the original API shows it, with our extra fields. */
export const ProjectView = Type.Object({
  id: Type.Integer(),
  uuid: Type.String(),
  name: Type.String(),
  path: nullableString(),
  organization: nullableString(),
  classification: nullableString(),
  project_type: nullableString(),
  status: Type.String(),
  description: nullableString(),
  remote_url: nullableString(),
  tags: Type.Array(Type.String()),
  template: nullableString(),
  template_version: nullableString(),
  created_at: Type.String(),
  updated_at: Type.String(),
  checkouts: Type.Array(CheckoutSchema),
});

/** Ids are 32-bit on PostgreSQL: anything larger is answered 400, never a database error. */
export const ProjectIdParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
});

export const ProjectListQuery = Type.Object({
  status: Type.Optional(Type.String({ maxLength: 100 })),
  organization: Type.Optional(Type.String({ maxLength: LIMITS.organization })),
  classification: Type.Optional(Type.String({ maxLength: 100 })),
  project_type: Type.Optional(Type.String({ maxLength: 100 })),
  search: Type.Optional(Type.String({ maxLength: 500 })),
});

export const ImportBody = Type.Object({
  // Items are checked one by one so that one bad item is reported, not the whole import.
  projects: Type.Array(Type.Unknown(), { maxItems: 10_000 }),
});

export const ImportResult = Type.Object({
  imported: Type.Integer(),
  skipped: Type.Integer(),
  errors: Type.Array(Type.String()),
});

export const HealthBody = Type.Object({
  status: Type.String(),
  message: Type.String(),
  capabilities: Type.Array(Type.String()),
  version: Type.String(),
});

export const SyncRecordSchema = Type.Object({
  uuid: Type.String(),
  rev: Type.Integer(),
  seq: Type.Integer(),
  deleted: Type.Boolean(),
  fields: SharedFieldsSchema,
  checkouts: Type.Array(CheckoutSchema),
});

const MachineIdText = Type.String({ minLength: 1, maxLength: 200 });

export const ChangesQuery = Type.Object({
  // Bounded: a larger cursor is no revision we could have issued (and overflowed PostgreSQL's
  // bigint into a 500).
  since: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: CHANGES_MAX_LIMIT })),
  machine_id: Type.Optional(MachineIdText),
  machine_name: Type.Optional(MachineIdText),
});

export const ChangesBody = Type.Object({
  changes: Type.Array(SyncRecordSchema),
  next: Type.Integer(),
  more: Type.Boolean(),
  head: Type.Integer(),
});

export const PushBody = Type.Object({
  machine: Type.Object({ id: MachineIdText, name: MachineIdText }),
  // Records are validated one by one (a bad one is 'rejected', the others proceed).
  changes: Type.Array(
    Type.Object({
      uuid: Type.String({ maxLength: 100 }),
      base_rev: Type.Integer({ minimum: 0 }),
      fields: Type.Optional(Type.Unknown()),
      deleted: Type.Optional(Type.Boolean()),
    }),
    { maxItems: PUSH_MAX_BATCH },
  ),
  checkouts: Type.Optional(
    Type.Array(
      Type.Object({
        uuid: Type.String({ maxLength: 100 }),
        path: Type.Optional(Type.String()),
        removed: Type.Optional(Type.Boolean()),
      }),
      { maxItems: PUSH_MAX_BATCH },
    ),
  ),
});

export const PushResultBody = Type.Object({
  results: Type.Array(
    Type.Object({
      uuid: Type.String(),
      status: Type.String(),
      rev: Type.Optional(Type.Integer()),
      seq: Type.Optional(Type.Integer()),
      current: Type.Optional(SyncRecordSchema),
      error: Type.Optional(Type.String()),
    }),
  ),
  checkouts: Type.Array(
    Type.Object({
      uuid: Type.String(),
      status: Type.String(),
      seq: Type.Optional(Type.Integer()),
      error: Type.Optional(Type.String()),
    }),
  ),
  head: Type.Integer(),
});

export const MachinesBody = Type.Object({
  machines: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      last_sync: nullableString(),
      checkouts: Type.Integer(),
    }),
  ),
});
