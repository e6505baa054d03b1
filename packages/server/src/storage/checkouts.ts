/**
 * Machines and their checkouts: reading projects with every machine's checkout (for the
 * original API, the feed and the dashboard), recording that a machine synced, the machines
 * list, and applying a push's checkout changes.
 */
import type { Checkout, CheckoutResult, MachineRef, MachinesResponse } from '@dev-infra/core';
import { UNKNOWN_CHECKOUT_ERROR } from '@dev-infra/core';
import { type QueryCreator, sql } from 'kysely';
import type { Backend, Db, Revisions } from './backend.js';
import { withGitState } from './git-state.js';
import type { PendingHistory } from './history.js';
import { type CheckoutState, decideCheckout, type PreparedCheckout } from './push-decisions.js';
import { type ProjectRow, type SyncRow, toStored } from './rows.js';
import type { Database } from './schema.js';
import type { StoredProject } from './types.js';

/** Project ids per `IN (...)` list: stays within SQLite's bound-parameter limit. */
const ID_CHUNK = 500;

/** Checkout changes applied per batch: a few statements each, within bound-parameter limits. */
const CHECKOUT_BATCH = 500;

// ---- reading checkouts ----

/**
 * Checkouts of the given projects (most recently seen first), keyed by project id; 'all'
 * reads the whole account's (for the full list).
 */
export async function checkoutsOf(
  db: Db,
  accountId: number,
  projectIds: number[] | 'all',
): Promise<Map<number, Checkout[]>> {
  const byProject = new Map<number, Checkout[]>();
  const chunks: (number[] | undefined)[] = projectIds === 'all' ? [undefined] : [];
  if (projectIds !== 'all')
    for (let i = 0; i < projectIds.length; i += ID_CHUNK)
      chunks.push(projectIds.slice(i, i + ID_CHUNK));
  for (const chunk of chunks) {
    let query = db
      .selectFrom('checkouts')
      .innerJoin('machines', (j) =>
        j
          .onRef('machines.account_id', '=', 'checkouts.account_id')
          .onRef('machines.machine_id', '=', 'checkouts.machine_id'),
      )
      .select([
        'checkouts.project_id',
        'checkouts.machine_id',
        'machines.name as machine_name',
        'checkouts.path',
        'checkouts.last_seen',
        'checkouts.git',
      ])
      .where('checkouts.account_id', '=', accountId);
    if (chunk) query = query.where('checkouts.project_id', 'in', chunk);
    const rows = await query
      .orderBy('checkouts.last_seen', 'desc')
      .orderBy('checkouts.machine_id')
      .execute();
    for (const { project_id, git, ...checkout } of rows) {
      const id = Number(project_id);
      const list = byProject.get(id) ?? [];
      list.push(withGitState(checkout, git));
      byProject.set(id, list);
    }
  }
  return byProject;
}

/**
 * Rows with their checkouts, in one query per 500 rows rather than one per row; `all` when the
 * rows are the whole account anyway (one query without an id list).
 */
export async function withCheckouts<R extends Pick<ProjectRow, 'id'>>(
  db: Db,
  accountId: number,
  rows: R[],
  all = false,
): Promise<{ row: R; checkouts: Checkout[] }[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => Number(r.id));
  const checkouts = await checkoutsOf(db, accountId, all ? 'all' : ids);
  return rows.map((r) => ({ row: r, checkouts: checkouts.get(Number(r.id)) ?? [] }));
}

/** A project (live or not) by id with its checkouts, as a write returns it. */
export async function loadStored(db: Db, accountId: number, id: number): Promise<StoredProject> {
  const row = await db
    .selectFrom('projects')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const checkouts = await checkoutsOf(db, accountId, [id]);
  return toStored(row, checkouts.get(id) ?? []);
}

// ---- machines ----

/**
 * The upsert recording that `machine` synced at `at` (its name may have changed). A query, not
 * run here: the push folds it into another statement on PostgreSQL (see push.ts). With an
 * incarnation it updates only when the stored token is none, the one sent, or the next one
 * sent (a retry whose answer was lost), and then stores the next one if sent; otherwise it
 * updates nothing and the query returns no row (see `touchMachine`).
 */
