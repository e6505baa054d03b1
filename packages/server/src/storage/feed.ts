/**
 * The sync feed (`GET /api/sync/changes`): the account's records changed after a revision, in
 * revision order, tombstones included, a page at a time.
 */
import type { ChangesResponse, MachineRef } from '@dev-infra/core';
import { type Backend, now } from './backend.js';
import { touchMachine, withCheckouts } from './checkouts.js';
import { accountDigestAt } from './digest.js';
import { SYNC_COLUMNS, toSyncRecord } from './rows.js';

export async function changes(
  backend: Backend,
  accountId: number,
  since: number,
  limit: number,
  serverId: string,
  machine?: MachineRef,
  withDigest = false,
): Promise<ChangesResponse> {
  const { db } = backend;
  if (machine) await touchMachine(db, accountId, machine, now());
  // The head first: when the caller is already there (the commonest pull) that is the only
  // query. Changes committed after it still show in the page; `head` covers them below.
  const account = await db
    .selectFrom('accounts')
    .select('revision')
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  const head = Number(account.revision);
  // The true head even when the caller claims to be past it: a cursor beyond the head means
  // the database went back (restored from a backup), and the client can only tell if we say so.
  if (since >= head) {
    const idle: ChangesResponse = {
      changes: [],
      next: since,
      more: false,
      head,
      server_id: serverId,
    };
    if (withDigest) idle.digest = await accountDigestAt(backend, accountId);
    return idle;
  }
  // One row past the page tells whether there is more, without a count.
  const rows = await db
    .selectFrom('projects')
    .select(SYNC_COLUMNS)
    .where('account_id', '=', accountId)
    .where('seq', '>', since)
    .orderBy('seq')
    .limit(limit + 1)
    .execute();
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const records = (await withCheckouts(db, accountId, page)).map((p) =>
    toSyncRecord(p.row, p.checkouts),
  );
  const next = page.length > 0 ? Number(page[page.length - 1]!.seq) : since;
  const answer: ChangesResponse = {
    changes: records,
    next,
    more,
    head: Math.max(head, next),
    server_id: serverId,
  };
  if (withDigest && !more) answer.digest = await accountDigestAt(backend, accountId);
  return answer;
}
