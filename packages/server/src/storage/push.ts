/**
 * The sync push (`POST /api/sync/push`): one machine's record and checkout changes, each
 * record by compare-and-swap, all in one transaction under the account's lock. Three steps:
 * prepare (check each change alone, before the lock), read (the pushed projects' rows), apply
 * (decide each change in order with push-decisions.ts, write what it decided).
 *
 * Every statement here runs while the account's lock is held, and pushes into one account
 * wait for one another: bench/results.md's "POST /api/sync/push" rows miss their target (30%
 * of the bare route's rate, p99 under 50 ms) by that lock. So writes are batched (creates,
 * checkout changes, history) and, on PostgreSQL, two statements ride in others (see
 * `readCurrent` and `writeHistory`).
 */
import type { PushResponse, PushResult } from '@dev-infra/core';
import type { Insertable, QueryCreator } from 'kysely';
import { type CurrentState, isUuid } from '../domain/records.js';
import { type Backend, type Db, inAccount, now, type Revisions } from './backend.js';
import {
  applyCheckouts,
  checkoutsOf,
  type PushLog,
  touchMachine,
  touchMachineQuery,
} from './checkouts.js';
import { type HistoryWrite, historyBatches } from './history.js';
import { loadValidate } from './lazy-validate.js';
import {
  type ChangeDecision,
  decideChange,
  type PreparedChange,
  prepareChange,
  prepareCheckout,
} from './push-decisions.js';
import { fieldsToRow, rowToFields, SYNC_COLUMNS, type SyncRow, toSyncRecord } from './rows.js';
import type { Database, ProjectsTable } from './schema.js';
import { readStamps, stampsAfter } from './stamp-clock.js';
import type { PushInput } from './types.js';

/** Uuids per `IN (...)` list when reading the pushed projects. */
const READ_CHUNK = 500;
/** New projects per multi-row INSERT (19 parameters a row). */
const CREATE_BATCH = 200;

export async function push(
  backend: Backend,
  accountId: number,
  input: PushInput,
  serverId: string,
): Promise<PushResponse> {
  const { parsePushedFields, parsePushedStamps, parseGitState } = await loadValidate();
  const stamp = now();
  // 1. Prepare, before taking the lock: checking the records holds up no other push.
  const prepared = input.changes.map((c) => prepareChange(c, parsePushedFields, parsePushedStamps));
  const checkoutChanges = input.checkouts.map((c) => prepareCheckout(c, parseGitState));
  return inAccount(backend, accountId, async (trx, revs) => {
    // 2. Read.
    const current = await readCurrent(backend, trx, accountId, input, prepared, stamp);
    // 3. Apply: record changes, then checkout changes (which may name a project just created),
    // then the history of both.
    const log: PushLog = { stamp, history: [] };
    const results = await applyChanges(trx, accountId, revs, prepared, current, log);
    const checkouts = await applyCheckouts(
      trx,
      accountId,
      revs,
      input.machine,
      checkoutChanges,
      current,
      log,
    );
    await writeHistory(backend, trx, accountId, revs, input.machine.name, log, current);
    return { results, checkouts, head: revs.head, server_id: serverId };
  });
}

/**
 * Records that the machine synced and reads the rows of every project the push names (record
 * or checkout change), keyed by uuid.
 *
 * PostgreSQL: the machine's upsert goes with the first read as a data-modifying WITH (the read
 * does not need its result), one round trip fewer under the account's lock. Measured (55d2fdb,
 * A/B in one `bench:server` run): a push of 1 went from 2.61 to 2.16 server CPU ms/request and
 * from 202 to 235 requests/s. SQLite cannot put an INSERT in a WITH, and there a statement
 * costs no network round trip, so it runs on its own.
 */