export function touchMachineQuery(
  db: QueryCreator<Database>,
  accountId: number,
  machine: MachineRef,
  at: string,
) {
  const { incarnation, next_incarnation: next } = machine;
  return db
    .insertInto('machines')
    .values({
      account_id: accountId,
      machine_id: machine.id,
      name: machine.name,
      last_sync: at,
      incarnation: next ?? incarnation ?? null,
    })
    .onConflict((oc) => {
      const update = oc.columns(['account_id', 'machine_id']);
      if (incarnation === undefined)
        return update.doUpdateSet({ name: machine.name, last_sync: at });
      return update
        .doUpdateSet((eb) => ({
          name: machine.name,
          last_sync: at,
          incarnation:
            next === undefined
              ? eb.fn.coalesce('machines.incarnation', eb.val(incarnation))
              : eb.val(next),
        }))
        .where((eb) =>
          eb.or([
            eb('machines.incarnation', 'is', null),
            eb('machines.incarnation', '=', incarnation),
            ...(next === undefined ? [] : [eb('machines.incarnation', '=', next)]),
          ]),
        );
    });
}

/**
 * A push or pull whose machine id the server holds with another incarnation: from a copy of
 * that registry, or from the registry itself when this database went back (restored from a
 * backup): `stored` (the token the server holds) lets the client tell which.
 */
export class MachineIncarnationError extends Error {
  override name = 'MachineIncarnationError';
  constructor(
    readonly machineId: string,
    readonly stored: string | null,
  ) {
    super(
      `machine id ${machineId} is held by another registry, which synced since this one last did (this one is a copy of it): take a new machine id`,
    );
  }
}

/**
 * Records that `machine` synced; throws MachineIncarnationError when the server knows its id
 * with another incarnation (nothing is written then). One statement decides: two copies
 * syncing for the first time at once cannot both be adopted.
 */
export async function touchMachine(
  db: QueryCreator<Database>,
  accountId: number,
  machine: MachineRef,
  at: string,
): Promise<void> {
  if (machine.incarnation === undefined) {
    await touchMachineQuery(db, accountId, machine, at).execute();
    return;
  }
  const row = await touchMachineQuery(db, accountId, machine, at)
    .returning('machine_id')
    .executeTakeFirst();
  if (row) return;
  const held = await db
    .selectFrom('machines')
    .select('incarnation')
    .where('account_id', '=', accountId)
    .where('machine_id', '=', machine.id)
    .executeTakeFirst();
  throw new MachineIncarnationError(machine.id, held?.incarnation ?? null);
}

/** The account's machines, by name, with their last sync and how many checkouts each holds. */
export async function machines(backend: Backend, accountId: number): Promise<MachinesResponse> {
  // A deleted project's checkout rows stay (the tombstone keeps them), so only live ones count.
  const rows = await backend.db
    .selectFrom('machines')
    .select(['machines.machine_id', 'machines.name', 'machines.last_sync'])
    .select((eb) =>
      eb
        .selectFrom('checkouts')
        .innerJoin('projects', (j) =>
          j
            .onRef('projects.account_id', '=', 'checkouts.account_id')
            .onRef('projects.id', '=', 'checkouts.project_id'),
        )
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('checkouts.account_id', '=', 'machines.account_id')
        .whereRef('checkouts.machine_id', '=', 'machines.machine_id')
        .where('projects.deleted', '=', 0)
        .as('checkouts'),
    )
    .where('machines.account_id', '=', accountId)
    .orderBy('machines.name')
    .orderBy('machines.machine_id')
    .execute();
  return {
    machines: rows.map((r) => ({
      id: r.machine_id,
      name: r.name,
      last_sync: r.last_sync,
      checkouts: Number(r.checkouts),
    })),
  };
}

// ---- a push's checkout changes ----

/** The push's time and the history entries it has made so far (written at its end). */
export interface PushLog {
  stamp: string;
  history: PendingHistory[];
}

/**
 * Applies the pushing machine's checkout changes in order, in batches: a batch costs a
 * constant number of statements (not 3 or 4 per change), which matters while the account's
 * lock is held. Each change is decided in memory against the machine's checkouts as the
 * changes before it left them, so results are those of applying them one by one.
 *
 * `current` holds the pushed projects' rows by uuid (after the push's record changes); a
 * changed project's new seq is set there, so later changes and the history see it.
 */
export async function applyCheckouts(
  trx: Db,
  accountId: number,
  revs: Revisions,
  machine: MachineRef,
  changes: PreparedCheckout[],
  current: Map<string, SyncRow>,
  push: PushLog,
): Promise<CheckoutResult[]> {
  const results: CheckoutResult[] = [];
  for (let i = 0; i < changes.length; i += CHECKOUT_BATCH) {
    const batch = changes.slice(i, i + CHECKOUT_BATCH);
    results.push(
      ...(await applyCheckoutBatch(trx, accountId, revs, machine, batch, current, push)),
    );
  }
  return results;
}

