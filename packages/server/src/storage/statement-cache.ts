/**
 * Kysely's SQLite driver prepares every query anew; preparing (parsing and planning the SQL)
 * was the largest single cost of a small request in the throughput benchmark. Queries are
 * built from a handful of shapes, so keeping the prepared statements by their SQL text lets
 * SQLite reuse them.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/**
 * The connection as Kysely sees it, with the `max` most recently used statements kept.
 * Not for streamed queries: a statement still being iterated cannot run a second query, and
 * work-prod streams none.
 */
export function withStatementCache(connection: BetterSqlite3.Database, max = 200): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => connection.close(),
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement) {
        // Map keeps insertion order: move it to the end, so the first key is the least recent.
        cache.delete(sql);
      } else {
        statement = connection.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}
