/**
 * The account digest (`GET /api/sync/digest`): core's `accountDigest` over every record of the
 * account, tombstones too, with the head it describes. One indexed scan of the account's rows;
 * nothing is stored, so a row changed behind the server's back (a restore, direct SQL) shows.
 */
import { createHash } from 'node:crypto';
import { type AccountDigest, accountDigest, type DigestResponse } from '@dev-infra/core';
import type { Backend } from './backend.js';
import { withCheckouts } from './checkouts.js';
import { rowToFields, SYNC_COLUMNS } from './rows.js';

/** The digest route's answer. */
export async function digest(
  backend: Backend,
  accountId: number,
  serverId: string,
): Promise<DigestResponse> {
  return { ...(await accountDigestAt(backend, accountId)), server_id: serverId };
}

/** The account's digest and the head read after it (see below). */
export async function accountDigestAt(
  backend: Backend,
  accountId: number,
): Promise<AccountDigest & { head: number }> {
  const { db } = backend;
  const rows = await db
    .selectFrom('projects')
    .select(SYNC_COLUMNS)
    .where('account_id', '=', accountId)
    .execute();
  // The head after the rows: were a push committed between the two reads, the head is past
  // what the client pulled and it pulls again before comparing; never the other way round.
  const account = await db
    .selectFrom('accounts')
    .select('revision')
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  const held = await withCheckouts(db, accountId, rows, true);
  const { count, hash } = accountDigest(
    held.map(({ row, checkouts }) => ({
      uuid: row.uuid,
      rev: Number(row.rev),
      deleted: row.deleted === 1,
      fields: rowToFields(row),
      checkouts,
    })),
    createHash('sha256'),
  );
  return { count, hash, head: Number(account.revision) };
}
