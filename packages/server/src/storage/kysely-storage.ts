/**
 * The Storage interface over a backend: each role's methods are the functions of its file,
 * bound to the backend. The SQL is written once, in Kysely's typed builder, for SQLite and
 * PostgreSQL alike; a backend (sqlite.ts, postgres.ts) only supplies its connection, how it
 * runs a write transaction and how it takes locks.
 */
import type { Kysely } from 'kysely';
import * as accounts from './accounts.js';
import type { Backend } from './backend.js';
import { machines } from './checkouts.js';
import * as dashboard from './dashboard.js';
import { digest } from './digest.js';
import { changes } from './feed.js';
import { KeyCache } from './key-cache.js';
import { migrateToLatest } from './migrations/index.js';
import * as projects from './projects-api.js';
import { push } from './push.js';
import type { Storage, StorageOptions } from './types.js';

/** The storage over `backend`, with this process's cache of live keys. */
export function kyselyStorage(backend: Backend, options: StorageOptions = {}): Storage {
  // Recently seen live keys (see key-cache.ts for how long a revoked key may still pass).
  const keys = new KeyCache(options.keyCacheTtlMs);
  const b = backend;
  // The database's id, read once: it never changes while the database is open (a restore means
  // a restart). Read on first use because the storage opens before it is migrated.
  let id: string | undefined;
  const serverId = async (): Promise<string> => {
    id ??= (await b.db.selectFrom('server_identity').select('server_id').executeTakeFirstOrThrow())
      .server_id;
    return id;
  };
  return {
    dialect: b.dialect,
    migrate: async () => {
      await migrateToLatest(b.db as Kysely<unknown>, b.dialect);
      await serverId();
    },
    serverId,
    close: () => b.db.destroy(),

    createAccount: (name) => accounts.createAccount(b, name),
    findAccount: (name) => accounts.findAccount(b, name),
    listAccounts: () => accounts.listAccounts(b),
    createFirstAccount: (name, key) => accounts.createFirstAccount(b, name, key),
    addKey: (accountId, key) => accounts.addKey(b, accountId, key),
    listKeys: (accountId) => accounts.listKeys(b, accountId),
    revokeKey: (prefix) => accounts.revokeKey(b, keys, prefix),

    accountForKey: (hash) => accounts.accountForKey(b, keys, hash),
    accountForSession: (tokenHash) => accounts.accountForSession(b, tokenHash),
    createSession: (accountId, tokenHash, expiresAt, keyHash) =>
      accounts.createSession(b, accountId, tokenHash, expiresAt, keyHash),
    deleteSession: (tokenHash) => accounts.deleteSession(b, tokenHash),
    accountName: (accountId) => accounts.accountName(b, accountId),

    listProjects: (accountId, filter) => projects.listProjects(b, accountId, filter),
    listVersion: (accountId) => projects.listVersion(b, accountId),
    getProject: (accountId, id) => projects.getProject(b, accountId, id),
    createProject: (accountId, input) => projects.createProject(b, accountId, input),
    updateProject: (accountId, id, input) => projects.updateProject(b, accountId, id, input),
    deleteProject: (accountId, id) => projects.deleteProject(b, accountId, id),
    importProjects: (accountId, items) => projects.importProjects(b, accountId, items),

    changes: async (accountId, since, limit, machine, withDigest) =>
      changes(b, accountId, since, limit, await serverId(), machine, withDigest),
    digest: async (accountId) => digest(b, accountId, await serverId()),
    push: async (accountId, input) => push(b, accountId, input, await serverId()),
    machines: (accountId) => machines(b, accountId),

    dashboardProjects: (accountId, query) => dashboard.dashboardProjects(b, accountId, query),
    dashboardTags: (accountId) => dashboard.dashboardTags(b, accountId),
    projectByUuid: (accountId, uuid) => dashboard.projectByUuid(b, accountId, uuid),
    dashboardWip: (accountId) => dashboard.dashboardWip(b, accountId),
    projectHistory: (accountId, projectId, limit) =>
      dashboard.projectHistory(b, accountId, projectId, limit),
    editProject: (accountId, uuid, baseRev, edits) =>
      dashboard.editProject(b, accountId, uuid, baseRev, edits),
  };
}