async function readCurrent(
  backend: Backend,
  trx: Db,
  accountId: number,
  input: PushInput,
  prepared: PreparedChange[],
  stamp: string,
): Promise<Map<string, SyncRow>> {
  const uuids = [
    ...new Set([
      ...prepared.map((p) => p.uuid),
      ...input.checkouts.map((c) => c.uuid.toLowerCase()),
    ]),
  ].filter(isUuid);
  // The upsert returns the machine's row only when it applied: with an incarnation, none means
  // the id is another registry's (see touchMachine).
  const touch = (db: QueryCreator<Database>) =>
    touchMachineQuery(db, accountId, input.machine, stamp).returning('machine_id');
  const touchWithRead = backend.dialect === 'postgres' && uuids.length > 0;
  if (!touchWithRead) await touchMachine(trx, accountId, input.machine, stamp);
  const current = new Map<string, SyncRow>();
  for (let i = 0; i < uuids.length; i += READ_CHUNK) {
    const chunk = uuids.slice(i, i + READ_CHUNK);
    if (i === 0 && touchWithRead) {
      const rows = await trx
        .with('touched', touch)
        .selectFrom('projects')
        .select(SYNC_COLUMNS)
        .select((eb) => eb.selectFrom('touched').select(eb.fn.countAll().as('n')).as('touched'))
        .where('account_id', '=', accountId)
        .where('uuid', 'in', chunk)
        .execute();
      for (const { touched: _, ...row } of rows) current.set(row.uuid, row);
      // The upsert's answer rides on the rows read. Unless it says applied (no row read: every
      // project new; or refused), the upsert runs again on its own: idempotent within the push
      // (the same stamp and tokens), it passes, or refuses naming the token the server holds.
      const applied = rows.length > 0 && Number(rows[0]!.touched) > 0;
      if (input.machine.incarnation !== undefined && !applied)
        await touchMachine(trx, accountId, input.machine, stamp);
      continue;
    }
    const rows = await trx
      .selectFrom('projects')
      .select(SYNC_COLUMNS)
      .where('account_id', '=', accountId)
      .where('uuid', 'in', chunk)
      .execute();
    for (const row of rows) current.set(row.uuid, row);
  }
  return current;
}

/** A stored row as a push decision sees it. */
function currentState(row: SyncRow): CurrentState {
  return {
    rev: Number(row.rev),
    deleted: row.deleted === 1,
    fields: rowToFields(row),
    stamps: readStamps(row.stamps),
  };
}

/**
 * Decides and writes the record changes in order. New projects are queued and inserted
 * together (one statement per 200, not one each); a later change to a queued project flushes
 * the queue first, so it is decided against the stored row. Updates and deletions write at
 * once and keep the row they return in `current`, for later changes of the same project, the
 * checkout changes and the history.
 */
