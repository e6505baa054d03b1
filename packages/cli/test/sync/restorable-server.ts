/**
 * work-prod in this process on a database of its own (a SQLite file, or a PostgreSQL database
 * copied as a template), stopped and started on the same port, so a test can do what an
 * operator does while it is down: keep a backup, put it back, or replace the database.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { DatabaseTarget } from '../../../server/src/config.js';
import { openStorage } from '../../../server/src/storage/open.js';
import type { Storage } from '../../../server/src/storage/types.js';
import { makeApp } from '../../../server/test/helpers.js';

/** work-prod on `target`, listening on `port` (0: any), with a way to stop it. */
export async function serve(target: DatabaseTarget, port = 0) {
  const storage: Storage = await openStorage(target);
  await storage.migrate();
  const app: FastifyInstance = await makeApp(storage);
  await app.listen({ port, host: '127.0.0.1' });
  const bound = (app.server.address() as { port: number }).port;
  return {
    storage,
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    stop: async () => {
      await app.close();
      await storage.close();
    },
  };
}

/** A database of one backend, and what an operator does to it while work-prod is stopped. */
export interface TestDb {
  target: DatabaseTarget;
  /** Keeps a copy (the backup), in place of the last one. */
  backup(): Promise<void>;
  /** Puts the copy back in place of the database. */
  restore(): Promise<void>;
  /** Runs `sql` on the database directly, behind work-prod's back (it may be running). */
  exec(sql: string): Promise<void>;
  /** Replaces the database with a new, empty one. */
  wipe(): Promise<void>;
  drop(): Promise<void>;
}

export function sqliteDb(dir: string): TestDb {
  const file = join(dir, 'wp.db');
  const copy = join(dir, 'backup.db');
  const remove = () => {
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  };
  return {
    target: { kind: 'sqlite', file },
    backup: async () => {
      rmSync(copy, { force: true });
      const source = new BetterSqlite3(file, { readonly: true });
      await source.backup(copy);
      source.close();
    },
    restore: async () => {
      remove();
      copyFileSync(copy, file);
    },
    exec: async (sql) => {
      const db = new BetterSqlite3(file);
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    },
    wipe: async () => remove(),
    drop: async () => {},
  };
}

/** PostgreSQL: the backup is a database made from this one as a template. */
export async function postgresDb(adminUrl: string): Promise<TestDb> {
  const name = `devinfra_r_${randomBytes(6).toString('hex')}`;
  const admin = async (...queries: string[]) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      for (const q of queries) await client.query(q);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    target: { kind: 'postgres', url: url.toString() },
    backup: () =>
      admin(`DROP DATABASE IF EXISTS ${name}_bk`, `CREATE DATABASE ${name}_bk TEMPLATE ${name}`),
    restore: () => admin(`DROP DATABASE ${name}`, `CREATE DATABASE ${name} TEMPLATE ${name}_bk`),
    exec: async (sql) => {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    },
    wipe: () => admin(`DROP DATABASE ${name}`, `CREATE DATABASE ${name}`),
    drop: () => admin(`DROP DATABASE IF EXISTS ${name}`, `DROP DATABASE IF EXISTS ${name}_bk`),
  };
}
