/**
 * Accounts, their API keys and the dashboard's sign-in sessions: who a request is. Keys and
 * session tokens are stored only as hashes; a key found live is remembered for a few seconds
 * (key-cache.ts), which is why revoking goes through here.
 */
import { type Backend, type Db, now } from './backend.js';
import type { KeyCache } from './key-cache.js';
import type { AccountInfo, KeyInfo, NewKey, RevokeOutcome } from './types.js';

/** Accounts with their count of live keys. */
function accountQuery(db: Db) {
  return db
    .selectFrom('accounts')
    .leftJoin('api_keys', (j) =>
      j.onRef('api_keys.account_id', '=', 'accounts.id').on('api_keys.revoked_at', 'is', null),
    )
    .select(['accounts.id', 'accounts.name', 'accounts.created_at'])
    .select((eb) => eb.fn.count<number>('api_keys.id').as('active_keys'))
    .groupBy(['accounts.id', 'accounts.name', 'accounts.created_at']);
}

function toAccount(row: {
  id: number;
  name: string;
  created_at: string;
  active_keys: number | string | bigint;
}): AccountInfo {
  return { ...row, id: Number(row.id), active_keys: Number(row.active_keys) };
}

// ---- accounts ----

export async function createAccount(
  backend: Backend,
  name: string,
): Promise<AccountInfo | undefined> {
  const created = await backend.writeTransaction(async (trx) => {
    // Names are unique: the global lock keeps two instances from both finding it free.
    await backend.lockGlobal(trx);
    const existing = await trx
      .selectFrom('accounts')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirst();
    if (existing) return false;
    await trx.insertInto('accounts').values({ name, revision: 0, created_at: now() }).execute();
    return true;
  });
  return created ? findAccount(backend, name) : undefined;
}

export async function findAccount(
  backend: Backend,
  name: string,
): Promise<AccountInfo | undefined> {
  const row = await accountQuery(backend.db).where('accounts.name', '=', name).executeTakeFirst();
  return row ? toAccount(row) : undefined;
}

export async function listAccounts(backend: Backend): Promise<AccountInfo[]> {
  const rows = await accountQuery(backend.db).orderBy('accounts.name').execute();
  return rows.map(toAccount);
}

export async function createFirstAccount(
  backend: Backend,
  name: string,
  key: NewKey,
): Promise<boolean> {
  return backend.writeTransaction(async (trx) => {
    // Several instances may start at once on one PostgreSQL: only one makes the first account.
    await backend.lockGlobal(trx);
    const any = await trx.selectFrom('accounts').select('id').limit(1).executeTakeFirst();
    if (any) return false;
    const account = await trx
      .insertInto('accounts')
      .values({ name, revision: 0, created_at: now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await insertKey(trx, Number(account.id), key);
    return true;
  });
}

export async function accountName(
  backend: Backend,
  accountId: number,
): Promise<string | undefined> {
  const row = await backend.db
    .selectFrom('accounts')
    .select('name')
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row?.name;
}

// ---- keys ----

async function insertKey(db: Db, accountId: number, key: NewKey): Promise<void> {
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

export async function addKey(backend: Backend, accountId: number, key: NewKey): Promise<void> {
  await insertKey(backend.db, accountId, key);
}

export async function listKeys(backend: Backend, accountId: number): Promise<KeyInfo[]> {
  return backend.db
    .selectFrom('api_keys')
    .select(['prefix', 'label', 'created_at', 'revoked_at'])
    .where('account_id', '=', accountId)
    .orderBy('id')
    .execute();
}

export async function revokeKey(
  backend: Backend,
  keys: KeyCache,
  prefix: string,
): Promise<RevokeOutcome> {
  const outcome = await backend.writeTransaction(async (trx): Promise<RevokeOutcome> => {
    const found = await trx
      .selectFrom('api_keys')
      .select('id')
      .where('prefix', '=', prefix)
      .where('revoked_at', 'is', null)
      .execute();
    if (found.length === 0) return 'not_found';
    if (found.length > 1) return 'ambiguous';
    await trx
      .updateTable('api_keys')
      .set({ revoked_at: now() })
      .where('id', '=', found[0]!.id)
      .execute();
    return 'revoked';
  });
  // After the commit: a look-up racing the revocation cannot re-add the key (see KeyCache).
  if (outcome === 'revoked') keys.clear();
  return outcome;
}

export async function accountForKey(
  backend: Backend,
  keys: KeyCache,
  hash: string,
): Promise<number | undefined> {
  const cached = keys.get(hash);
  if (cached !== undefined) return cached;
  const begun = keys.begin();
  const row = await backend.db
    .selectFrom('api_keys')
    .select('account_id')
    .where('key_hash', '=', hash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const accountId = Number(row.account_id);
  keys.set(hash, accountId, begun);
  return accountId;
}

// ---- sessions ----

export async function createSession(
  backend: Backend,
  accountId: number,
  tokenHash: string,
  expiresAt: Date,
  keyHash: string,
): Promise<void> {
  const stamp = now();
  // Expired sessions are dropped here, at sign-in, so no sweeper is needed.
  await backend.db.deleteFrom('sessions').where('expires_at', '<=', stamp).execute();
  await backend.db
    .insertInto('sessions')
    .values({
      account_id: accountId,
      token_hash: tokenHash,
      created_at: stamp,
      expires_at: expiresAt.toISOString(),
      // The key is looked up in the same statement: a key revoked since the sign-in's check
      // leaves null, which the session check refuses.
      key_id: backend.db
        .selectFrom('api_keys')
        .select('id')
        .where('key_hash', '=', keyHash)
        .where('account_id', '=', accountId)
        .where('revoked_at', 'is', null),
    })
    .execute();
}

export async function accountForSession(
  backend: Backend,
  tokenHash: string,
): Promise<number | undefined> {
  // Joined with its key on every request (the session check already costs one query): a
  // revoked key ends its sessions at once, whichever process revoked it. A session without a
  // key (older than migration 0005) matches no key and is refused.
  const row = await backend.db
    .selectFrom('sessions')
    .innerJoin('api_keys', 'api_keys.id', 'sessions.key_id')
    .select('sessions.account_id')
    .where('sessions.token_hash', '=', tokenHash)
    .where('sessions.expires_at', '>', now())
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? Number(row.account_id) : undefined;
}

export async function deleteSession(backend: Backend, tokenHash: string): Promise<void> {
  await backend.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}