/** One batch of `applyCheckouts`: reads the machine's checkouts, decides, then writes. */
async function applyCheckoutBatch(
  trx: Db,
  accountId: number,
  revs: Revisions,
  machine: MachineRef,
  batch: PreparedCheckout[],
  current: Map<string, SyncRow>,
  push: PushLog,
): Promise<CheckoutResult[]> {
  const known = batch.flatMap((c) => current.get(c.uuid.toLowerCase()) ?? []);
  const before = await storedCheckouts(trx, machine.id, [
    ...new Set(known.map((r) => Number(r.id))),
  ]);
  const state: CheckoutState = {
    paths: new Map([...before].map(([id, c]) => [id, c.path])),
    gits: new Map([...before].map(([id, c]) => [id, c.git])),
    touched: new Set(),
    seqs: new Map(),
  };
  const results = batch.map((change): CheckoutResult => {
    const uuid = change.uuid.toLowerCase();
    const row = current.get(uuid);
    if (!row) return { uuid: change.uuid, status: 'rejected', error: UNKNOWN_CHECKOUT_ERROR };
    const decided = decideCheckout(state, { id: Number(row.id), uuid: row.uuid }, change);
    if ('result' in decided) return decided.result;
    if (decided.what === undefined && !decided.gitChanged)
      return { uuid: row.uuid, status: 'applied', seq: Number(row.seq) };
    // A new git state takes a seq too, so the feed carries it to the other machines.
    const seq = revs.next();
    // Later checkout changes of the same project must see its new seq.
    current.set(uuid, { ...row, seq });
    state.seqs.set(Number(row.id), seq);
    // Only where the checkout is goes into the history: a git state changes at nearly every
    // sync of a checkout in use, and would bury the project's real changes.
    if (decided.what !== undefined)
      push.history.push({ uuid, seq, kind: 'checkout', fields: [decided.what] });
    return { uuid: row.uuid, status: 'applied', seq };
  });
  await writeCheckouts(trx, accountId, machine.id, push.stamp, before, state);
  return results;
}

/** The machine's checkouts of the given projects (path, git state text), keyed by project id. */
async function storedCheckouts(
  trx: Db,
  machineId: string,
  projectIds: number[],
): Promise<Map<number, { path: string; git: string | null }>> {
  if (projectIds.length === 0) return new Map();
  const rows = await trx
    .selectFrom('checkouts')
    .select(['project_id', 'path', 'git'])
    .where('machine_id', '=', machineId)
    .where('project_id', 'in', projectIds)
    .execute();
  return new Map(rows.map((r) => [Number(r.project_id), { path: r.path, git: r.git }]));
}

/**
 * Writes a decided batch: one DELETE for the checkouts it removed, one upsert for those it
 * left in place (every path pushed is seen again now, changed or not, with its git state as
 * decided: the stored one when the change sent none) and one UPDATE of the
 * changed projects' seqs (only each project's last one counts).
 */
async function writeCheckouts(
  trx: Db,
  accountId: number,
  machineId: string,
  stamp: string,
  before: Map<number, unknown>,
  state: CheckoutState,
): Promise<void> {
  const removed = [...state.touched].filter((id) => !state.paths.has(id) && before.has(id));
  if (removed.length > 0)
    await trx
      .deleteFrom('checkouts')
      .where('machine_id', '=', machineId)
      .where('project_id', 'in', removed)
      .execute();
  const kept = [...state.touched].flatMap((id) => {
    const path = state.paths.get(id);
    if (path === undefined) return [];
    const git = state.gits.get(id) ?? null;
    return [
      { account_id: accountId, project_id: id, machine_id: machineId, path, last_seen: stamp, git },
    ];
  });
  if (kept.length > 0)
    await trx
      .insertInto('checkouts')
      .values(kept)
      .onConflict((oc) =>
        oc.columns(['project_id', 'machine_id']).doUpdateSet((eb) => ({
          path: eb.ref('excluded.path'),
          last_seen: eb.ref('excluded.last_seen'),
          git: eb.ref('excluded.git'),
        })),
      )
      .execute();
  if (state.seqs.size > 0) {
    // One statement for many rows: each id gets its own seq. The cast types the parameter
    // (PostgreSQL would otherwise take an untyped THEN value as text).
    const cases = [...state.seqs].map(([id, seq]) => sql`when ${id} then cast(${seq} as bigint)`);
    await trx
      .updateTable('projects')
      .set({ seq: sql<number>`case id ${sql.join(cases, sql` `)} end` })
      .where('account_id', '=', accountId)
      .where('id', 'in', [...state.seqs.keys()])
      .execute();
  }
}
