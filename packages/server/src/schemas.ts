/**
 * The server's route schemas: validation, response serialisation and the OpenAPI document all
 * come from these. The wire types are core's (one schema for the CLI, the server and the
 * dashboard); what is here is only what the server alone needs: request bodies checked
 * loosely so that one bad record is reported on its own, query strings, route parameters.
 */
import {
  CHANGES_MAX_LIMIT,
  ErrorResponseSchema,
  HealthResponseSchema,
  LIMITS,
  MACHINE_INCARNATION_MAX,
  nullableText,
  PUSH_MAX_BATCH,
  PushResponseSchema,
  RecordStampsSchema,
  SharedFieldsSchema,
  SyncRecordSchema,
} from '@dev-infra/core';
import { Type } from 'typebox';
import { UUID_PATTERN } from './uuid.js';

// Re-exported for the server's modules that import them from here (validation, dashboard).
export { SharedFieldsSchema };
export const ErrorBody = ErrorResponseSchema;

const shared = SharedFieldsSchema.properties;

const writeProperties = {
  name: Type.String({ maxLength: LIMITS.name }),
  path: nullableText(LIMITS.path),
  organization: shared.organization,
  classification: shared.classification,
  project_type: shared.project_type,
  status: shared.status,
  description: shared.description,
  remote_url: shared.remote_url,
  uuid: Type.String({ pattern: UUID_PATTERN }),
  tags: shared.tags,
  template: shared.template,
  template_version: shared.template_version,
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

/** Our health answer always carries what a plain work-prod's may lack. */
export const HealthBody = Type.Object({
  ...HealthResponseSchema.properties,
  capabilities: Type.Array(Type.String()),
  version: Type.String(),
});

const MachineIdText = Type.String({ minLength: 1, maxLength: 200 });
/** A registry's incarnation token (see core's MachineRefSchema). */
const IncarnationText = Type.String({ minLength: 1, maxLength: MACHINE_INCARNATION_MAX });

export const ChangesQuery = Type.Object({
  // Bounded: a larger cursor is no revision we could have issued (and overflowed PostgreSQL's
  // bigint into a 500).
  since: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: CHANGES_MAX_LIMIT })),
  machine_id: Type.Optional(MachineIdText),
  machine_name: Type.Optional(MachineIdText),
  machine_incarnation: Type.Optional(IncarnationText),
  machine_next_incarnation: Type.Optional(IncarnationText),
  /** 1: put the account's digest on the last page. */
  digest: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
});

/**
 * `POST /api/sync/push` body, checked loosely: core's PushRequestSchema is the shape a client
 * sends, but records are validated one by one here (a bad one is 'rejected', the others
 * proceed), so only the envelope is strict.
 */
export const PushBody = Type.Object({
  machine: Type.Object({
    id: MachineIdText,
    name: MachineIdText,
    incarnation: Type.Optional(IncarnationText),
    next_incarnation: Type.Optional(IncarnationText),
  }),
  changes: Type.Array(
    Type.Object({
      uuid: Type.String({ maxLength: 100 }),
      base_rev: Type.Integer({ minimum: 0 }),
      fields: Type.Optional(Type.Unknown()),
      deleted: Type.Optional(Type.Boolean()),
      // core's PushStamps, checked per change (domain/validate.ts's parsePushedStamps).
      stamps: Type.Optional(Type.Unknown()),
    }),
    { maxItems: PUSH_MAX_BATCH },
  ),
  checkouts: Type.Optional(
    Type.Array(
      Type.Object({
        uuid: Type.String({ maxLength: 100 }),
        path: Type.Optional(Type.String()),
        removed: Type.Optional(Type.Boolean()),
        // core's GitState or null, checked per change by the push (domain/validate.ts's
        // parseGitState): a bad state rejects that checkout change alone.
        git: Type.Optional(Type.Unknown()),
      }),
      { maxItems: PUSH_MAX_BATCH },
    ),
  ),
});

/**
 * How a push answer is serialised: core's PushResponseSchema with each union flattened into
 * one object of every branch's properties. The JSON is the same, but fast-json-stringify
 * would pick a union branch by running Ajv on each of up to 1,000 results, and answer 500 if
 * one matched no branch.
 */
export const PushResultBody = Type.Object({
  results: Type.Array(
    Type.Object({
      uuid: Type.String(),
      status: Type.String(),
      rev: Type.Optional(Type.Integer()),
      seq: Type.Optional(Type.Integer()),
      stamps: Type.Optional(RecordStampsSchema),
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
  head: PushResponseSchema.properties.head,
  server_id: PushResponseSchema.properties.server_id,
});
