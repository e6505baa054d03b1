/**
 * A work-prod restored from a backup, or replaced by an empty database, on the same URL
 * (issue 13): the next sync says so in one line, pulls everything again and pushes what the
 * server lost, without duplicates; other machines then converge through it. The server runs
 * in this process on a database of its own (a SQLite file, or a PostgreSQL database copied
 * as a template), so it can be swapped while the server is down.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncRecord } from '@dev-infra/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAdminUrl } from '../../../../test-support/services.js';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import { newAccount } from '../../../server/test/helpers.js';
import { ensureBuilt } from '../support/cli.js';
import { postgresDb, serve, sqliteDb, type TestDb } from './restorable-server.js';
import {
  cli,
  findProject,
  git,
  json,
  makeOriginAndClone,
  ok,
  setUpMachines,
  startProxy,
} from './support.js';

/** The account's records as the server answers them through its API. */
async function records(url: string, key: string): Promise<SyncRecord[]> {
  const res = await fetch(`${url}/api/sync/changes?since=0&limit=1000`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { changes: SyncRecord[] }).changes;
}

const live = (all: SyncRecord[]) => all.filter((r) => !r.deleted);

describe.each(['sqlite', 'postgres'] as const)(
  'sync after the server lost changes [%s]',
  (kind) => {
    const adminUrl = kind === 'postgres' ? postgresAdminUrl() : undefined;
    if (kind === 'postgres' && !adminUrl) {
      it.skip('PostgreSQL is not available (set TEST_DATABASE_URL)', () => {});
      return;
    }
    let root: string;
    const dbs: TestDb[] = [];
    const database = async (dir: string) => {
      const db = kind === 'postgres' ? await postgresDb(adminUrl!) : sqliteDb(dir);
      dbs.push(db);
      return db;
    };
    beforeAll(async () => {
      await ensureBuilt();
      root = makeTempDir('dev-infra-restore-');
    });
    afterAll(async () => {
      for (const db of dbs) await db.drop();
      removeTempDirs();
    });

    /**
     * Machines A and B holding project `one` (A's, cloned on B) on a work-prod of its own,
     * whose database is then backed up; `restore()` puts the backup back (same port). `prepare`
     * runs on A before the first sync.
     */
    const sharedOneBackedUp = async (name: string, prepare = async (_A: string) => {}) => {
      const dir = join(root, name);
      mkdirSync(dir);
      const db = await database(dir);
      let server = await serve(db.target);
      const { key } = await newAccount(server.storage);
      const [A, B] = await setUpMachines(dir, server.url, key);
      makeOriginAndClone(dir, 'one', join(A, 'code', 'one'));
      await ok(A, ['add', join(A, 'code', 'one')]);
      await prepare(A);
      await ok(A, ['sync']);
      await ok(B, ['sync']);
      await ok(B, ['clone', 'one']);
      const { port } = server;
      const restart = async (between: () => Promise<void>) => {
        await server.stop();
        await between();
        server = await serve(db.target, port);
      };
      await restart(() => db.backup());
      return {
        A,
        B,
        key,
        url: () => server.url,
        restore: () => restart(() => db.restore()),
        stop: () => server.stop(),
      };
    };

    it('restored from a backup: A repairs it, B and A converge, nothing doubled', async () => {
      const dir = join(root, 'restore');
      mkdirSync(dir);
      const db = await database(dir);
      let server = await serve(db.target);
      const { key } = await newAccount(server.storage);
      const [A, B] = await setUpMachines(dir, server.url, key);
      mkdirSync(join(A, 'code', 'one'), { recursive: true });
      mkdirSync(join(A, 'code', 'gone'), { recursive: true });
      await ok(A, ['add', join(A, 'code', 'one')]);
      await ok(A, ['add', join(A, 'code', 'gone')]);
      mkdirSync(join(B, 'code', 'bee'), { recursive: true });
      await ok(B, ['add', join(B, 'code', 'bee')]);
      await ok(A, ['sync']);
      await ok(B, ['sync']);
      await ok(A, ['sync']);

      // The backup, taken with work-prod stopped a moment (same port: the URL stays).
      const { port } = server;
      await server.stop();
      await db.backup();
      server = await serve(db.target, port);

      mkdirSync(join(A, 'code', 'two'), { recursive: true });
      await ok(A, ['add', join(A, 'code', 'two')]);
      await ok(A, ['update', 'one', '--description', 'edited after the backup']);
      await ok(A, ['remove', 'gone', '--everywhere']);
      await ok(A, ['sync']);

      // Restored: the same URL, the state of the backup.
      await server.stop();
      await db.restore();
      server = await serve(db.target, port);

      // status says so rather than "synced", and --exit-code fails.
      const status = await json<{ server: string; projects: { state: string }[] }>(A, [
        'status',
        '--json',
      ]);
      expect(status.server).toBe('rolled-back');
      expect(status.projects.map((p) => p.state)).not.toContain('synced');
      expect(await ok(A, ['status'])).toMatch(/restored from a backup .*run `dev-infra sync`/);
      expect((await cli(A, ['status', '--exit-code'])).code).toBe(1);

      const repaired = await ok(A, ['sync']);
      expect(repaired).toMatch(
        /^The server was restored from a backup .*: pulling everything again/m,
      );
      expect(repaired).toMatch(/pushed 3/);
      const again = await ok(A, ['sync']);
      expect(again).toMatch(/^pulled 0, pushed 0$/m);
      expect(again).not.toMatch(/restored/);
      expect((await cli(A, ['status', '--exit-code'])).code).toBe(0);

      await ok(B, ['sync']);
      const all = await records(server.url, key);
      const names = live(all).map((r) => r.fields.name);
      expect(names.sort()).toEqual(['bee', 'one', 'two']);
      expect(all.find((r) => r.fields.name === 'gone')?.deleted).toBe(true);
      expect(live(all).find((r) => r.fields.name === 'one')?.fields.description).toBe(
        'edited after the backup',
      );
      expect(await findProject(B, 'one')).toMatchObject({ description: 'edited after the backup' });

      // A new change on B reaches A.
      await ok(B, ['update', 'bee', '--description', 'from B']);
      await ok(B, ['sync']);
      expect(await ok(A, ['sync'])).toMatch(/^pulled 1, pushed 0$/m);
      expect(await findProject(A, 'bee')).toMatchObject({ description: 'from B' });
      await server.stop();
    }, 120_000);

    it('restored, then raised past B by A: B still finds what it lost (the digest) and repairs', async () => {
      const { A, B, key, url, restore, stop } = await sharedOneBackedUp('raised');

      // After the backup: A adds four projects; B pulls them and edits `one`.
      for (const name of ['a2', 'a3', 'a4', 'a5']) {
        mkdirSync(join(A, 'code', name), { recursive: true });
        await ok(A, ['add', join(A, 'code', name)]);
      }
      await ok(A, ['sync']);
      await ok(B, ['update', 'one', '--description', 'from B, after the backup']);
      await ok(B, ['sync']);

      await restore();

      // A repairs first (its cursor is past the restored head) and, with two more projects,
      // raises the head past B's cursor: B's cursor alone no longer shows the loss.
      for (const name of ['a6', 'a7']) {
        mkdirSync(join(A, 'code', name), { recursive: true });
        await ok(A, ['add', join(A, 'code', name)]);
      }
      expect(await ok(A, ['sync'])).toMatch(/^The server was restored from a backup/m);
      const raised = await records(url(), key);
      const bCursor = JSON.parse(readFileSync(join(B, 'registry.json'), 'utf8')).sync.cursor;
      expect(Math.max(...raised.map((r) => r.seq))).toBeGreaterThanOrEqual(bCursor);

      const out = await ok(B, ['sync']);
      expect(out).toMatch(/^The server's records differ from this machine's view/m);
      expect(
        live(await records(url(), key)).find((r) => r.fields.name === 'one')?.fields.description,
      ).toBe('from B, after the backup');
      await ok(A, ['sync']);
      expect(await findProject(A, 'one')).toMatchObject({
        description: 'from B, after the backup',
      });
      for (const home of [A, B])
        expect(await ok(home, ['sync', '--verify'])).toMatch(
          /^verify: in sync with work-prod \(7 records/m,
        );
      await stop();
    }, 120_000);

    it('an edit made after a restore to the value the restored server holds outlives the lost one', async () => {
      const { A, B, key, url, restore, stop } = await sharedOneBackedUp('same-value', (A) =>
        ok(A, ['update', 'one', '--description', 'first']).then(() => {}),
      );

      // Lost by the restore: A tags `one` red and describes it again; B pulls both.
      await ok(A, ['update', 'one', '--tag', 'red', '--description', 'second']);
      await ok(A, ['sync']);
      await ok(B, ['sync']);
      expect(await findProject(B, 'one')).toMatchObject({ tags: ['red'], description: 'second' });

      await restore();

      // B, after the restore, undoes both: the values the restored server holds already.
      await ok(B, ['update', 'one', '--untag', 'red', '--description', 'first']);
      expect(await ok(B, ['sync'])).toMatch(/^The server was restored from a backup/m);
      // A still holds the lost values, stamped before B's edits (B's repair raised the head
      // past A's cursor, or not): B's edits stand.
      await ok(A, ['sync']);
      const one = live(await records(url(), key)).find((r) => r.fields.name === 'one');
      expect(one?.fields).toMatchObject({ tags: [], description: 'first' });
      await ok(B, ['sync']);
      for (const home of [A, B]) {
        expect(await findProject(home, 'one')).toMatchObject({ tags: [], description: 'first' });
        expect(await ok(home, ['sync', '--verify'])).toMatch(/^verify: in sync with work-prod/m);
      }
      await stop();
    }, 120_000);

    it('an edit only a machine that stopped holding the project still has comes back when a restore took the record away', async () => {
      const { A, B, key, url, restore, stop } = await sharedOneBackedUp('remade');
      // After the backup: A registers `three`; B clones it, sets it completed, syncs, and
      // stops holding it (a plain remove). Only B's cache still has the edit.
      const dir = join(root, 'remade');
      makeOriginAndClone(dir, 'three', join(A, 'code', 'three'));
      await ok(A, ['add', join(A, 'code', 'three')]);
      await ok(A, ['sync']);
      await ok(B, ['sync']);
      await ok(B, ['clone', 'three']);
      await ok(B, ['update', 'three', '--status', 'completed']);
      await ok(B, ['sync']);
      await ok(B, ['remove', 'three']);
      await ok(B, ['sync']);

      await restore();

      // B repairs first: the server lost `three` altogether and B holds no project of it, so
      // B makes it again from its cache; A, which holds it without the edit, takes it.
      expect(await ok(B, ['sync'])).toMatch(/^The server was restored from a backup/m);
      await ok(A, ['sync']);
      const threes = live(await records(url(), key)).filter((r) => r.fields.name === 'three');
      expect(threes).toHaveLength(1);
      expect(threes[0]?.fields.status).toBe('completed');
      expect(await findProject(A, 'three')).toMatchObject({ status: 'completed', local: true });
      expect(await findProject(B, 'three')).toMatchObject({ status: 'completed', local: false });
      for (const home of [A, B])
        expect(await ok(home, ['sync', '--verify'])).toMatch(/^verify: in sync with work-prod/m);
      await stop();
    }, 120_000);

    it('a lone push after a restore another machine raised past its cursor links to what that machine made', async () => {
      const { A, B, key, url, restore, stop } = await sharedOneBackedUp('lone-raised');
      // After the backup: B describes `one` and registers three projects of its own (lost by
      // the restore, which leaves B's cursor well past the restored head; B's push also rotates
      // its machine token past the one the backup holds).
      await ok(B, ['update', 'one', '--description', 'from B, after the backup']);
      const dir = join(root, 'lone-raised');
      const beeOrigin = makeOriginAndClone(dir, 'bee', join(B, 'code', 'bee'));
      await ok(B, ['add', join(B, 'code', 'bee')]);
      for (const name of ['b1', 'b2', 'b3']) {
        mkdirSync(join(B, 'code', name), { recursive: true });
        await ok(B, ['add', join(B, 'code', name)]);
      }
      await ok(B, ['sync']);
      // Pulled back: the cursor moves past B's own pushes.
      await ok(B, ['sync']);

      await restore();

      // A (which lost nothing) registers `two` and its own clone of `bee` (B's record of it is
      // lost: this one is made anew), then enough more to raise the head past B's cursor:
      // both are below it.
      const origin = makeOriginAndClone(dir, 'two', join(A, 'code', 'two'));
      await ok(A, ['add', join(A, 'code', 'two')]);
      git(['clone', '-q', beeOrigin, join(A, 'code', 'bee')]);
      await ok(A, ['add', join(A, 'code', 'bee')]);
      await ok(A, ['sync']);
      for (const name of ['a3', 'a4', 'a5', 'a6', 'a7']) {
        mkdirSync(join(A, 'code', name), { recursive: true });
        await ok(A, ['add', join(A, 'code', name)]);
      }
      await ok(A, ['sync']);
      const bCursor = JSON.parse(readFileSync(join(B, 'registry.json'), 'utf8')).sync.cursor;
      const raised = await records(url(), key);
      expect(Math.max(...raised.map((r) => r.seq))).toBeGreaterThanOrEqual(bCursor);
      const twoOnServer = raised.find((r) => r.fields.name === 'two');
      expect(twoOnServer).toBeDefined();
      expect(twoOnServer!.seq).toBeLessThanOrEqual(bCursor);

      // B registers its own clone of `two` and only pushes: the feed after its cursor does
      // not have A's `two`; the account's digest shows the restore, and B repairs first.
      git(['clone', '-q', origin, join(B, 'code', 'two')]);
      await ok(B, ['add', join(B, 'code', 'two')]);
      const out = await ok(B, ['sync', 'push']);
      expect(out.match(/pulling everything again/g)).toHaveLength(1);
      const all = live(await records(url(), key));
      // B's `bee`, lost, joins the record A made anew rather than coming back as a second one.
      expect(all.filter((r) => r.fields.name === 'bee')).toHaveLength(1);
      expect(all.filter((r) => r.fields.name === 'two').map((r) => r.uuid)).toEqual([
        twoOnServer!.uuid,
      ]);
      expect(all.find((r) => r.fields.name === 'one')?.fields.description).toBe(
        'from B, after the backup',
      );
      await ok(A, ['sync']);
      for (const home of [A, B])
        expect(await ok(home, ['sync', '--verify'])).toMatch(/^verify: in sync with work-prod/m);
      await stop();
    }, 120_000);

    /**
     * A holds `one` with a status the restore took away, its slot marked behind (another
     * machine's pushes hid the restore from A's cursor and digest): A stops holding it, and
     * `then` runs on A before its next sync.
     */
    const behindThenRemoved = async (name: string, then: (A: string) => Promise<unknown>) => {
      const { A, B, key, url, restore, stop } = await sharedOneBackedUp(name);
      await ok(A, ['update', 'one', '--status', 'completed']);
      await ok(A, ['sync']);
      await ok(A, ['sync']);
      await restore();
      // B (which lost nothing) describes `one` until its revision passes A's cursor: A's
      // next pull sees only that record, newer by revision, older by the status's stamp.
      const cursorOf = (home: string) =>
        JSON.parse(readFileSync(join(home, 'registry.json'), 'utf8')).sync.cursor as number;
      for (let i = 0; i < 10; i++) {
        await ok(B, ['update', 'one', '--description', `from B ${i}`]);
        await ok(B, ['sync']);
        const one = (await records(url(), key)).find((r) => r.fields.name === 'one');
        if (one && one.seq > cursorOf(A)) break;
      }
      const pulled = await ok(A, ['sync', 'pull']);
      expect(pulled).not.toMatch(/pulling everything again/);
      expect(await findProject(A, 'one')).toMatchObject({ status: 'completed' });
      expect(await json(A, ['status', '--json'])).toMatchObject({ server: 'same' });
      await ok(A, ['remove', 'one']);
      await then(A);
      await ok(A, ['sync']);
      const one = live(await records(url(), key)).filter((r) => r.fields.name === 'one');
      expect(one).toHaveLength(1);
      expect(one[0]?.fields.status).toBe('completed');
      await ok(B, ['sync']);
      expect(await findProject(B, 'one')).toMatchObject({ status: 'completed' });
      await stop();
      return A;
    };

    it('a project whose server record lacks an edit only this machine holds, removed here: the edit is pushed all the same', async () => {
      const A = await behindThenRemoved('behind-removed', async () => {});
      expect(await findProject(A, 'one')).toMatchObject({ local: false, status: 'completed' });
    }, 120_000);

    it('the same, cloned again before the sync: the clone has the edit and pushes it', async () => {
      const A = await behindThenRemoved('behind-recloned', async (A) => {
        await ok(A, ['clone', 'one', join(A, 'code', 'one-again')]);
        expect(await findProject(A, 'one')).toMatchObject({ local: true, status: 'completed' });
      });
      expect(await findProject(A, 'one')).toMatchObject({ local: true, status: 'completed' });
    }, 120_000);

    it('a repair whose push never reached the server is done again by the next sync', async () => {
      const dir = join(root, 'repair-cut');
      mkdirSync(dir);
      const db = await database(dir);
      let server = await serve(db.target);
      const { port } = server;
      // A talks to work-prod through a proxy that can drop a push before it is sent.
      const proxy = await startProxy(server.url);
      const { key } = await newAccount(server.storage);
      const [A] = await setUpMachines(dir, proxy.url, key);
      mkdirSync(join(A, 'code', 'one'), { recursive: true });
      await ok(A, ['add', join(A, 'code', 'one')]);
      await ok(A, ['sync']);
      await server.stop();
      await db.backup();
      server = await serve(db.target, port);

      mkdirSync(join(A, 'code', 'two'), { recursive: true });
      await ok(A, ['add', join(A, 'code', 'two')]);
      await ok(A, ['update', 'one', '--description', 'after the backup']);
      await ok(A, ['sync']);
      await server.stop();
      await db.restore();
      server = await serve(db.target, port);

      // The repair's pull goes through; its push does not.
      proxy.cutNext('/api/sync/push', 'POST', true);
      const cut = await cli(A, ['sync']);
      expect(cut.code).not.toBe(0);
      expect(cut.stderr.trim().split('\n')).toHaveLength(1);
      expect(live(await records(server.url, key)).map((r) => r.fields.name)).toEqual(['one']);

      // Not "synced": the repair is still owed, and the next sync does it.
      expect((await json<{ server: string }>(A, ['status', '--json'])).server).toBe('rolled-back');
      expect((await cli(A, ['status', '--exit-code'])).code).toBe(1);
      const again = await ok(A, ['sync']);
      expect(again).toMatch(
        /^The last sync.s repair of the server did not finish: pulling everything again/m,
      );
      const all = live(await records(server.url, key));
      expect(all.map((r) => r.fields.name).sort()).toEqual(['one', 'two']);
      expect(all.find((r) => r.fields.name === 'one')?.fields.description).toBe('after the backup');
      expect(await ok(A, ['sync'])).toMatch(/^pulled 0, pushed 0$/m);
      expect(await ok(A, ['sync', '--verify'])).toMatch(/^verify: in sync with work-prod/m);
      await proxy.close();
      await server.stop();
    }, 120_000);

    it('replaced by an empty database: A pushes everything again, once', async () => {
      const dir = join(root, 'replace');
      mkdirSync(dir);
      const db = await database(dir);
      let server = await serve(db.target);
      let { key } = await newAccount(server.storage);
      const [A] = await setUpMachines(dir, server.url, key);
      for (const name of ['p1', 'p2', 'p3']) {
        mkdirSync(join(A, 'code', name), { recursive: true });
        await ok(A, ['add', join(A, 'code', name)]);
      }
      await ok(A, ['sync']);

      const { port } = server;
      await server.stop();
      await db.wipe();
      server = await serve(db.target, port);
      // The new database has its own account and key: the machine is given the new key.
      ({ key } = await newAccount(server.storage));
      await ok(A, ['remote', 'set', server.url, '--key', key]);

      expect(await ok(A, ['status'])).toMatch(/the server was replaced/);
      expect((await cli(A, ['status', '--exit-code'])).code).toBe(1);
      const out = await ok(A, ['sync']);
      expect(out).toMatch(/^The server was replaced/m);
      expect((await cli(A, ['status', '--exit-code'])).code).toBe(0);
      expect(out).toMatch(/pushed 3/);
      expect(await ok(A, ['sync'])).toMatch(/^pulled 0, pushed 0$/m);
      const all = await records(server.url, key);
      expect(all.map((r) => r.fields.name).sort()).toEqual(['p1', 'p2', 'p3']);
      await server.stop();
    }, 120_000);
  },
);
