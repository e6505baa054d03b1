/**
 * `dev-infra sync --verify` end to end, on SQLite and PostgreSQL: the account digest agrees
 * after a sync; a row changed or deleted behind work-prod's back (direct SQL, no new
 * revision in the feed) is named, repaired by a full pull and the push it implies, and the
 * two agree again; the original API says it has no digest (exit 2).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BasicServer, startBasicServer } from '../../../../test-support/basic-server.js';
import {
  type HostileServer,
  hostileRecord,
  startHostileServer,
} from '../../../../test-support/hostile-server.js';
import { postgresAdminUrl } from '../../../../test-support/services.js';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import { newAccount } from '../../../server/test/helpers.js';
import type { SyncReport } from '../../src/sync/report.js';
import { ensureBuilt } from '../support/cli.js';
import { machine, ok as okHere } from '../support/machine.js';
import { postgresDb, serve, sqliteDb, type TestDb } from './restorable-server.js';
import { cli, findProject, json, ok, setUpMachines } from './support.js';

beforeAll(async () => {
  await ensureBuilt();
});

/** Deletes project `name` and what refers to it, as a lost write would leave the database. */
async function forget(db: TestDb, name: string): Promise<void> {
  const id = `(SELECT id FROM projects WHERE name = '${name}')`;
  await db.exec(`DELETE FROM checkouts WHERE project_id IN ${id}`);
  await db.exec(`DELETE FROM project_history WHERE project_id IN ${id}`);
  await db.exec(`DELETE FROM projects WHERE name = '${name}'`);
}
afterAll(removeTempDirs);

