/**
 * A session belongs to the key that opened it (issue 14): revoking the key ends its sessions.
 * Nullable because sessions opened before this migration have no key; the session check
 * refuses those (their key is unknown, so it might be revoked), which signs them out once.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../types.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('sessions')
    .addColumn('key_id', 'integer', (c) => c.references('api_keys.id'))
    .execute();
}
