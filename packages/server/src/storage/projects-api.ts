/**
 * The original work-prod API's projects (`/api/projects`): list with filters, get, create,
 * update, delete (a tombstone, so the sync feed carries it) and import. Projects are addressed
 * by their integer id and may carry the legacy single-machine `path`.
 */
import { randomUUID } from 'node:crypto';
import { changedFields, normaliseRemoteUrl } from '@dev-infra/core';
import { sql } from 'kysely';
import {
  applyInput,
  fieldsProblem,
  newFields,
  rawTagsProblem,
  textProblem,
} from '../domain/records.js';
import { type Backend, type Db, inAccount, now, type Revisions } from './backend.js';
import { loadStored, withCheckouts } from './checkouts.js';
import { API_SOURCE, recordHistory } from './history.js';
import { loadValidate } from './lazy-validate.js';
import { fieldsToRow, likePattern, rowToFields, toStored } from './rows.js';
import { readStamps, stampsAfter } from './stamp-clock.js';
import type {
  ImportOutcome,
  ProjectFilter,
  ProjectInput,
  StoredProject,
  WriteOutcome,
} from './types.js';

export async function listProjects(
  backend: Backend,
  accountId: number,
  filter: ProjectFilter,
): Promise<StoredProject[]> {
  let query = backend.db
    .selectFrom('projects')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('deleted', '=', 0);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.organization !== undefined)
    query = query.where('organization', '=', filter.organization);
  if (filter.classification !== undefined)
    query = query.where('classification', '=', filter.classification);
  if (filter.project_type !== undefined)
    query = query.where('project_type', '=', filter.project_type);
  if (filter.search !== undefined && filter.search !== '') {
    const pattern = likePattern(filter.search);
    query = query.where((eb) =>
      eb.or(
        (['name', 'description', 'remote_url'] as const).map(
          (col) => sql<boolean>`lower(${sql.ref(col)}) like ${pattern} escape '\\'`,
        ),
      ),
    );
  }
  const rows = await query.orderBy('id').execute();
  // Unfiltered, the rows are every live project: read all the account's checkouts in one
  // query rather than by id lists.
  const unfiltered = Object.values(filter).every((v) => v === undefined || v === '');
  return (await withCheckouts(backend.db, accountId, rows, unfiltered)).map((p) =>
    toStored(p.row, p.checkouts),
  );
}

/**
 * What `listProjects` answers from, in one short query: the account's revision (every write to
 * a project, its fields or its checkouts' paths takes the next one) and the newest machine sync
 * and checkout sighting (a push or a feed read can rename a machine or move a checkout's
 * `last_seen` without a revision). `newest` lets a cache tell a settled version from one that a
 * write stamped in the same millisecond could still leave unchanged.
 */
export async function listVersion(
  backend: Backend,
  accountId: number,
): Promise<{ version: string; newest: string | null }> {
  const row = await backend.db
    .selectFrom('accounts')
    .select((eb) => [
      'revision',
      eb
        .selectFrom('machines')
        .select((m) => m.fn.max('last_sync').as('at'))
        .where('machines.account_id', '=', accountId)
        .as('synced_at'),
      eb
        .selectFrom('checkouts')
        .select((c) => c.fn.max('last_seen').as('at'))
        .where('checkouts.account_id', '=', accountId)
        .as('seen_at'),
    ])
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (!row) return { version: 'none', newest: null };
  const stamps = [row.synced_at, row.seen_at].filter((s): s is string => typeof s === 'string');
  const newest =
    stamps.length === 0 ? null : stamps.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
  return { version: `${row.revision}|${row.synced_at ?? ''}|${row.seen_at ?? ''}`, newest };
}

/** The row of a live (not deleted) project by id, if the account has one. */
function liveRow(db: Db, accountId: number, id: number) {
  return db
    .selectFrom('projects')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .where('deleted', '=', 0)
    .executeTakeFirst();
}

export async function getProject(
  backend: Backend,
  accountId: number,
  id: number,
): Promise<StoredProject | undefined> {
  return (await liveRow(backend.db, accountId, id))
    ? loadStored(backend.db, accountId, id)
    : undefined;
}

