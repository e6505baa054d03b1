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
  // WAL with synchronous=NORMAL: a commit appends to the WAL without waiting for the disk (the
  // WAL is synced at checkpoints), which makes a commit several times cheaper than FULL. The
  // database stays consistent whatever happens, and a crash of work-prod itself loses nothing
  // (the WAL is in the OS's cache); only a power cut or OS crash can undo the last commits
  // before a checkpoint. PostgreSQL keeps its default (synchronous_commit = on): there a
  // commit waits for the WAL flush.
  connection.pragma('synchronous = NORMAL');
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
