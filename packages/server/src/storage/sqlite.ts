/** SQLite backend: one file, WAL, writes serialised with BEGIN IMMEDIATE. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { kyselyStorage } from './kysely-storage.js';
import type { Database } from './schema.js';
import { withStatementCache } from './statement-cache.js';
import type { Storage, StorageOptions } from './types.js';

/** Opens (creating if needed) the SQLite database at `file`. */
export function openSqlite(file: string, options: StorageOptions = {}): Storage {
  mkdirSync(dirname(file), { recursive: true });
  const connection = new BetterSqlite3(file);
  connection.pragma('journal_mode = WAL');
  // Another process (an admin command) may hold the write lock briefly: wait, don't fail.
  connection.pragma('busy_timeout = 10000');
  connection.pragma('foreign_keys = ON');
  // A commit acknowledged to a client must survive a power cut: once a client's cursor has
  // passed a revision it never asks for it again, so a lost commit is a silent rollback. FULL
  // in WAL syncs the WAL at every commit. WORK_PROD_SQLITE_SYNCHRONOUS=normal trades that for
  // cheaper commits (synced only at checkpoints; a crash of work-prod itself still loses
  // nothing, only a power cut or OS crash can). PostgreSQL keeps synchronous_commit = on.
  const mode =
    process.env.WORK_PROD_SQLITE_SYNCHRONOUS?.toLowerCase() === 'normal' ? 'NORMAL' : 'FULL';
  connection.pragma(`synchronous = ${mode}`);
  // Statement journals (SQLite's undo log for one statement inside a transaction: each
  // multi-row INSERT of a push writes one) and temporary sort tables are kept in memory, not in
  // an unlinked temporary file: a push of 100 creates made about 40% fewer pwrite() calls and
  // spent about a third less system time. Crash recovery never reads either (it reads the WAL),
  // so durability is unchanged; the memory is bounded by the pages one statement touches.
  connection.pragma('temp_store = MEMORY');
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(connection) }),
  });
  return kyselyStorage(
    {
      dialect: 'sqlite',
      db,
      // IMMEDIATE takes the write lock up front, so a read-then-write never fails to upgrade.
      writeTransaction: (fn) =>
        db.connection().execute(async (conn) => {
          await sql`begin immediate`.execute(conn);
          try {
            const result = await fn(conn);
            await sql`commit`.execute(conn);
            return result;
          } catch (error) {
            // Keep the original error even if the rollback fails too (e.g. the commit was busy).
            await sql`rollback`.execute(conn).catch(() => {});
            throw error;
          }
        }),
      lockGlobal: async () => {},
    },
    options,
  );
}