/** A live project of the account already using `path` (other than `exceptId`). */
async function pathTaken(db: Db, accountId: number, path: string, exceptId?: number) {
  let query = db
    .selectFrom('projects')
    .select('id')
    .where('account_id', '=', accountId)
    .where('deleted', '=', 0)
    .where('path', '=', path);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

/** A project of the account with `uuid`, tombstones too: they keep their (unique) uuid. */
async function uuidTaken(db: Db, accountId: number, uuid: string) {
  const row = await db
    .selectFrom('projects')
    .select('id')
    .where('account_id', '=', accountId)
    .where('uuid', '=', uuid)
    .executeTakeFirst();
  return row !== undefined;
}

/** Checks and inserts one original-API project; an error line when it cannot. */
async function insertFromInput(
  trx: Db,
  accountId: number,
  revs: Revisions,
  input: ProjectInput,
): Promise<{ id: number } | { error: string; conflict: boolean }> {
  const stamp = now();
  const fields = applyInput(newFields(stamp), input, stamp);
  const problem =
    rawTagsProblem(input.tags) ?? fieldsProblem(fields) ?? textProblem('path', input.path);
  if (problem) return { error: problem, conflict: false };
  const path = input.path ?? null;
  if (path !== null && (await pathTaken(trx, accountId, path)))
    return { error: `a project with path ${path} already exists`, conflict: true };
  const uuid = input.uuid?.toLowerCase() ?? randomUUID();
  if (await uuidTaken(trx, accountId, uuid))
    return { error: `a project with uuid ${uuid} already exists`, conflict: true };
  const rev = revs.next();
  const inserted = await trx
    .insertInto('projects')
    .values({
      account_id: accountId,
      uuid,
      rev,
      seq: rev,
      deleted: 0,
      path,
      stamps: JSON.stringify(stampsAfter({ before: undefined, after: fields, liveChanged: true })),
      ...fieldsToRow(fields),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(inserted.id);
  await recordHistory(trx, accountId, API_SOURCE, {
    projectId: id,
    seq: rev,
    kind: 'created',
    fields: [],
  });
  return { id };
}

export async function createProject(
  backend: Backend,
  accountId: number,
  input: ProjectInput,
): Promise<WriteOutcome> {
  return inAccount(backend, accountId, async (trx, revs): Promise<WriteOutcome> => {
    const result = await insertFromInput(trx, accountId, revs, input);
    if ('error' in result)
      return { kind: result.conflict ? 'conflict' : 'invalid', error: result.error };
    return { kind: 'ok', project: await loadStored(trx, accountId, result.id) };
  });
}

export async function updateProject(
  backend: Backend,
  accountId: number,
  id: number,
  input: ProjectInput,
): Promise<WriteOutcome> {
  return inAccount(backend, accountId, async (trx, revs): Promise<WriteOutcome> => {
    const row = await liveRow(trx, accountId, id);
    if (!row) return { kind: 'not_found' };
    const fields = applyInput(rowToFields(row), input, now());
    const problem =
      rawTagsProblem(input.tags) ?? fieldsProblem(fields) ?? textProblem('path', input.path);
    if (problem) return { kind: 'invalid', error: problem };
    const path = input.path === undefined ? row.path : input.path;
    if (path !== null && path !== row.path && (await pathTaken(trx, accountId, path, id)))
      return { kind: 'conflict', error: `a project with path ${path} already exists` };
    const rev = revs.next();
    const before = { fields: rowToFields(row), stamps: readStamps(row.stamps) };
    const stamps = stampsAfter({ before, after: fields, liveChanged: false });
    await trx
      .updateTable('projects')
      .set({ ...fieldsToRow(fields), path, rev, seq: rev, stamps: JSON.stringify(stamps) })
      .where('id', '=', id)
      .execute();
    const changed: string[] = changedFields(rowToFields(row), fields);
    if (path !== row.path) changed.push('path');
    await recordHistory(trx, accountId, API_SOURCE, {
      projectId: id,
      seq: rev,
      kind: 'updated',
      fields: changed,
    });
    return { kind: 'ok', project: await loadStored(trx, accountId, id) };
  });
}

export async function deleteProject(
  backend: Backend,
  accountId: number,
  id: number,
): Promise<boolean> {
  return inAccount(backend, accountId, async (trx, revs) => {
    const row = await liveRow(trx, accountId, id);
    if (!row) return false;
    const rev = revs.next();
    const fields = rowToFields(row);
    const stamps = stampsAfter({
      before: { fields, stamps: readStamps(row.stamps) },
      after: fields,
      liveChanged: true,
    });
    await trx
      .updateTable('projects')
      .set({ deleted: 1, rev, seq: rev, updated_at: now(), stamps: JSON.stringify(stamps) })
      .where('id', '=', id)
      .execute();
    await recordHistory(trx, accountId, API_SOURCE, {
      projectId: id,
      seq: rev,
      kind: 'deleted',
      fields: [],
    });
    return true;
  });
}

/**
 * Imports items in one transaction: each is checked alone (a bad one is an error line, the
 * rest still go in), and one whose remote is already registered is skipped.
 */
export async function importProjects(
  backend: Backend,
  accountId: number,
  items: unknown[],
): Promise<ImportOutcome> {
  const { parseImportItem } = await loadValidate();
  return inAccount(backend, accountId, async (trx, revs) => {
    const outcome: ImportOutcome = { imported: 0, skipped: 0, errors: [] };
    const known = new Set(
      (
        await trx
          .selectFrom('projects')
          .select('remote_key')
          .where('account_id', '=', accountId)
          .where('deleted', '=', 0)
          .where('remote_key', 'is not', null)
          .execute()
      ).map((r) => r.remote_key),
    );
    for (const [index, item] of items.entries()) {
      const parsed = parseImportItem(item);
      if ('error' in parsed) {
        outcome.errors.push(`projects[${index}]: ${parsed.error}`);
        continue;
      }
      const key = normaliseRemoteUrl(parsed.input.remote_url);
      if (key !== null && known.has(key)) {
        outcome.skipped += 1;
        continue;
      }
      const result = await insertFromInput(trx, accountId, revs, parsed.input);
      if ('error' in result) {
        outcome.errors.push(`projects[${index}]: ${result.error}`);
        continue;
      }
      if (key !== null) known.add(key);
      outcome.imported += 1;
    }
    return outcome;
  });
}
