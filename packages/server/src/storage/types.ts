/**
 * The storage's interfaces, by role: each route and admin command takes only the role it uses
 * (AccountStore, ProjectApiStore, ...), and `Storage`, what `openStorage` returns, is all of
 * them. One implementation serves both backends (kysely-storage.ts); backend-specific SQL
 * stays behind these.
 */
import type {
  ChangesResponse,
  Checkout,
  DigestResponse,
  MachineRef,
  MachinesResponse,
  PushResponse,
  SharedFields,
  WipResponse,
} from '@dev-infra/core';

export type Dialect = 'sqlite' | 'postgres';

/** How a storage behaves beyond where its data is. */
export interface StorageOptions {
  /** How long a key found live is trusted without a query, ms (0: ask every time); default 5 s. */
  keyCacheTtlMs?: number;
}

/** An account (a user) as the admin commands list it. */
export interface AccountInfo {
  id: number;
  name: string;
  created_at: string;
  /** Keys that are not revoked. */
  active_keys: number;
}

/** A key to store: only its hash and a display prefix, never the key. */
export interface NewKey {
  hash: string;
  prefix: string;
  label: string | null;
}

/** A stored key as `key list` shows it. */
export interface KeyInfo {
  prefix: string;
  label: string | null;
  created_at: string;
  revoked_at: string | null;
}

/** One project with its revisions, its legacy path and every machine's checkout. */
export interface StoredProject {
  id: number;
  uuid: string;
  rev: number;
  seq: number;
  deleted: boolean;
  fields: SharedFields;
  /** The path set through the original API, if any. */
  path: string | null;
  /** Most recently seen first. */
  checkouts: Checkout[];
}

/** Filters of `GET /api/projects`. */
export interface ProjectFilter {
  status?: string;
  organization?: string;
  classification?: string;
  project_type?: string;
  /** Case-insensitive substring of name, description or remote_url. */
  search?: string;
}

/** A write through the original API: any editable field, plus our uuid and the legacy path. */
export type ProjectInput = Partial<
  Pick<
    SharedFields,
    | 'name'
    | 'description'
    | 'remote_url'
    | 'project_type'
    | 'status'
    | 'classification'
    | 'organization'
    | 'tags'
    | 'template'
    | 'template_version'
  >
> & { uuid?: string; path?: string | null };

/** What a create or update through the original API came to. */
export type WriteOutcome =
  | { kind: 'ok'; project: StoredProject }
  | { kind: 'not_found' }
  | { kind: 'invalid'; error: string }
  | { kind: 'conflict'; error: string };

/** `POST /api/projects/import` result. */
export interface ImportOutcome {
  imported: number;
  skipped: number;
  errors: string[];
}

/** A push as the route hands it over: records are checked one by one by the storage. */
export interface PushInput {
  machine: MachineRef;
  /** `fields` and `stamps` are checked per change (a bad one rejects that change alone). */
  changes: {
    uuid: string;
    base_rev: number;
    fields?: unknown;
    deleted?: boolean;
    stamps?: unknown;
  }[];
  /** `git` is checked per change (a bad state rejects that change alone): unknown here. */
  checkouts: { uuid: string; path?: string; removed?: boolean; git?: unknown }[];
}

/** Sort keys of the dashboard's projects table. */
export const DASHBOARD_SORTS = ['name', 'updated', 'status', 'type'] as const;
export type DashboardSort = (typeof DASHBOARD_SORTS)[number];

/** The dashboard's search, filters, order and page; every part optional. */
export interface DashboardQuery {
  /** Case-insensitive substring of name, description, remote URL or a tag. */
  q?: string;
  /** Only projects with a checkout on this machine (id). */
  machine?: string;
  /** Only projects carrying this tag. */
  tag?: string;
  status?: string;
  project_type?: string;
  /** Only projects no machine holds a checkout of. */
  orphan?: boolean;
  sort?: DashboardSort;
  order?: 'asc' | 'desc';
  /** 1-based. */
  page?: number;
  per_page?: number;
}

/** One page of the dashboard's projects table. */
export interface DashboardPage {
  total: number;
  page: number;
  per_page: number;
  projects: StoredProject[];
}

/** One entry of a project's history, newest first. */
export interface HistoryEntry {
  seq: number;
  at: string;
  /** The machine's name, "dashboard", or "api". */
  source: string;
  kind: 'created' | 'updated' | 'deleted' | 'restored' | 'checkout';
  /** Changed field names; for a checkout, "added", "moved" or "removed". */
  fields: string[];
}

/** The fields the dashboard edits. */
export type DashboardEdits = Partial<
  Pick<SharedFields, 'description' | 'tags' | 'project_type' | 'status'>
>;

/** What a dashboard edit came to: applied, refused as stale (with the current record), ... */
export type EditOutcome =
  | { kind: 'applied'; project: StoredProject }
  | { kind: 'conflict'; project: StoredProject }
  | { kind: 'not_found' }
  | { kind: 'invalid'; error: string };

