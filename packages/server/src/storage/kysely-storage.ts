/**
 * The storage logic shared by both backends, written once in Kysely's typed SQL. A backend
 * only supplies its connection, how it runs a write transaction and how it takes locks.
 */
import { randomUUID } from 'node:crypto';
import {
  type ChangesResponse,
  type Checkout,
  type CheckoutResult,
  changedFields,
  type MachineRef,
  type MachinesResponse,
  normaliseRemoteUrl,
  normaliseTags,
  type PushResponse,
  type PushResult,
  SHARED_FIELD_NAMES,
  type SharedFields,
  type SyncRecord,
} from '@dev-infra/core';
import { type Insertable, type Kysely, type QueryCreator, type Selectable, sql } from 'kysely';
import {
  applyInput,
  checkoutPathProblem,
  decidePush,
  fieldsProblem,
  isUuid,
  newFields,
} from '../domain/records.js';
import { KeyCache } from './key-cache.js';
import { migrateToLatest } from './migrations/index.js';
import type { Database, ProjectsTable } from './schema.js';
import type {
  AccountInfo,
  DashboardEdits,
  DashboardPage,
  DashboardQuery,
  Dialect,
  EditOutcome,
  HistoryEntry,
  ImportOutcome,
  KeyInfo,
  NewKey,
  ProjectFilter,
  ProjectInput,
  PushInput,
  RevokeOutcome,
  Storage,
  StorageOptions,
  StoredProject,
  WriteOutcome,
} from './types.js';

/** The record checks, loaded on first use (see validate.ts) and then kept. */
let validate: Promise<typeof import('../domain/validate.js')> | undefined;
const loadValidate = () => {
  validate ??= import('../domain/validate.js');
  return validate;
};

type Db = Kysely<Database>;
type ProjectRow = Selectable<ProjectsTable>;

/** The columns of the shared fields (what `rowToFields` reads): named as the fields are. */
const FIELD_COLUMNS = SHARED_FIELD_NAMES;
/** The columns a sync record needs: the feed reads only these (each column read costs). */
const SYNC_COLUMNS = ['id', 'uuid', 'rev', 'seq', 'deleted', ...FIELD_COLUMNS] as const;
type FieldsRow = Pick<ProjectRow, (typeof FIELD_COLUMNS)[number]>;
type SyncRow = Pick<ProjectRow, (typeof SYNC_COLUMNS)[number]>;

/** What a backend provides to the shared storage. */
export interface Backend {
  dialect: Dialect;
  db: Db;
  /** Runs `fn` in a transaction that already holds the database's write lock where needed. */
  writeTransaction<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  /** Serialises account bootstrap across instances (a no-op where writes are serialised). */
  lockGlobal(trx: Db): Promise<void>;
}

/** Hands out the account's next revisions inside one locked transaction. */
class Revisions {
  /** The head as written to the account's row; `inAccount` writes it if `head` moved on. */
  saved: number;
  constructor(public head: number) {
    this.saved = head;
  }
  next(): number {
    this.head += 1;
    return this.head;
  }
}

const now = () => new Date().toISOString();

