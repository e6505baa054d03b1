/** The database tables as Kysely sees them; identical on SQLite and PostgreSQL. */
import type { Generated } from 'kysely';

export interface AccountsTable {
  id: Generated<number>;
  name: string;
  /** The account's revision counter: every change takes the next value. */
  revision: number;
  created_at: string;
}

export interface ApiKeysTable {
  id: Generated<number>;
  account_id: number;
  /** sha256 of the key, hex; the key itself is never stored. */
  key_hash: string;
  /** The key's first characters, to tell keys apart in listings. */
  prefix: string;
  label: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface ProjectsTable {
  id: Generated<number>;
  account_id: number;
  uuid: string;
  rev: number;
  seq: number;
  /** 0 or 1 (an integer on both backends, so one query shape serves both). */
  deleted: number;
  name: string;
  description: string | null;
  remote_url: string | null;
  /** normaliseRemoteUrl(remote_url), for the import's duplicate check. */
  remote_key: string | null;
  project_type: string | null;
  status: string;
  classification: string | null;
  organization: string | null;
  /** JSON array of strings. */
  tags: string;
  template: string | null;
  template_version: string | null;
  created_at: string;
  updated_at: string;
  /** The path set through the original API (a single-machine notion kept for old clients). */
  path: string | null;
  /** core's RecordStamps as JSON; null on a project written before stamps (migration 0008). */
  stamps: string | null;
}

export interface MachinesTable {
  account_id: number;
  machine_id: string;
  name: string;
  last_sync: string | null;
  /** The registry's incarnation token, from its first push or pull that sent one. */
  incarnation: string | null;
}

export interface CheckoutsTable {
  account_id: number;
  project_id: number;
  machine_id: string;
  path: string;
  last_seen: string;
  /**
   * The machine's last reported git state (migration 0006): canonical JSON of core's GitState
   * (see git-state.ts), null when none was reported.
   */
  git: string | null;
}

export interface SessionsTable {
  id: Generated<number>;
  account_id: number;
  /** sha256 of the session token, hex; the token lives only in the browser's cookie. */
  token_hash: string;
  created_at: string;
  expires_at: string;
  /** The API key that opened the session; null only for sessions older than 0005. */
  key_id: number | null;
}

export interface ProjectHistoryTable {
  id: Generated<number>;
  account_id: number;
  project_id: number;
  /** The account revision the change took (the project's seq after it). */
  seq: number;
  at: string;
  /** The machine's name, "dashboard", or "api" (the original API). */
  source: string;
  /** created | updated | deleted | checkout */
  kind: string;
  /** JSON array of changed field names (for a checkout: the path change, e.g. ["path"]). */
  fields: string;
}

/** The database's identity (migration 0003): one row, `one` = 1. */
export interface ServerIdentityTable {
  one: number;
  /** A random uuid made when the database was created; a backup carries it. */
  server_id: string;
}

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  projects: ProjectsTable;
  machines: MachinesTable;
  checkouts: CheckoutsTable;
  sessions: SessionsTable;
  project_history: ProjectHistoryTable;
  server_identity: ServerIdentityTable;
}
