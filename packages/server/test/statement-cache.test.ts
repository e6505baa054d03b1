import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from '../src/storage/statement-cache.js';

describe('SQLite statement cache', () => {
  const connection = new BetterSqlite3(':memory:');
  afterEach(() => {
    connection.exec('drop table if exists t');
  });
  afterAll(() => connection.close());

  it('hands back the same prepared statement for the same SQL, and it still runs', () => {
    const db = withStatementCache(connection);
    db.prepare('create table t (n integer)').run([]);
    const insert = db.prepare('insert into t (n) values (?)');
    expect(db.prepare('insert into t (n) values (?)')).toBe(insert);
    insert.run([1]);
    db.prepare('insert into t (n) values (?)').run([2]);
    expect(db.prepare('select n from t order by n').all([])).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('keeps at most `max` statements, dropping the least recently used', () => {
    const db = withStatementCache(connection, 2);
    const a = db.prepare('select 1');
    const b = db.prepare('select 2');
    expect(db.prepare('select 1')).toBe(a); // now "select 2" is the least recent
    db.prepare('select 3');
    expect(db.prepare('select 1')).toBe(a);
    expect(db.prepare('select 2')).not.toBe(b);
  });

  it('reads rows as objects keyed by column, as better-sqlite3 would, also from RETURNING', () => {
    const db = withStatementCache(connection);
    db.prepare('create table t (n integer, s text, "odd ""name""" text)').run([]);
    const inserted = db
      .prepare('insert into t (n, s, "odd ""name""") values (?, ?, ?), (?, ?, ?) returning n, s')
      .all([1, 'a', 'x', 2, null, 'y']);
    expect(inserted).toEqual([
      { n: 1, s: 'a' },
      { n: 2, s: null },
    ]);
    const sql = 'select n, s, "odd ""name""", n * 10 as n from t order by rowid';
    const expected = connection.prepare(sql).all();
    expect(expected).toEqual([
      { n: 10, s: 'a', 'odd "name"': 'x' },
      { n: 20, s: null, 'odd "name"': 'y' },
    ]);
    expect(db.prepare(sql).all([])).toEqual(expected);
    expect([...db.prepare(sql).iterate([])]).toEqual(expected);
    expect(db.prepare('select n from t where n > ?').all([5])).toEqual([]);
  });
});