function rowToFields(row: FieldsRow): SharedFields {
  return {
    name: row.name,
    description: row.description,
    remote_url: row.remote_url,
    project_type: row.project_type as SharedFields['project_type'],
    status: row.status as SharedFields['status'],
    classification: row.classification as SharedFields['classification'],
    organization: row.organization,
    tags: JSON.parse(row.tags) as string[],
    template: row.template,
    template_version: row.template_version,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function fieldsToRow(fields: SharedFields) {
  return {
    name: fields.name,
    description: fields.description,
    remote_url: fields.remote_url,
    remote_key: normaliseRemoteUrl(fields.remote_url),
    project_type: fields.project_type,
    status: fields.status,
    classification: fields.classification,
    organization: fields.organization,
    tags: JSON.stringify(fields.tags),
    template: fields.template,
    template_version: fields.template_version,
    created_at: fields.created_at,
    updated_at: fields.updated_at,
  };
}

function toStored(row: ProjectRow, checkouts: Checkout[]): StoredProject {
  return {
    id: Number(row.id),
    uuid: row.uuid,
    rev: Number(row.rev),
    seq: Number(row.seq),
    deleted: row.deleted === 1,
    fields: rowToFields(row),
    path: row.path,
    checkouts,
  };
}

function toSyncRecord(row: SyncRow, checkouts: Checkout[]): SyncRecord {
  return {
    uuid: row.uuid,
    rev: Number(row.rev),
    seq: Number(row.seq),
    deleted: row.deleted === 1,
    fields: rowToFields(row),
    checkouts,
  };
}

/** Escapes LIKE wildcards so a search is a plain substring match. */
function likePattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A history entry of a push, written once the push's new projects have ids. */
interface PendingHistory {
  uuid: string;
  seq: number;
  kind: HistoryEntry['kind'];
  fields: string[];
}

/** A checkout change of a push, as the pushing machine sent it. */
type CheckoutChange = PushInput['checkouts'][number];

/** What a checkout change did, as its history entry names it. */
type CheckoutChangeKind = 'added' | 'moved' | 'removed';

/**
 * The pushing machine's checkouts while a batch of its changes is decided: the path of each
 * project it holds, the projects a change wrote to, and each changed project's new seq.
 */
interface CheckoutState {
  paths: Map<number, string>;
  touched: Set<number>;
  seqs: Map<number, number>;
}

/** The push's time and the history entries it has made so far (written at its end). */
interface PushLog {
  stamp: string;
  history: PendingHistory[];
}

/** Checkout changes applied per batch: a few statements each, within bound-parameter limits. */
const CHECKOUT_BATCH = 500;

/** The machine name (or "dashboard", "api") a change is recorded under in the history. */
type Source = string;

const API_SOURCE: Source = 'api';
const DASHBOARD_SOURCE: Source = 'dashboard';

/** The dashboard's sort keys as SQL expressions (nulls as '' so both backends agree). */
const SORT_COLUMNS = {
  name: sql`lower(name)`,
  updated: sql`updated_at`,
  status: sql`status`,
  type: sql`coalesce(project_type, '')`,
} as const;

/** The Storage interface over a Kysely backend. */
export class KyselyStorage implements Storage {
  readonly dialect: Dialect;
  private readonly db: Db;
  /** Recently seen live keys (see key-cache.ts for how long a revoked key may still pass). */
  private readonly keys: KeyCache;

  constructor(
    private readonly backend: Backend,
    options: StorageOptions = {},
  ) {
    this.keys = new KeyCache(options.keyCacheTtlMs);
    this.dialect = backend.dialect;
    this.db = backend.db;
  }

  async migrate(): Promise<void> {
    await migrateToLatest(this.db as Kysely<unknown>, this.dialect);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  /** Runs `fn` with the account locked; every revision it takes is saved with its writes. */
  private inAccount<T>(accountId: number, fn: (trx: Db, revs: Revisions) => Promise<T>) {
    return this.backend.writeTransaction(async (trx) => {
      let query = trx.selectFrom('accounts').select('revision').where('id', '=', accountId);
      // PostgreSQL: the row lock serialises every write to one account across instances.
      if (this.dialect === 'postgres') query = query.forUpdate();
      const row = await query.executeTakeFirstOrThrow();
      const revs = new Revisions(Number(row.revision));
      const result = await fn(trx, revs);
      if (revs.head !== revs.saved) {
        await trx
          .updateTable('accounts')
          .set({ revision: revs.head })
          .where('id', '=', accountId)
          .execute();
      }
      return result;
    });
  }

  /** Appends one entry to a project's history (inside the change's transaction). */
  private async recordHistory(
    trx: Db,
    accountId: number,
    projectId: number,
    seq: number,
    source: Source,
    kind: HistoryEntry['kind'],
    fields: string[],
  ): Promise<void> {
    await this.insertHistory(trx, accountId, source, now(), [{ projectId, seq, kind, fields }]);
  }

  /**
   * Appends several history entries of one change source in one statement per 500. `revs`,
   * given when nothing is written after these entries: on PostgreSQL the last statement also
   * saves the account's new head (a data-modifying WITH), one round trip fewer while the
   * account's lock is held.
   */
  private async insertHistory(
    trx: Db,
    accountId: number,
    source: Source,
    at: string,
    entries: (Omit<PendingHistory, 'uuid'> & { projectId: number })[],
    revs?: Revisions,
  ): Promise<void> {
    for (let i = 0; i < entries.length; i += 500) {
      const rows = entries.slice(i, i + 500).map((e) => ({
        account_id: accountId,
        project_id: e.projectId,
        seq: e.seq,
        at,
        source,
        kind: e.kind,
        fields: JSON.stringify(e.fields),
      }));
      const last = i + 500 >= entries.length;
      if (revs && last && this.dialect === 'postgres') {
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

  // ---- accounts and keys ----

  private accountQuery(db: Db) {
    return db
      .selectFrom('accounts')
      .leftJoin('api_keys', (j) =>
        j.onRef('api_keys.account_id', '=', 'accounts.id').on('api_keys.revoked_at', 'is', null),
      )
      .select(['accounts.id', 'accounts.name', 'accounts.created_at'])
      .select((eb) => eb.fn.count<number>('api_keys.id').as('active_keys'))
      .groupBy(['accounts.id', 'accounts.name', 'accounts.created_at']);
  }

  private static toAccount(row: {
    id: number;
    name: string;
    created_at: string;
    active_keys: number | string | bigint;
  }): AccountInfo {
    return { ...row, id: Number(row.id), active_keys: Number(row.active_keys) };
  }

  async createAccount(name: string): Promise<AccountInfo | undefined> {
    const created = await this.backend.writeTransaction(async (trx) => {
      await this.backend.lockGlobal(trx);
      const existing = await trx
        .selectFrom('accounts')
        .select('id')
        .where('name', '=', name)
        .executeTakeFirst();
      if (existing) return false;
      await trx.insertInto('accounts').values({ name, revision: 0, created_at: now() }).execute();
      return true;
    });
    return created ? this.findAccount(name) : undefined;
  }

  async findAccount(name: string): Promise<AccountInfo | undefined> {
    const row = await this.accountQuery(this.db)
      .where('accounts.name', '=', name)
      .executeTakeFirst();
    return row ? KyselyStorage.toAccount(row) : undefined;
  }

  async listAccounts(): Promise<AccountInfo[]> {
    const rows = await this.accountQuery(this.db).orderBy('accounts.name').execute();
    return rows.map(KyselyStorage.toAccount);
  }

  async createFirstAccount(name: string, key: NewKey): Promise<boolean> {
    return this.backend.writeTransaction(async (trx) => {
      await this.backend.lockGlobal(trx);
      const any = await trx.selectFrom('accounts').select('id').limit(1).executeTakeFirst();
      if (any) return false;
      const account = await trx
        .insertInto('accounts')
        .values({ name, revision: 0, created_at: now() })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.insertKey(trx, Number(account.id), key);
      return true;
    });
  }

  private async insertKey(db: Db, accountId: number, key: NewKey): Promise<void> {
    await db
      .insertInto('api_keys')
      .values({
        account_id: accountId,
        key_hash: key.hash,
        prefix: key.prefix,
        label: key.label,
        created_at: now(),
        revoked_at: null,
      })
      .execute();
  }

  async addKey(accountId: number, key: NewKey): Promise<void> {
    await this.insertKey(this.db, accountId, key);
  }

  async listKeys(accountId: number): Promise<KeyInfo[]> {
    return this.db
      .selectFrom('api_keys')
      .select(['prefix', 'label', 'created_at', 'revoked_at'])
      .where('account_id', '=', accountId)
      .orderBy('id')
      .execute();
  }

  async revokeKey(prefix: string): Promise<RevokeOutcome> {
    const outcome = await this.backend.writeTransaction(async (trx): Promise<RevokeOutcome> => {
      const keys = await trx
        .selectFrom('api_keys')
        .select('id')
        .where('prefix', '=', prefix)
        .where('revoked_at', 'is', null)
        .execute();
      if (keys.length === 0) return 'not_found';
      if (keys.length > 1) return 'ambiguous';
      await trx
        .updateTable('api_keys')
        .set({ revoked_at: now() })
        .where('id', '=', keys[0]!.id)
        .execute();
      return 'revoked';
    });
    // After the commit: a look-up racing the revocation cannot re-add the key (see KeyCache).
    if (outcome === 'revoked') this.keys.clear();
    return outcome;
  }

  async accountForKey(hash: string): Promise<number | undefined> {
    const cached = this.keys.get(hash);
    if (cached !== undefined) return cached;
    const begun = this.keys.begin();
    const row = await this.db
      .selectFrom('api_keys')
      .select('account_id')
      .where('key_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const accountId = Number(row.account_id);
    this.keys.set(hash, accountId, begun);
    return accountId;
  }

  // ---- projects ----

  /**
   * Checkouts of the given projects (most recently seen first), keyed by project id; 'all'
   * reads the whole account's (for the full list). Ids go in chunks to stay within SQLite's
   * bound-parameter limit.
   */
  private async checkoutsOf(
    db: Db,
    accountId: number,
    projectIds: number[] | 'all',
  ): Promise<Map<number, Checkout[]>> {
    const byProject = new Map<number, Checkout[]>();
    const chunks: (number[] | undefined)[] = projectIds === 'all' ? [undefined] : [];
    if (projectIds !== 'all')
      for (let i = 0; i < projectIds.length; i += 500) chunks.push(projectIds.slice(i, i + 500));
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
        ])
        .where('checkouts.account_id', '=', accountId);
      if (chunk) query = query.where('checkouts.project_id', 'in', chunk);
      const rows = await query
        .orderBy('checkouts.last_seen', 'desc')
        .orderBy('checkouts.machine_id')
        .execute();
      for (const { project_id, ...checkout } of rows) {
        const id = Number(project_id);
        const list = byProject.get(id) ?? [];
        list.push(checkout);
        byProject.set(id, list);
      }
    }
    return byProject;
  }

  /** Projects with their checkouts; `all` when the rows are the whole account anyway. */
  private async withCheckouts<R extends Pick<ProjectRow, 'id'>>(
    db: Db,
    accountId: number,
    rows: R[],
    all = false,
  ) {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => Number(r.id));
    const checkouts = await this.checkoutsOf(db, accountId, all ? 'all' : ids);
    return rows.map((r) => ({ row: r, checkouts: checkouts.get(Number(r.id)) ?? [] }));
  }

  async listProjects(accountId: number, filter: ProjectFilter): Promise<StoredProject[]> {
    let query = this.db
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
      // Both backends need the escape character named for LIKE (SQLite has no default).
      query = query.where((eb) =>
        eb.or(
          (['name', 'description', 'remote_url'] as const).map(
            (col) => sql<boolean>`lower(${sql.ref(col)}) like ${pattern} escape '\\'`,
          ),
        ),
      );
    }
    const rows = await query.orderBy('id').execute();
    const unfiltered = Object.values(filter).every((v) => v === undefined || v === '');
    return (await this.withCheckouts(this.db, accountId, rows, unfiltered)).map((p) =>
      toStored(p.row, p.checkouts),
    );
  }

  private async loadStored(db: Db, accountId: number, id: number) {
    const row = await db
      .selectFrom('projects')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const checkouts = await this.checkoutsOf(db, accountId, [id]);
    return toStored(row, checkouts.get(id) ?? []);
  }

  /** The row of a live (not deleted) project by id, if the account has one. */
  private liveRow(db: Db, accountId: number, id: number) {
    return db
      .selectFrom('projects')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .where('deleted', '=', 0)
      .executeTakeFirst();
  }

  async getProject(accountId: number, id: number): Promise<StoredProject | undefined> {
    return (await this.liveRow(this.db, accountId, id))
      ? this.loadStored(this.db, accountId, id)
      : undefined;
  }

  /** A live project of the account already using `path` (other than `exceptId`). */
  private async pathTaken(db: Db, accountId: number, path: string, exceptId?: number) {
    let query = db
      .selectFrom('projects')
      .select('id')
      .where('account_id', '=', accountId)
      .where('deleted', '=', 0)
      .where('path', '=', path);
    if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  private async uuidTaken(db: Db, accountId: number, uuid: string) {
    const row = await db
      .selectFrom('projects')
      .select('id')
      .where('account_id', '=', accountId)
      .where('uuid', '=', uuid)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Checks and inserts one original-API project; an error line when it cannot. */
  private async insertFromInput(
    trx: Db,
    accountId: number,
    revs: Revisions,
    input: ProjectInput,
  ): Promise<{ id: number } | { error: string; conflict: boolean }> {
    const stamp = now();
    const fields = applyInput(newFields(stamp), input, stamp);
    const problem = fieldsProblem(fields);
    if (problem) return { error: problem, conflict: false };
    const path = input.path ?? null;
    if (path !== null && (await this.pathTaken(trx, accountId, path)))
      return { error: `a project with path ${path} already exists`, conflict: true };
    const uuid = input.uuid?.toLowerCase() ?? randomUUID();
    if (await this.uuidTaken(trx, accountId, uuid))
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
        ...fieldsToRow(fields),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.recordHistory(trx, accountId, Number(inserted.id), rev, API_SOURCE, 'created', []);
    return { id: Number(inserted.id) };
  }

  async createProject(accountId: number, input: ProjectInput): Promise<WriteOutcome> {
    return this.inAccount(accountId, async (trx, revs) => {
      const result = await this.insertFromInput(trx, accountId, revs, input);
      if ('error' in result)
        return { kind: result.conflict ? 'conflict' : 'invalid', error: result.error } as const;
      return { kind: 'ok', project: await this.loadStored(trx, accountId, result.id) } as const;
    });
  }

  async updateProject(accountId: number, id: number, input: ProjectInput): Promise<WriteOutcome> {
    return this.inAccount(accountId, async (trx, revs): Promise<WriteOutcome> => {
      const row = await this.liveRow(trx, accountId, id);
      if (!row) return { kind: 'not_found' };
      const fields = applyInput(rowToFields(row), input, now());
      const problem = fieldsProblem(fields);
      if (problem) return { kind: 'invalid', error: problem };
      const path = input.path === undefined ? row.path : input.path;
      if (path !== null && path !== row.path && (await this.pathTaken(trx, accountId, path, id)))
        return { kind: 'conflict', error: `a project with path ${path} already exists` };
      const rev = revs.next();
      await trx
        .updateTable('projects')
        .set({ ...fieldsToRow(fields), path, rev, seq: rev })
        .where('id', '=', id)
        .execute();
      const changed: string[] = changedFields(rowToFields(row), fields);
      if (path !== row.path) changed.push('path');
      await this.recordHistory(trx, accountId, id, rev, API_SOURCE, 'updated', changed);
      return { kind: 'ok', project: await this.loadStored(trx, accountId, id) };
    });
  }

  async deleteProject(accountId: number, id: number): Promise<boolean> {
    return this.inAccount(accountId, async (trx, revs) => {
      if (!(await this.liveRow(trx, accountId, id))) return false;
      const rev = revs.next();
      await trx
        .updateTable('projects')
        .set({ deleted: 1, rev, seq: rev, updated_at: now() })
        .where('id', '=', id)
        .execute();
      await this.recordHistory(trx, accountId, id, rev, API_SOURCE, 'deleted', []);
      return true;
    });
  }

  async importProjects(accountId: number, items: unknown[]): Promise<ImportOutcome> {
    const { parseImportItem } = await loadValidate();
    return this.inAccount(accountId, async (trx, revs) => {
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
        const result = await this.insertFromInput(trx, accountId, revs, parsed.input);
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

  // ---- sync ----

  /** The upsert recording that `machine` synced at `at` (its name may have changed). */
  private static touchMachineQuery(
    db: QueryCreator<Database>,
    accountId: number,
    machine: MachineRef,
    at: string,
  ) {
    return db
      .insertInto('machines')
      .values({ account_id: accountId, machine_id: machine.id, name: machine.name, last_sync: at })
      .onConflict((oc) =>
        oc.columns(['account_id', 'machine_id']).doUpdateSet({ name: machine.name, last_sync: at }),
      );
  }

  private async touchMachine(db: Db, accountId: number, machine: MachineRef, at: string) {
    await KyselyStorage.touchMachineQuery(db, accountId, machine, at).execute();
  }

  private async head(db: Db, accountId: number): Promise<number> {
    const row = await db
      .selectFrom('accounts')
      .select('revision')
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    return Number(row.revision);
  }

  async changes(
    accountId: number,
    since: number,
    limit: number,
    machine?: MachineRef,
  ): Promise<ChangesResponse> {
    if (machine) await this.touchMachine(this.db, accountId, machine, now());
    // The head first: when the caller is already there (the commonest pull) that is the only
    // query. Changes committed after it still show in the page; `head` covers them below.
    const head = await this.head(this.db, accountId);
    if (since >= head) return { changes: [], next: since, more: false, head: since };
    const rows = await this.db
      .selectFrom('projects')
      .select(SYNC_COLUMNS)
      .where('account_id', '=', accountId)
      .where('seq', '>', since)
      .orderBy('seq')
      .limit(limit + 1)
      .execute();
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const records = (await this.withCheckouts(this.db, accountId, page)).map((p) =>
      toSyncRecord(p.row, p.checkouts),
    );
    const next = page.length > 0 ? Number(page[page.length - 1]!.seq) : since;
    return { changes: records, next, more, head: Math.max(head, next) };
  }

  async push(accountId: number, input: PushInput): Promise<PushResponse> {
    const { parsePushedFields } = await loadValidate();
    const stamp = now();
    type Prepared =
      | { uuid: string; error: string }
      | { uuid: string; base_rev: number; deleted: true; fields?: undefined }
      | { uuid: string; base_rev: number; fields: SharedFields };
    const prepared = input.changes.map((c): Prepared => {
      const uuid = c.uuid.toLowerCase();
      if (!isUuid(uuid)) return { uuid: c.uuid, error: 'uuid: must be a uuid' };
      if (c.deleted === true) return { uuid, base_rev: c.base_rev, deleted: true };
      if (c.fields === undefined) return { uuid, error: 'fields (or deleted: true) is required' };
      const parsed = parsePushedFields(c.fields);
      if ('error' in parsed) return { uuid, error: parsed.error };
      return { uuid, base_rev: c.base_rev, fields: parsed.fields };
    });

    const source = input.machine.name;
    return this.inAccount(accountId, async (trx, revs) => {
      const uuids = [
        ...new Set([
          ...prepared.map((p) => p.uuid),
          ...input.checkouts.map((c) => c.uuid.toLowerCase()),
        ]),
      ].filter(isUuid);
      // PostgreSQL: the machine's upsert goes with the first read of the pushed projects, as a
      // data-modifying WITH (the read does not need it), so the push holds the account's lock
      // for one round trip fewer. SQLite cannot put an INSERT in a WITH; there it costs no
      // round trip anyway.
      const touch = (db: QueryCreator<Database>) =>
        KyselyStorage.touchMachineQuery(db, accountId, input.machine, stamp);
      const touchWithRead = this.dialect === 'postgres' && uuids.length > 0;
      if (!touchWithRead) await touch(trx).execute();
      const current = new Map<string, SyncRow>();
      for (let i = 0; i < uuids.length; i += 500) {
        const chunk = uuids.slice(i, i + 500);
        const rows = await (i === 0 && touchWithRead
          ? trx
              .with('touched', touch)
              .selectFrom('projects')
              .select(SYNC_COLUMNS)
              .where('account_id', '=', accountId)
              .where('uuid', 'in', chunk)
          : trx
              .selectFrom('projects')
              .select(SYNC_COLUMNS)
              .where('account_id', '=', accountId)
              .where('uuid', 'in', chunk)
        ).execute();
        for (const row of rows) current.set(row.uuid, row);
      }
      // New projects are inserted together (one statement per 200, not one each) and their
      // history with everything else at the end: a batch of 100 creates is a few statements.
      const creates = new Map<string, Insertable<ProjectsTable>>();
      const history: PendingHistory[] = [];
      const flushCreates = async () => {
        const values = [...creates.values()];
        creates.clear();
        for (let i = 0; i < values.length; i += 200) {
          const chunk = values.slice(i, i + 200);
          const ids = await trx
            .insertInto('projects')
            .values(chunk)
            .returning(['id', 'uuid'])
            .execute();
          const byUuid = new Map(chunk.map((v) => [v.uuid, v]));
          for (const { id, uuid } of ids) {
            const v = byUuid.get(uuid)!;
            current.set(uuid, { ...(v as Omit<SyncRow, 'id'>), id });
          }
        }
      };
      const conflictRecord = async (row: SyncRow) => {
        const checkouts = await this.checkoutsOf(trx, accountId, [Number(row.id)]);
        return toSyncRecord(row, checkouts.get(Number(row.id)) ?? []);
      };

      const results: PushResult[] = [];
      for (const p of prepared) {
        if ('error' in p) {
          results.push({ uuid: p.uuid, status: 'rejected', error: p.error });
          continue;
        }
        // A second change to a project created earlier in this push needs its stored row.
        if (creates.has(p.uuid)) await flushCreates();
        const row = current.get(p.uuid);
        const state = row && {
          rev: Number(row.rev),
          deleted: row.deleted === 1,
          fields: rowToFields(row),
        };
        const decision = decidePush(state, p);
        switch (decision.action) {
          case 'reject':
            results.push({ uuid: p.uuid, status: 'rejected', error: decision.error });
            break;
          case 'conflict':
            results.push({ uuid: p.uuid, status: 'conflict', current: await conflictRecord(row!) });
            break;
          case 'unchanged':
            results.push({
              uuid: p.uuid,
              status: 'applied',
              rev: Number(row!.rev),
              seq: Number(row!.seq),
            });
            break;
          case 'create': {
            const rev = revs.next();
            creates.set(p.uuid, {
              account_id: accountId,
              uuid: p.uuid,
              rev,
              seq: rev,
              deleted: 0,
              path: null,
              ...fieldsToRow(p.fields!),
            });
            history.push({ uuid: p.uuid, seq: rev, kind: 'created', fields: [] });
            results.push({ uuid: p.uuid, status: 'applied', rev, seq: rev });
            break;
          }
          case 'update':
          case 'delete': {
            const rev = revs.next();
            const set =
              decision.action === 'update'
                ? { ...fieldsToRow(p.fields!), rev, seq: rev }
                : { deleted: 1, rev, seq: rev };
            const updated = await trx
              .updateTable('projects')
              .set(set)
              .where('id', '=', row!.id)
              .returning(SYNC_COLUMNS)
              .executeTakeFirstOrThrow();
            current.set(p.uuid, updated);
            history.push({
              uuid: p.uuid,
              seq: rev,
              kind: decision.action === 'update' ? 'updated' : 'deleted',
              fields:
                decision.action === 'update' ? changedFields(rowToFields(row!), p.fields!) : [],
            });
            results.push({ uuid: p.uuid, status: 'applied', rev, seq: rev });
            break;
          }
        }
      }
      await flushCreates();

      const checkouts = await this.applyCheckouts(trx, accountId, revs, input, current, {
        history,
        stamp,
      });
      // The push's history, checkout entries included, is written last: on PostgreSQL its last
      // statement also saves the account's new head.
      await this.insertHistory(
        trx,
        accountId,
        source,
        stamp,
        history.map((h) => ({ ...h, projectId: Number(current.get(h.uuid)!.id) })),
        revs,
      );
      return { results, checkouts, head: revs.head };
    });
  }

  /**
   * Applies the pushing machine's checkout changes in order, in batches: a batch costs a
   * constant number of statements (not 3 or 4 per change), which matters while the account's
   * lock is held. Each change is decided in memory against the machine's checkouts as the
   * changes before it left them, so results are those of applying them one by one.
   */
  private async applyCheckouts(
    trx: Db,
    accountId: number,
    revs: Revisions,
    input: PushInput,
    current: Map<string, SyncRow>,
    push: PushLog,
  ): Promise<CheckoutResult[]> {
    const results: CheckoutResult[] = [];
    for (let i = 0; i < input.checkouts.length; i += CHECKOUT_BATCH) {
      const batch = input.checkouts.slice(i, i + CHECKOUT_BATCH);
      results.push(
        ...(await this.applyCheckoutBatch(
          trx,
          accountId,
          revs,
          input.machine,
          batch,
          current,
          push,
        )),
      );
    }
    return results;
  }

  /** One batch of `applyCheckouts`: reads the machine's checkouts, decides, then writes. */
  private async applyCheckoutBatch(
    trx: Db,
    accountId: number,
    revs: Revisions,
    machine: MachineRef,
    batch: CheckoutChange[],
    current: Map<string, SyncRow>,
    push: PushLog,
  ): Promise<CheckoutResult[]> {
    const known = batch.flatMap((c) => current.get(c.uuid.toLowerCase()) ?? []);
    const before = await this.checkoutPaths(trx, machine.id, [
      ...new Set(known.map((r) => Number(r.id))),
    ]);
    const state: CheckoutState = { paths: new Map(before), touched: new Set(), seqs: new Map() };
    const results = batch.map((change) => {
      const uuid = change.uuid.toLowerCase();
      const row = current.get(uuid);
      if (!row) return { uuid: change.uuid, status: 'rejected', error: 'unknown project' } as const;
      const decided = KyselyStorage.decideCheckout(state, row, change);
      if ('result' in decided) return decided.result;
      if (decided.what === undefined)
        return { uuid: row.uuid, status: 'applied', seq: Number(row.seq) } as const;
      const seq = revs.next();
      // Later checkout changes of the same project must see its new seq.
      current.set(uuid, { ...row, seq });
      state.seqs.set(Number(row.id), seq);
      push.history.push({ uuid, seq, kind: 'checkout', fields: [decided.what] });
      return { uuid: row.uuid, status: 'applied', seq } as const;
    });
    await this.writeCheckouts(trx, accountId, machine.id, push.stamp, before, state);
    return results;
  }

  /**
   * Decides one checkout change against the machine's checkouts so far and records it in
   * `state`: a rejection, or what changed ('added', 'moved', 'removed'; undefined when nothing
   * did, where a path still counts as seen again).
   */
  private static decideCheckout(
    state: CheckoutState,
    row: Pick<ProjectRow, 'id' | 'uuid'>,
    change: CheckoutChange,
  ): { result: CheckoutResult } | { what: CheckoutChangeKind | undefined } {
    const uuid = row.uuid;
    const projectId = Number(row.id);
    const existing = state.paths.get(projectId);
    if (change.removed === true) {
      state.paths.delete(projectId);
      state.touched.add(projectId);
      return { what: existing === undefined ? undefined : 'removed' };
    }
    if (change.path === undefined)
      return { result: { uuid, status: 'rejected', error: 'path (or removed: true) is required' } };
    const problem = checkoutPathProblem(change.path);
    if (problem) return { result: { uuid, status: 'rejected', error: problem } };
    state.paths.set(projectId, change.path);
    state.touched.add(projectId);
    if (existing === change.path) return { what: undefined };
    return { what: existing === undefined ? 'added' : 'moved' };
  }

  /** The machine's checkout paths of the given projects, keyed by project id. */
  private async checkoutPaths(
    trx: Db,
    machineId: string,
    projectIds: number[],
  ): Promise<Map<number, string>> {
    if (projectIds.length === 0) return new Map();
    const rows = await trx
      .selectFrom('checkouts')
      .select(['project_id', 'path'])
      .where('machine_id', '=', machineId)
      .where('project_id', 'in', projectIds)
      .execute();
    return new Map(rows.map((r) => [Number(r.project_id), r.path]));
  }

  /**
   * Writes a decided batch: one DELETE for the checkouts it removed, one upsert for those it
   * left in place (every path pushed is seen again now, changed or not) and one UPDATE of the
   * changed projects' seqs (only each project's last one counts).
   */
  private async writeCheckouts(
    trx: Db,
    accountId: number,
    machineId: string,
    stamp: string,
    before: Map<number, string>,
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
      return [
        { account_id: accountId, project_id: id, machine_id: machineId, path, last_seen: stamp },
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

  async machines(accountId: number): Promise<MachinesResponse> {
    const rows = await this.db
      .selectFrom('machines')
      .leftJoin('checkouts', (j) =>
        j
          .onRef('checkouts.account_id', '=', 'machines.account_id')
          .onRef('checkouts.machine_id', '=', 'machines.machine_id'),
      )
      .select(['machines.machine_id', 'machines.name', 'machines.last_sync'])
      .select((eb) => eb.fn.count<number>('checkouts.project_id').as('checkouts'))
      .where('machines.account_id', '=', accountId)
      .groupBy(['machines.machine_id', 'machines.name', 'machines.last_sync'])
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

  // ---- dashboard ----

  async createSession(accountId: number, tokenHash: string, expiresAt: Date): Promise<void> {
    const stamp = now();
    await this.db.deleteFrom('sessions').where('expires_at', '<=', stamp).execute();
    await this.db
      .insertInto('sessions')
      .values({
        account_id: accountId,
        token_hash: tokenHash,
        created_at: stamp,
        expires_at: expiresAt.toISOString(),
      })
      .execute();
  }

  async accountForSession(tokenHash: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .select('account_id')
      .where('token_hash', '=', tokenHash)
      .where('expires_at', '>', now())
      .executeTakeFirst();
    return row ? Number(row.account_id) : undefined;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  }

  async accountName(accountId: number): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('accounts')
      .select('name')
      .where('id', '=', accountId)
      .executeTakeFirst();
    return row?.name;
  }

  /** The account's live projects narrowed by the dashboard's search and filters. */
  private dashboardFiltered(accountId: number, q: DashboardQuery) {
    let query = this.db
      .selectFrom('projects')
      .where('account_id', '=', accountId)
      .where('deleted', '=', 0);
    if (q.status) query = query.where('status', '=', q.status);
    if (q.project_type) query = query.where('project_type', '=', q.project_type);
    if (q.tag) {
      // Tags are a JSON array of normalised strings: the quoted tag is an exact element match.
      const pattern = `%${JSON.stringify(q.tag.toLowerCase()).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
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

  async dashboardProjects(accountId: number, q: DashboardQuery): Promise<DashboardPage> {
    const perPage = Math.min(Math.max(q.per_page ?? 50, 1), 200);
    const page = Math.max(q.page ?? 1, 1);
    const filtered = this.dashboardFiltered(accountId, q);
    const counted = await filtered
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const direction = q.order === 'desc' ? sql`desc` : sql`asc`;
    const rows = await filtered
      .selectAll()
      .orderBy(sql`${SORT_COLUMNS[q.sort ?? 'name']} ${direction}`)
      .orderBy('id')
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute();
    const projects = (await this.withCheckouts(this.db, accountId, rows)).map((p) =>
      toStored(p.row, p.checkouts),
    );
    return { total: Number(counted.n), page, per_page: perPage, projects };
  }

  async dashboardTags(accountId: number): Promise<string[]> {
    const rows = await this.db
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

  async projectByUuid(accountId: number, uuid: string): Promise<StoredProject | undefined> {
    if (!isUuid(uuid)) return undefined;
    const row = await this.db
      .selectFrom('projects')
      .select('id')
      .where('account_id', '=', accountId)
      .where('uuid', '=', uuid.toLowerCase())
      .where('deleted', '=', 0)
      .executeTakeFirst();
    return row ? this.loadStored(this.db, accountId, Number(row.id)) : undefined;
  }

  async projectHistory(
    accountId: number,
    projectId: number,
    limit: number,
  ): Promise<HistoryEntry[]> {
    const rows = await this.db
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

  async editProject(
    accountId: number,
    uuid: string,
    baseRev: number,
    edits: DashboardEdits,
  ): Promise<EditOutcome> {
    if (!isUuid(uuid)) return { kind: 'not_found' };
    return this.inAccount(accountId, async (trx, revs): Promise<EditOutcome> => {
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
      const problem = fieldsProblem(fields);
      if (problem) return { kind: 'invalid', error: problem };
      const id = Number(row.id);
      // The same compare-and-swap decision as a sync push: a stale base is never overwritten.
      const decision = decidePush(
        { rev: Number(row.rev), deleted: false, fields: current },
        {
          base_rev: baseRev,
          fields,
        },
      );
      if (decision.action === 'conflict')
        return { kind: 'conflict', project: await this.loadStored(trx, accountId, id) };
      if (decision.action === 'update') {
        const rev = revs.next();
        await trx
          .updateTable('projects')
          .set({ ...fieldsToRow(fields), rev, seq: rev })
          .where('id', '=', id)
          .execute();
        const changed = changedFields(current, fields);
        await this.recordHistory(trx, accountId, id, rev, DASHBOARD_SOURCE, 'updated', changed);
      }
      return { kind: 'applied', project: await this.loadStored(trx, accountId, id) };
    });
  }
}