describe.each(['sqlite', 'postgres'] as const)('sync --verify [%s]', (kind) => {
  const adminUrl = kind === 'postgres' ? postgresAdminUrl() : undefined;
  if (kind === 'postgres' && !adminUrl) {
    it.skip('PostgreSQL is not available (set TEST_DATABASE_URL)', () => {});
    return;
  }
  let db: TestDb | undefined;
  afterAll(async () => {
    await db?.drop();
  });

  it('agrees when in sync; names and repairs rows changed behind its back', async () => {
    const root = makeTempDir('dev-infra-verify-');
    db = kind === 'postgres' ? await postgresDb(adminUrl!) : sqliteDb(root);
    const server = await serve(db.target);
    try {
      const { key } = await newAccount(server.storage);
      const [A, B] = await setUpMachines(root, server.url, key);
      for (const name of ['one', 'two', 'three']) {
        mkdirSync(join(A, 'code', name), { recursive: true });
        await ok(A, ['add', join(A, 'code', name)]);
      }
      await ok(A, ['sync']);
      await ok(B, ['sync']);

      const agreed = await cli(A, ['sync', '--verify']);
      expect(agreed.code).toBe(0);
      expect(agreed.stdout).toMatch(
        /^verify: in sync with work-prod \(3 records, digest [0-9a-f]{12}\)$/m,
      );
      const report = await json<SyncReport>(B, ['sync', '--verify', '--json']);
      expect(report.verify).toMatchObject({ in_sync: true, here: { count: 3 } });
      expect(report.verify?.here).toEqual(report.verify?.server);
      expect(report.verify?.differed).toBeUndefined();

      // Behind work-prod's back: a new revision of `one` that the feed never hands out (its
      // seq stays), and `two` gone. No cursor or head shows it; only the digest does.
      await db.exec(
        "UPDATE projects SET description = 'changed behind its back', rev = rev + 100 WHERE name = 'one'",
      );
      await forget(db, 'two');
      const plain = await ok(A, ['sync']);
      expect(plain).toMatch(
        /^The server's records differ from this machine's view \(2 there, 3 here/m,
      );

      const out = await cli(B, ['sync', '--verify']);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toMatch(/^The server's records differ from this machine's view/m);
      expect(out.stdout).toMatch(/^verify: in sync with work-prod \(3 records/m);
      // A repaired already (it held `two` and pushed it again); B's full pull then found `one`.
      expect(await findProject(B, 'one')).toMatchObject({ description: 'changed behind its back' });
      expect(await findProject(A, 'one')).toMatchObject({ description: 'changed behind its back' });
      expect(await findProject(B, 'two')).toBeDefined();

      // --verify names what the repair changed, in text and JSON.
      await db.exec("UPDATE projects SET status = 'paused', rev = rev + 100 WHERE name = 'three'");
      const named = await json<SyncReport>(A, ['sync', '--verify', '--json']);
      expect(named.verify).toMatchObject({
        in_sync: true,
        differed: { here: { count: 3 }, server: { count: 3 } },
        repaired: { changed: ['three'], only_here: [], only_server: [] },
      });
      expect(await findProject(A, 'three')).toMatchObject({ status: 'paused' });
      await forget(db, 'three');
      const text = await cli(B, ['sync', '--verify']);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(
        /^verify: the server's records differed .*repaired by a full pull$/m,
      );
      expect(text.stdout).toMatch(/^ {2}gone from the server: three$/m);
      // B does not hold `three` (it only pulled it), but its cache had it: the repair makes
      // it again from there (remakesFromCache), and the two agree on all three...
      expect(text.stdout).toMatch(/^verify: in sync with work-prod \(3 records/m);
      // ...as A, which holds it, does on its next sync.
      expect(await ok(A, ['sync', '--verify'])).toMatch(
        /^verify: in sync with work-prod \(3 records/m,
      );
      // Everyone agrees in the end, and nothing was doubled.
      for (const home of [A, B]) expect((await cli(home, ['sync', '--verify'])).code).toBe(0);
      const names = (await json<{ name: string }[]>(A, ['list', '--all', '--json'])).map(
        (r) => r.name,
      );
      expect(names.sort()).toEqual(['one', 'three', 'two']);
    } finally {
      await server.stop();
    }
  }, 120_000);
});

describe('sync --verify on the original API', () => {
  let server: BasicServer;
  beforeAll(async () => {
    server = await startBasicServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('says it has no digest there, exit 2', async () => {
    const root = makeTempDir('dev-infra-verify-basic-');
    const [A] = await setUpMachines(root, server.url);
    const out = await cli(A, ['sync', '--verify']);
    expect(out.code).toBe(2);
    expect(out.stderr.trim().split('\n')).toEqual([
      'error: sync --verify: the original work-prod API has no account digest to compare with (sync-v1 only)',
    ]);
  });
});

describe('sync --verify against a scripted work-prod', () => {
  let hostile: HostileServer;
  const KEY = 'verify-test-key-5d2e1b';
  const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  beforeAll(async () => {
    hostile = await startHostileServer();
  });
  afterAll(async () => {
    await hostile.close();
  });
  const page = (records: unknown[], digest?: unknown) => ({
    body: { changes: records, next: 2, more: false, head: 2, ...(digest ? { digest } : {}) },
  });

  it('a digest that never matches: repaired twice, still differs, exit 1', async () => {
    const record = hostileRecord(uuid(2), 2, { name: 'only' });
    hostile.script({
      changes: ({ since }) =>
        since === 0
          ? page([record], { count: 1, hash: 'not-this', head: 2 })
          : {
              body: {
                changes: [],
                next: since,
                more: false,
                head: 2,
                digest: { count: 1, hash: 'not-this', head: 2 },
              },
            },
    });
    const m = machine();
    await okHere(m, ['remote', 'set', hostile.url, '--key', KEY]);
    const r = await m.cli(['sync', '--verify']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /^The server's records differ from this machine's view \(1 there, 1 here/m,
    );
    expect(r.stdout).toMatch(
      /^verify: still differs after the repair \(server 1 records, digest not-this; here 1 records, digest [0-9a-f]{12}\)$/m,
    );
  });

  it('records this machine refused: cannot compare, exit 1; a plain sync does not repair again', async () => {
    const good = hostileRecord(uuid(1), 1, { name: 'good' });
    const bad = hostileRecord(uuid(2), 2, { tags: 'x' });
    hostile.script({
      changes: ({ since }) =>
        since === 0
          ? page([good, bad], { count: 2, hash: 'whatever', head: 2 })
          : {
              body: {
                changes: [],
                next: since,
                more: false,
                head: 2,
                digest: { count: 2, hash: 'whatever', head: 2 },
              },
            },
    });
    const m = machine();
    await okHere(m, ['remote', 'set', hostile.url, '--key', KEY]);
    const r = await m.cli(['sync', '--verify']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /^verify: could not compare: this machine refused records the server holds/m,
    );
    const again = await m.cli(['sync']);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/differ|pulling everything again/);
  });

  it('a sync-v1 work-prod without the digest: sync works, --verify exits 2', async () => {
    hostile.script({});
    const m = machine();
    await okHere(m, ['remote', 'set', hostile.url, '--key', KEY]);
    expect((await m.cli(['sync'])).code).toBe(0);
    const r = await m.cli(['sync', '--verify']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /sync --verify: this work-prod has no account digest \(GET \/api\/sync\/digest\); upgrade it/,
    );
  });
});
