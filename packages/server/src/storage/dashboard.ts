/**
 * The web dashboard's queries: the projects table (search, filters, order and page done in
 * SQL, so a large account is never read whole), its tag list, a project page with its
 * history, and the dashboard's edit, a compare-and-swap like a sync push.
 */
import {
  changedFields,
  hasWorkInProgress,
  isUnknownGitState,
  normaliseTags,
  type SharedFields,
  type WipMachine,
  type WipResponse,
} from '@dev-infra/core';
import { sql } from 'kysely';
import { decidePush, fieldsProblem, isUuid, rawTagsProblem } from '../domain/records.js';
import { type Backend, inAccount, now } from './backend.js';
import { loadStored, withCheckouts } from './checkouts.js';
import { storedGitState } from './git-state.js';
import { DASHBOARD_SOURCE, recordHistory } from './history.js';
import { escapeLike, fieldsToRow, likePattern, rowToFields, toStored } from './rows.js';
import { readStamps, stampsAfter } from './stamp-clock.js';
import type {
  DashboardEdits,
  DashboardPage,
  DashboardQuery,
  EditOutcome,
  HistoryEntry,
  StoredProject,
} from './types.js';

/**
 * The dashboard's sort keys as SQL expressions (nulls as '' so both backends agree). `name`
 * and `updated` match the indexes of migration 0002, so those orders page through an index.
 */
const SORT_COLUMNS = {
  name: sql`lower(name)`,
  updated: sql`updated_at`,
  status: sql`status`,
  type: sql`coalesce(project_type, '')`,
} as const;

/** The account's live projects narrowed by the dashboard's search and filters. */
function dashboardFiltered(backend: Backend, accountId: number, q: DashboardQuery) {
  let query = backend.db
    .selectFrom('projects')
    .where('account_id', '=', accountId)
    .where('deleted', '=', 0);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.project_type) query = query.where('project_type', '=', q.project_type);
  if (q.tag) {
    // Tags are a JSON array of normalised strings: the quoted tag is an exact element match.
    const pattern = `%${escapeLike(JSON.stringify(q.tag.toLowerCase()))}%`;
    query = query.where(sql<boolean>`lower(tags) like ${pattern} escape '\\'`);
  }
  if (q.q) {
    const pattern = likePattern(q.q);
    query = query.where((eb) =>
      eb.or(
        (['name', 'description', 'remote_url', 'tags'] as const).map(
          (col) => sql<boolean>`lower(${sql.ref(col)}) like ${pattern} escape '\\'`,
        ),
      ),
    );
  }
  const { machine, orphan } = q;
  if (machine || orphan)
    query = query.where((eb) => {
      const held = eb
        .selectFrom('checkouts')
        .select('checkouts.project_id')
        .whereRef('checkouts.project_id', '=', 'projects.id');
      return machine
        ? eb.exists(held.where('checkouts.machine_id', '=', machine))
        : eb.not(eb.exists(held));
    });
  return query;
}

export async function dashboardProjects(
  backend: Backend,
  accountId: number,
  q: DashboardQuery,
): Promise<DashboardPage> {
  const perPage = Math.min(Math.max(q.per_page ?? 50, 1), 200);
  const page = Math.max(q.page ?? 1, 1);
  const filtered = dashboardFiltered(backend, accountId, q);
  const counted = await filtered
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const direction = q.order === 'desc' ? sql`desc` : sql`asc`;
  const rows = await filtered
    .selectAll()
    .orderBy(sql`${SORT_COLUMNS[q.sort ?? 'name']} ${direction}`)
    // The id breaks ties, so a page boundary never repeats or skips a project.
    .orderBy('id')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  const projects = (await withCheckouts(backend.db, accountId, rows)).map((p) =>
    toStored(p.row, p.checkouts),
  );
  return { total: Number(counted.n), page, per_page: perPage, projects };
}

export async function dashboardTags(backend: Backend, accountId: number): Promise<string[]> {
  // Each distinct tag list is read (and parsed) once, however many projects share it.
  const rows = await backend.db
    .selectFrom('projects')
    .select('tags')
    .distinct()
    .where('account_id', '=', accountId)
    .where('deleted', '=', 0)
    .where('tags', '!=', '[]')
    .execute();
  const tags = new Set(rows.flatMap((r) => JSON.parse(r.tags) as string[]));
  return [...tags].sort();
}

export async function projectByUuid(
  backend: Backend,
  accountId: number,
  uuid: string,
): Promise<StoredProject | undefined> {
  if (!isUuid(uuid)) return undefined;
  const row = await backend.db
    .selectFrom('projects')
    .select('id')
    .where('account_id', '=', accountId)
    .where('uuid', '=', uuid.toLowerCase())
    .where('deleted', '=', 0)
    .executeTakeFirst();
  return row ? loadStored(backend.db, accountId, Number(row.id)) : undefined;
}

