/**
 * Kysely's SQLite driver prepares every query anew; preparing (parsing and planning the SQL)
 * was the largest single cost of a small request in the throughput benchmark. Queries are
 * built from a handful of shapes, so keeping the prepared statements by their SQL text lets
 * SQLite reuse them.
 *
 * Reads come back as arrays and become objects here, in JS (see `rowMaker` for why).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

type Row = Record<string, unknown>;

/**
 * A function turning a raw row (values in column order) into an object keyed by column, made
 * once per statement with `new Function` so that every row of it is one object literal of one
 * shape. Measured (aa29cd1, `node --cpu-prof` of bench:server's GET /api/sync/changes with
 * 100 changes on SQLite, a route that misses its target: 5% of the bare route's rate in
 * bench/results.md): better-sqlite3 building row objects in native code was about half the
 * time of reading the page; these functions build the same rows about twice as fast.
 */
function rowMaker(columns: string[]): (values: unknown[]) => Row {
  // Later columns win on a repeated name, as better-sqlite3's own objects do.
  const last = new Map(columns.map((name, i) => [name, i]));
  const body = [...last].map(([name, i]) => `${JSON.stringify(name)}: v[${i}]`).join(', ');
  // Column names are quoted by JSON.stringify: the generated source is a plain object literal.
  return new Function('v', `return { ${body} };`) as (values: unknown[]) => Row;
}

/** A prepared statement as Kysely's driver uses it, reading rows as arrays. */
function wrap(statement: BetterSqlite3.Statement): SqliteStatement {
  if (!statement.reader) return statement;
  const make = rowMaker(statement.columns().map((c) => c.name));
  const raw = statement.raw(true);
  return {
    reader: true,
    all: (parameters) => (raw.all(parameters) as unknown[][]).map(make),
    run: (parameters) => raw.run(parameters),
    *iterate(parameters) {
      for (const values of raw.iterate(parameters) as IterableIterator<unknown[]>)
        yield make(values);
    },
  };
}

/**
 * The connection as Kysely sees it, with the `max` most recently used statements kept.
 * Not for streamed queries: a statement still being iterated cannot run a second query, and
 * work-prod streams none.
 */
export function withStatementCache(connection: BetterSqlite3.Database, max = 200): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => connection.close(),
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement) {
        // Map keeps insertion order: move it to the end, so the first key is the least recent.
        cache.delete(sql);
      } else {
        statement = wrap(connection.prepare(sql));
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}
