/**
 * What the storage functions run over: a backend (SQLite or PostgreSQL behind one Kysely
 * connection) and the account-scoped write transaction every change goes through. The SQL in
 * the other files is written once for both databases; only how a write transaction starts and
 * how locks are taken differ, and those live here and in sqlite.ts / postgres.ts.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { Dialect } from './types.js';

export type Db = Kysely<Database>;

/** What a backend provides to the shared storage. */
export interface Backend {
  dialect: Dialect;
  db: Db;
  /** Runs `fn` in a transaction that already holds the database's write lock where needed. */
  writeTransaction<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  /** Serialises account bootstrap across instances (a no-op where writes are serialised). */
  lockGlobal(trx: Db): Promise<void>;
}

/** The time a change is stamped with, as stored (ISO 8601, UTC). */
export const now = () => new Date().toISOString();

/**
 * Hands out the account's next revisions inside one locked transaction. Every change takes the
 * next one, so revisions are unique and increasing per account: the feed's cursor relies on it.
 */
export class Revisions {
  /**
   * The head as written to the account's row; `inAccount` writes it if `head` moved on. A
   * statement that saves the head itself (push.ts, on PostgreSQL) sets it, saving a round trip.
   */
  saved: number;
  constructor(public head: number) {
    this.saved = head;
  }
  next(): number {
    this.head += 1;
    return this.head;
  }
}

/**
 * Runs `fn` with the account locked; every revision it takes is saved with its writes. The
 * lock is what makes a compare-and-swap see the last write: SQLite's BEGIN IMMEDIATE serialises
 * every writer of the file, PostgreSQL's row lock every writer of one account (across
 * instances), while other accounts go on in parallel.
 */
export function inAccount<T>(
  backend: Backend,
  accountId: number,
  fn: (trx: Db, revs: Revisions) => Promise<T>,
): Promise<T> {
  return backend.writeTransaction(async (trx) => {
    let query = trx.selectFrom('accounts').select('revision').where('id', '=', accountId);
    if (backend.dialect === 'postgres') query = query.forUpdate();
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
