/** The sync-v1 wire protocol between dev-infra and work-prod (design section 4). */
import type { Static } from 'typebox';
// typebox/type's namespace rather than typebox's Type object: a bundler can then drop the
// builders never called (70 KB of the CLI's network chunk).
import * as Type from 'typebox/type';
import { CheckoutGitSchema, CheckoutSchema, nullableString, SharedFieldsSchema } from './fields.js';
import { PushStampsSchema, RecordStampsSchema } from './stamps.js';

/** `GET /api/health` answer. `capabilities` is absent on a plain (basic) work-prod. */
export const HealthResponseSchema = Type.Object({
  status: Type.String(),
  message: Type.String(),
  capabilities: Type.Optional(Type.Array(Type.String())),
  version: Type.Optional(Type.String()),
});
export type HealthResponse = Static<typeof HealthResponseSchema>;

/** An account digest (core's accountDigest) and the head it was taken at. */
export const AccountDigestSchema = Type.Object({
  count: Type.Integer(),
  hash: Type.String(),
  head: Type.Integer(),
});

/**
 * `GET /api/sync/digest` answer: the account's digest (core's `accountDigest` over every
 * record, tombstones too), the head it was taken at and the database's id.
 */
export const DigestResponseSchema = Type.Object({
  ...AccountDigestSchema.properties,
  server_id: Type.String(),
});
export type DigestResponse = Static<typeof DigestResponseSchema>;

/**
 * A machine as the client names itself: a uuid made once per machine, and its name.
 * `incarnation` is a random token the registry holds beside the id, and `next_incarnation`
 * the one it will hold once this request is accepted: the server keeps the last token it
 * accepted for each id and refuses another (409 `machine-incarnation`). A push that writes
 * rotates the token, so a copy of the registry (a restored backup, a cloned VM), which holds
 * the old one, is told apart at its next sync. Both optional: older clients send none.
 */
export const MachineRefSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  incarnation: Type.Optional(Type.String()),
  next_incarnation: Type.Optional(Type.String()),
});
export type MachineRef = Static<typeof MachineRefSchema>;

/**
 * One project as the server holds it, as sent in the changes feed and in conflicts. `rev` is
 * the revision of the last change to the fields or deletion (the compare-and-swap value);
 * `seq` that of the last change of any kind, checkouts too (the feed's order). On a
 * tombstone, `fields` are the last it had. `stamps` (absent from an older work-prod) say when
 * each part was last set, on the server's clock (see core's stamps.ts).
 */
export const SyncRecordSchema = Type.Object({
  uuid: Type.String(),
  rev: Type.Integer(),
  seq: Type.Integer(),
  deleted: Type.Boolean(),
  fields: SharedFieldsSchema,
  checkouts: Type.Array(CheckoutSchema),
  stamps: Type.Optional(RecordStampsSchema),
});
export type SyncRecord = Static<typeof SyncRecordSchema>;

/**
 * `GET /api/sync/changes` answer: records with `seq` above `since` in `seq` order; `next` is
 * the cursor to pass as `since` next time, `more` whether changes remain past it, `head` the
 * account's current revision.
 */
export const ChangesResponseSchema = Type.Object({
  changes: Type.Array(SyncRecordSchema),
  next: Type.Integer(),
  more: Type.Boolean(),
  head: Type.Integer(),
  /**
   * The database's id (absent from an older work-prod): a new id means a replaced database;
   * with `head` below the client's cursor, a database restored from a backup.
   */
  server_id: Type.Optional(Type.String()),
  /**
   * Asked with `digest=1`, on the last page (`more` false): the account's digest, so the
   * client can tell in the same answer whether its view is the server's (issue 13).
   */
  digest: Type.Optional(AccountDigestSchema),
});
export type ChangesResponse = Static<typeof ChangesResponseSchema>;

/**
 * The changes answer's envelope alone, its records unchecked: the CLI checks each record on
 * its own, so one bad record is refused rather than failing the whole sync (issue 14).
 */
export const ChangesEnvelopeSchema = Type.Object({
  changes: Type.Array(Type.Unknown()),
  next: Type.Integer(),
  more: Type.Boolean(),
  head: Type.Integer(),
  server_id: Type.Optional(Type.String()),
  digest: Type.Optional(AccountDigestSchema),
});