async function applyChanges(
  trx: Db,
  accountId: number,
  revs: Revisions,
  prepared: PreparedChange[],
  current: Map<string, SyncRow>,
  log: PushLog,
): Promise<PushResult[]> {
  const creates = new Map<string, Insertable<ProjectsTable>>();
  const flushCreates = async () => {
    const values = [...creates.values()];
    creates.clear();
    for (let i = 0; i < values.length; i += CREATE_BATCH) {
      const chunk = values.slice(i, i + CREATE_BATCH);
      const ids = await trx
        .insertInto('projects')
        .values(chunk)
        .returning(['id', 'uuid'])
        .execute();
      const byUuid = new Map(chunk.map((v) => [v.uuid, v]));
      for (const { id, uuid } of ids)
        current.set(uuid, { ...(byUuid.get(uuid)! as Omit<SyncRow, 'id'>), id });
    }
  };

  /** Writes one decision (or queues it, for a create or a tombstone) and answers it. */
  const apply = async (
    change: PreparedChange,
    decision: ChangeDecision,
    row: SyncRow | undefined,
  ): Promise<PushResult> => {
    const { uuid } = change;
    const provided = 'error' in change ? undefined : change.stamps;
    const before = row && { fields: rowToFields(row), stamps: readStamps(row.stamps) };
    switch (decision.kind) {
      case 'rejected':
        return { uuid, status: 'rejected', error: decision.error };
      case 'conflict': {
        const id = Number(row!.id);
        const checkouts = (await checkoutsOf(trx, accountId, [id])).get(id) ?? [];
        return { uuid, status: 'conflict', current: toSyncRecord(row!, checkouts) };
      }
      case 'unchanged': {
        const stamps = readStamps(row!.stamps);
        return {
          uuid,
          status: 'applied',
          rev: Number(row!.rev),
          seq: Number(row!.seq),
          ...(stamps ? { stamps } : {}),
        };
      }
      case 'create':
      case 'tombstone': {
        const rev = revs.next();
        const stamps = stampsAfter({
          before: undefined,
          after: decision.fields,
          liveChanged: true,
          ...(provided ? { provided } : {}),
        });
        creates.set(uuid, {
          account_id: accountId,
          uuid,
          rev,
          seq: rev,
          deleted: decision.kind === 'tombstone' ? 1 : 0,
          path: null,
          stamps: JSON.stringify(stamps),
          ...fieldsToRow(decision.fields),
        });
        log.history.push({
          uuid,
          seq: rev,
          kind: decision.kind === 'tombstone' ? 'deleted' : 'created',
          fields: [],
        });
        return { uuid, status: 'applied', rev, seq: rev, stamps };
      }
      case 'update':
      case 'restore':
      case 'delete': {
        const rev = revs.next();
        const after = decision.kind === 'delete' ? before!.fields : decision.fields;
        const stamps = stampsAfter({
          before,
          after,
          liveChanged: decision.kind !== 'update',
          ...(provided ? { provided } : {}),
        });
        const set =
          decision.kind === 'delete'
            ? { deleted: 1, rev, seq: rev, stamps: JSON.stringify(stamps) }
            : {
                ...fieldsToRow(decision.fields),
                deleted: 0,
                rev,
                seq: rev,
                stamps: JSON.stringify(stamps),
              };
        const updated = await trx
          .updateTable('projects')
          .set(set)
          .where('id', '=', row!.id)
          .returning(SYNC_COLUMNS)
          .executeTakeFirstOrThrow();
        current.set(uuid, updated);
        log.history.push(
          decision.kind === 'update'
            ? { uuid, seq: rev, kind: 'updated', fields: decision.changed }
            : {
                uuid,
                seq: rev,
                kind: decision.kind === 'restore' ? 'restored' : 'deleted',
                fields: [],
              },
        );
        return { uuid, status: 'applied', rev, seq: rev, stamps };
      }
    }
  };

  const results: PushResult[] = [];
  for (const change of prepared) {
    // A second change to a project created earlier in this push needs its stored row.
    if (!('error' in change) && creates.has(change.uuid)) await flushCreates();
    const row = current.get(change.uuid);
    results.push(await apply(change, decideChange(change, row && currentState(row)), row));
  }
  await flushCreates();
  return results;
}

/**
 * Writes the push's history, checkout entries included, last, in one INSERT per 500 entries.
 *
 * PostgreSQL: the last INSERT also saves the account's new head (a data-modifying WITH, so
 * `inAccount` has nothing left to write): 7 round trips to 6 under the lock. Measured
 * (baf0cd6, A/B in one `bench:server` run): with this and the machine fold of `readCurrent`, a
 * push of 1 took 1.63 server CPU ms/request and reached 288 requests/s, against 1.94 ms and
 * 231/s with neither. SQLite runs the plain statements (no network round trip to save).
 */
async function writeHistory(
  backend: Backend,
  trx: Db,
  accountId: number,
  revs: Revisions,
  source: string,
  log: PushLog,
  current: Map<string, SyncRow>,
): Promise<void> {
  const entries: HistoryWrite[] = log.history.map(({ uuid, ...entry }) => ({
    ...entry,
    projectId: Number(current.get(uuid)!.id),
  }));
  const batches = historyBatches(accountId, source, log.stamp, entries);
  for (const [i, rows] of batches.entries()) {
    if (backend.dialect === 'postgres' && i === batches.length - 1) {
      const head = revs.head;
      await trx
        .with('history', (db) => db.insertInto('project_history').values(rows))
        .updateTable('accounts')
        .set({ revision: head })
        .where('id', '=', accountId)
        .execute();
      revs.saved = head;
    } else {
      await trx.insertInto('project_history').values(rows).execute();
    }
  }
}