/** Result of revoking a key by its prefix. */
export type RevokeOutcome = 'revoked' | 'not_found' | 'ambiguous';

/** Opening and closing the database. */
export interface StorageLifecycle {
  readonly dialect: Dialect;
  /** Applies pending migrations (safe to call from several instances at once). */
  migrate(): Promise<void>;
  /** The database's id (server_identity): new for a new database, kept by a backup. */
  serverId(): Promise<string>;
  /** Closes the database cleanly. */
  close(): Promise<void>;
}

/** Accounts and their API keys: the admin commands, and the first account at first start. */
export interface AccountStore {
  /** Creates an account; undefined when the name is taken. */
  createAccount(name: string): Promise<AccountInfo | undefined>;
  findAccount(name: string): Promise<AccountInfo | undefined>;
  listAccounts(): Promise<AccountInfo[]>;
  /** Creates `name` with `key` only when no account exists yet; true when it did. */
  createFirstAccount(name: string, key: NewKey): Promise<boolean>;
  addKey(accountId: number, key: NewKey): Promise<void>;
  listKeys(accountId: number): Promise<KeyInfo[]>;
  revokeKey(prefix: string): Promise<RevokeOutcome>;
}

/** Who a request is: the account of an API key or of a dashboard session (the auth hook). */
export interface CredentialStore {
  /** The account a key (by hash) belongs to, unless unknown or revoked. */
  accountForKey(hash: string): Promise<number | undefined>;
  /** The account of a live (unexpired) session. */
  accountForSession(tokenHash: string): Promise<number | undefined>;
}

/** The dashboard's sign-in: a key becomes a session, and the header shows the account. */
export interface SessionStore extends CredentialStore {
  /** Stores a sign-in session (by token hash) and drops expired ones. */
  /** `keyHash`: the key signing in; the session lives only while that key does. */
  createSession(
    accountId: number,
    tokenHash: string,
    expiresAt: Date,
    keyHash: string,
  ): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  /** The account's name (for the dashboard's header). */
  accountName(accountId: number): Promise<string | undefined>;
}

/** The original API's projects (`/api/projects`), by integer id. */
export interface ProjectApiStore {
  listProjects(accountId: number, filter: ProjectFilter): Promise<StoredProject[]>;
  /** Changes whenever `listProjects` may answer differently (see projects-api.ts). */
  listVersion(accountId: number): Promise<{ version: string; newest: string | null }>;
  /** A live (not deleted) project by its integer id. */
  getProject(accountId: number, id: number): Promise<StoredProject | undefined>;
  createProject(accountId: number, input: ProjectInput): Promise<WriteOutcome>;
  updateProject(accountId: number, id: number, input: ProjectInput): Promise<WriteOutcome>;
  /** Leaves a tombstone; false when there is no live project with that id. */
  deleteProject(accountId: number, id: number): Promise<boolean>;
  importProjects(accountId: number, items: unknown[]): Promise<ImportOutcome>;
}

/** The sync feed (`GET /api/sync/changes`). */
export interface FeedStore {
  /**
   * Records changed after `since`, in revision order; records that `machine` synced; with
   * `withDigest`, the account's digest on the last page.
   */
  changes(
    accountId: number,
    since: number,
    limit: number,
    machine?: MachineRef,
    withDigest?: boolean,
  ): Promise<ChangesResponse>;
  /** The account's digest (core's accountDigest) and the head it was taken at. */
  digest(accountId: number): Promise<DigestResponse>;
}

/** The sync push (`POST /api/sync/push`). */
export interface PushStore {
  /** Applies one machine's record changes (compare-and-swap each) and checkout changes. */
  push(accountId: number, input: PushInput): Promise<PushResponse>;
}

/** The account's machines (`GET /api/machines`). */
export interface MachineStore {
  machines(accountId: number): Promise<MachinesResponse>;
}

/** The dashboard's projects table, project page and edits. */
export interface DashboardStore {
  /** Searches, filters, sorts and pages the account's live projects. */
  dashboardProjects(accountId: number, query: DashboardQuery): Promise<DashboardPage>;
  /** Every distinct tag of the account's live projects, sorted. */
  dashboardTags(accountId: number): Promise<string[]>;
  /** A live project by uuid. */
  projectByUuid(accountId: number, uuid: string): Promise<StoredProject | undefined>;
  /** The project's latest changes, newest first. */
  projectHistory(accountId: number, projectId: number, limit: number): Promise<HistoryEntry[]>;
  /** The checkouts with work in progress (or an unknown git state), by machine. */
  dashboardWip(accountId: number): Promise<WipResponse>;
  /** Applies a dashboard edit with the sync push's compare-and-swap against `baseRev`. */
  editProject(
    accountId: number,
    uuid: string,
    baseRev: number,
    edits: DashboardEdits,
  ): Promise<EditOutcome>;
}

/** Everything work-prod keeps, per account: every role over one database. */
export interface Storage
  extends StorageLifecycle,
    AccountStore,
    SessionStore,
    ProjectApiStore,
    FeedStore,
    PushStore,
    MachineStore,
    DashboardStore {}