/**
 * A record change in a push: new fields (`base_rev` 0 for a new project) or a deletion.
 * `stamps`: the stamps of the parts the change restores (see core's pushStamps), kept where
 * they are later than the server's. A deletion may carry the record's last `fields`: when the
 * server no longer has the record at all (restored from a backup), it keeps a tombstone made
 * of them, so that a machine still holding the project cannot bring it back.
 */
export const PushChangeSchema = Type.Union([
  Type.Object({
    uuid: Type.String(),
    base_rev: Type.Integer(),
    fields: SharedFieldsSchema,
    stamps: Type.Optional(PushStampsSchema),
  }),
  Type.Object({
    uuid: Type.String(),
    base_rev: Type.Integer(),
    deleted: Type.Literal(true),
    fields: Type.Optional(SharedFieldsSchema),
    stamps: Type.Optional(PushStampsSchema),
  }),
]);
export type PushChange = Static<typeof PushChangeSchema>;

/**
 * A change to the pushing machine's own checkout of a project. Without `git`, the stored git
 * state is left as it is; `git: null` clears it (no longer a repository).
 */
export const CheckoutChangeSchema = Type.Union([
  Type.Object({ uuid: Type.String(), path: Type.String(), git: CheckoutGitSchema }),
  Type.Object({ uuid: Type.String(), removed: Type.Literal(true) }),
]);
export type CheckoutChange = Static<typeof CheckoutChangeSchema>;

/** `POST /api/sync/push` body. */
export const PushRequestSchema = Type.Object({
  machine: MachineRefSchema,
  changes: Type.Array(PushChangeSchema),
  checkouts: Type.Optional(Type.Array(CheckoutChangeSchema)),
});
export type PushRequest = Static<typeof PushRequestSchema>;

/** The outcome of one record in a push. */
export const PushResultSchema = Type.Union([
  Type.Object({
    uuid: Type.String(),
    status: Type.Literal('applied'),
    rev: Type.Integer(),
    seq: Type.Integer(),
    /** The record's stamps after the change (absent from an older work-prod). */
    stamps: Type.Optional(RecordStampsSchema),
  }),
  Type.Object({ uuid: Type.String(), status: Type.Literal('conflict'), current: SyncRecordSchema }),
  Type.Object({ uuid: Type.String(), status: Type.Literal('rejected'), error: Type.String() }),
]);
export type PushResult = Static<typeof PushResultSchema>;

/** The outcome of one checkout change in a push. */
export const CheckoutResultSchema = Type.Union([
  Type.Object({ uuid: Type.String(), status: Type.Literal('applied'), seq: Type.Integer() }),
  Type.Object({ uuid: Type.String(), status: Type.Literal('rejected'), error: Type.String() }),
]);
export type CheckoutResult = Static<typeof CheckoutResultSchema>;

/** `POST /api/sync/push` answer. */
export const PushResponseSchema = Type.Object({
  results: Type.Array(PushResultSchema),
  checkouts: Type.Array(CheckoutResultSchema),
  head: Type.Integer(),
  /** The database's id, as in ChangesResponse. */
  server_id: Type.Optional(Type.String()),
});
export type PushResponse = Static<typeof PushResponseSchema>;

/** A machine of the account; `last_sync` is the ISO 8601 of its last push or pull, or null. */
export const MachineInfoSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  last_sync: nullableString(),
  checkouts: Type.Integer(),
});
export type MachineInfo = Static<typeof MachineInfoSchema>;

/** `GET /api/machines` answer. */
export const MachinesResponseSchema = Type.Object({ machines: Type.Array(MachineInfoSchema) });
export type MachinesResponse = Static<typeof MachinesResponseSchema>;

/** Every error answer, from every route. */
export const ErrorResponseSchema = Type.Object({ error: Type.String() });

/**
 * A 409 that names its cause in `code` for the client to act on. `machine-incarnation`: the
 * server holds this machine id with another token, `incarnation`; a client whose own token is
 * newer (see `incarnationCounter`) is the registry itself and the server went back (restored
 * from a backup), otherwise it is a copy and must take a new machine id.
 */
export const CodedErrorResponseSchema = Type.Object({
  error: Type.String(),
  code: Type.String(),
  incarnation: Type.Optional(Type.String()),
});
export type ErrorResponse = Static<typeof ErrorResponseSchema>;