export async function projectHistory(
  backend: Backend,
  accountId: number,
  projectId: number,
  limit: number,
): Promise<HistoryEntry[]> {
  const rows = await backend.db
    .selectFrom('project_history')
    .select(['seq', 'at', 'source', 'kind', 'fields'])
    .where('account_id', '=', accountId)
    .where('project_id', '=', projectId)
    .orderBy('seq', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: r.at,
    source: r.source,
    kind: r.kind as HistoryEntry['kind'],
    fields: JSON.parse(r.fields) as string[],
  }));
}

export async function editProject(
  backend: Backend,
  accountId: number,
  uuid: string,
  baseRev: number,
  edits: DashboardEdits,
): Promise<EditOutcome> {
  if (!isUuid(uuid)) return { kind: 'not_found' };
  return inAccount(backend, accountId, async (trx, revs): Promise<EditOutcome> => {
    const row = await trx
      .selectFrom('projects')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('uuid', '=', uuid.toLowerCase())
      .where('deleted', '=', 0)
      .executeTakeFirst();
    if (!row) return { kind: 'not_found' };
    const current = rowToFields(row);
    const fields: SharedFields = { ...current, ...edits, updated_at: now() };
    fields.tags = normaliseTags(fields.tags);
    const problem = rawTagsProblem(edits.tags) ?? fieldsProblem(fields);
    if (problem) return { kind: 'invalid', error: problem };
    const id = Number(row.id);
    // The same compare-and-swap decision as a sync push: a stale base is never overwritten.
    const stored = readStamps(row.stamps);
    const decision = decidePush(
      { rev: Number(row.rev), deleted: false, fields: current, stamps: stored },
      { base_rev: baseRev, fields },
    );
    if (decision.action === 'conflict')
      return { kind: 'conflict', project: await loadStored(trx, accountId, id) };
    if (decision.action === 'update') {
      const rev = revs.next();
      const stamps = stampsAfter({
        before: { fields: current, stamps: stored },
        after: fields,
        liveChanged: false,
      });
      await trx
        .updateTable('projects')
        .set({ ...fieldsToRow(fields), rev, seq: rev, stamps: JSON.stringify(stamps) })
        .where('id', '=', id)
        .execute();
      await recordHistory(trx, accountId, DASHBOARD_SOURCE, {
        projectId: id,
        seq: rev,
        kind: 'updated',
        fields: changedFields(current, fields),
      });
    }
    return { kind: 'applied', project: await loadStored(trx, accountId, id) };
  });
}

/**
 * The "Work in progress" view: every live project's checkout whose last git state holds work
 * not yet safe elsewhere (core's `hasWorkInProgress`) or could not be read (unknown), grouped
 * by machine. One query over the account's checkouts that have a state; the filter is core's
 * rule, applied here rather than in SQL so the CLI and the dashboard cannot disagree.
 */
export async function dashboardWip(backend: Backend, accountId: number): Promise<WipResponse> {
  const rows = await backend.db
    .selectFrom('checkouts')
    .innerJoin('projects', (j) =>
      j
        .onRef('projects.account_id', '=', 'checkouts.account_id')
        .onRef('projects.id', '=', 'checkouts.project_id'),
    )
    .innerJoin('machines', (j) =>
      j
        .onRef('machines.account_id', '=', 'checkouts.account_id')
        .onRef('machines.machine_id', '=', 'checkouts.machine_id'),
    )
    .select([
      'checkouts.machine_id',
      'machines.name as machine_name',
      'machines.last_sync',
      'checkouts.path',
      'checkouts.git',
      'projects.uuid',
      'projects.name',
    ])
    .where('checkouts.account_id', '=', accountId)
    .where('projects.deleted', '=', 0)
    .where('checkouts.git', 'is not', null)
    .orderBy('machines.name')
    .orderBy('checkouts.machine_id')
    .orderBy(sql`lower(projects.name)`)
    .orderBy('projects.uuid')
    .execute();
  const machines = new Map<string, WipMachine>();
  let clean = 0;
  for (const row of rows) {
    const git = storedGitState(row.git);
    if (!git) continue;
    if (!isUnknownGitState(git) && !hasWorkInProgress(git)) {
      clean += 1;
      continue;
    }
    let machine = machines.get(row.machine_id);
    if (!machine) {
      machine = {
        machine_id: row.machine_id,
        machine_name: row.machine_name,
        last_sync: row.last_sync,
        checkouts: [],
      };
      machines.set(row.machine_id, machine);
    }
    machine.checkouts.push({ uuid: row.uuid, name: row.name, path: row.path, git });
  }
  return { machines: [...machines.values()], clean };
}
