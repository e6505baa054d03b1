/**
 * A checkout's git state (issue 15) on both backends: pushed with the checkout, stored per
 * checkout, carried in the feed and the dashboard's answers; absent leaves it, null clears it;
 * a change bumps the project's seq, an identical resend does not; a bad state is rejected
 * alone; migration 0006 on a database that already has checkouts.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAdminUrl } from '../../../test-support/services.js';
import { makeTempDir, removeTempDirs } from '../../../test-support/tmp.js';
import type { DatabaseTarget } from '../src/config.js';
import { migrateUpTo } from '../src/storage/migrations/index.js';
import { openStorage } from '../src/storage/open.js';
import {
  type BackendName,
  call,
  describeBackends,
  makeApp,
  newAccount,
  rawDb,
  syncFields,
} from './helpers.js';

const laptop = { id: randomUUID(), name: 'laptop' };
const desktop = { id: randomUUID(), name: 'desktop' };

/** A known state with work in progress (3 unpushed, 2 modified). */
const known = (over: Record<string, unknown> = {}) => ({
  branch: 'feature-x',
  head: 'abc1234',
  upstream: 'origin/feature-x',
  ahead: 3,
  behind: 0,
  modified: 2,
  untracked: 0,
  stashes: 0,
  last_commit_at: '2026-12-04T01:00:00.000Z',
  operation: null,
  taken_at: '2026-12-04T02:00:00.000Z',
  ...over,
});
const unknownState = { unknown: 'timeout', taken_at: '2026-12-04T02:00:00.000Z' };

describeBackends('checkout git state', (backend) => {
  let app: FastifyInstance;
  let auth: Record<string, string>;
  let accountId: number;
  beforeAll(async () => {
    app = await makeApp(backend().storage);
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(async () => {
    const account = await newAccount(backend().storage);
    auth = account.auth;
    accountId = account.id;
  });

  const push = async (machine: typeof laptop, changes: unknown[], checkouts?: unknown[]) => {
    const res = await call(app, 'POST', '/api/sync/push', auth, { machine, changes, checkouts });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const feed = async (since = 0) => {
    const res = await call(app, 'GET', `/api/sync/changes?since=${since}`, auth);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  /** The project's checkouts as the feed carries them, by machine name. */
  const checkoutsIn = async (uuid: string) => {
    const record = (await feed()).changes.find((r: { uuid: string }) => r.uuid === uuid);
    return Object.fromEntries(
      record.checkouts.map((c: { machine_name: string }) => [c.machine_name, c]),
    );
  };
  const newProject = async (name = 'api-server') => {
    const uuid = randomUUID();
    await push(laptop, [{ uuid, base_rev: 0, fields: syncFields(name) }]);
    return uuid;
  };

  it('stores a known state with the checkout; the feed carries it to another machine', async () => {
    const uuid = await newProject();
    const out = await push(laptop, [], [{ uuid, path: '/home/me/api', git: known() }]);
    expect(out.checkouts).toEqual([{ uuid, status: 'applied', seq: 2 }]);
    // The desktop pulls and sees the laptop's state, with the time it was taken.
    const res = await call(
      app,
      'GET',
      `/api/sync/changes?since=1&machine_id=${desktop.id}&machine_name=desktop`,
      auth,
    );
    expect(res.body.changes).toHaveLength(1);
    expect(res.body.changes[0].checkouts).toEqual([
      {
        machine_id: laptop.id,
        machine_name: 'laptop',
        path: '/home/me/api',
        last_seen: expect.any(String),
        git: known(),
      },
    ]);
    expect(res.body.changes[0].checkouts[0].git.taken_at).toBe('2026-12-04T02:00:00.000Z');
  });

  it('stores an unknown state, clears with null and leaves it when absent', async () => {
    const uuid = await newProject();
    await push(laptop, [], [{ uuid, path: '/p', git: unknownState }]);
    expect((await checkoutsIn(uuid)).laptop.git).toEqual(unknownState);
    // Absent: a path change alone keeps the state.
    await push(laptop, [], [{ uuid, path: '/moved' }]);
    const moved = (await checkoutsIn(uuid)).laptop;
    expect(moved.path).toBe('/moved');
    expect(moved.git).toEqual(unknownState);
    // null: no longer a repository; the checkout stays, without a state.
    await push(laptop, [], [{ uuid, path: '/moved', git: null }]);
    const cleared = (await checkoutsIn(uuid)).laptop;
    expect(cleared.path).toBe('/moved');
    expect(cleared).not.toHaveProperty('git');
  });

  it('keeps each machine its own state', async () => {
    const uuid = await newProject();
    await push(laptop, [], [{ uuid, path: '/l', git: known() }]);
    await push(desktop, [], [{ uuid, path: '/d', git: known({ branch: 'main', ahead: 0 }) }]);
    const both = await checkoutsIn(uuid);
    expect(both.laptop.git.branch).toBe('feature-x');
    expect(both.desktop.git.branch).toBe('main');
  });

  it('bumps the seq on a change of state, not on an identical resend', async () => {
    const uuid = await newProject();
    const first = await push(laptop, [], [{ uuid, path: '/p', git: known() }]);
    expect(first.checkouts[0].seq).toBe(2);
    // The same state again (keys in another order: the stored form is canonical).
    const reordered = Object.fromEntries(Object.entries(known()).reverse());
    const again = await push(laptop, [], [{ uuid, path: '/p', git: reordered }]);
    expect(again.checkouts[0].seq).toBe(2);
    expect(again.head).toBe(2);
    expect((await feed(2)).changes).toEqual([]);
    // One count changed: a new seq, and a machine at the head pulls the record again.
    const changed = await push(laptop, [], [{ uuid, path: '/p', git: known({ modified: 0 }) }]);
    expect(changed.checkouts[0].seq).toBe(3);
    const page = await feed(2);
    expect(page.changes.map((r: { uuid: string; seq: number }) => [r.uuid, r.seq])).toEqual([
      [uuid, 3],
    ]);
    expect(page.changes[0].checkouts[0].git.modified).toBe(0);
    // Clearing is a change; clearing again is not.
    expect((await push(laptop, [], [{ uuid, path: '/p', git: null }])).checkouts[0].seq).toBe(4);
    expect((await push(laptop, [], [{ uuid, path: '/p', git: null }])).checkouts[0].seq).toBe(4);
    // A git state alone is not a history entry (only where the checkout is).
    const history = await call(app, 'GET', `/api/dashboard/projects/${uuid}`, auth);
    expect(history.body.history.map((h: { kind: string }) => h.kind)).toEqual([
      'checkout',
      'created',
    ]);
  });

  it('drops keys outside the schema rather than storing them', async () => {
    const uuid = await newProject();
    await push(laptop, [], [{ uuid, path: '/p', git: { ...known(), files: ['secret.txt'] } }]);
    // Read from the storage, not through the route (whose serialiser would drop it anyway).
    const page = await backend().storage.changes(accountId, 0, 10);
    const record = page.changes.find((r) => r.uuid === uuid)!;
    expect(record.checkouts[0]!.git).toStrictEqual(known());
  });

  it('rejects a bad state alone, with the field named, and keeps the stored one', async () => {
    const uuid = await newProject('one');
    const other = await newProject('two');
    await push(laptop, [], [{ uuid, path: '/p', git: known() }]);
    const out = await push(
      laptop,
      [],
      [
        { uuid, path: '/p', git: known({ branch: 'evil\u001b[31m' }) },
        { uuid: other, path: '/q', git: known() },
      ],
    );
    expect(out.checkouts[0]).toEqual({
      uuid,
      status: 'rejected',
      error: 'git.branch: holds a control character',
    });
    expect(out.checkouts[1]).toMatchObject({ uuid: other, status: 'applied' });
    expect((await checkoutsIn(uuid)).laptop.git).toEqual(known());
    expect((await checkoutsIn(other)).laptop.git).toEqual(known());

    const bad: [unknown, RegExp][] = [
      [known({ upstream: 'origin/\u0000x' }), /^git\.upstream: holds a control character$/],
      [known({ head: 'ab\u009bc' }), /^git\.head: holds a control character$/],
      [known({ modified: -1 }), /^git\.modified: /],
      [known({ ahead: 1_000_000_001 }), /^git\.ahead: /],
      [known({ stashes: 1.5 }), /^git\.stashes: /],
      [known({ operation: 'rewriting' }), /^git\.operation: /],
      [known({ branch: 'x'.repeat(256) }), /^git\.branch: /],
      [known({ taken_at: 'yesterday' }), /^git\.taken_at: must be an RFC 3339 timestamp$/],
      [{ unknown: 'timeout', taken_at: 'soon' }, /^git\.taken_at: /],
      [{ unknown: 'sleepy', taken_at: '2026-12-04T02:00:00Z' }, /^git\.unknown: /],
      [(({ stashes: _s, ...rest }) => rest)(known()), /^git\.stashes: is required$/],
      ['main', /^git: must be an object or null$/],
    ];
    for (const [git, error] of bad) {
      const res = await push(laptop, [], [{ uuid, path: '/p', git }]);
      expect(res.checkouts[0].status, JSON.stringify(git)).toBe('rejected');
      expect(res.checkouts[0].error).toMatch(error);
    }
    expect((await checkoutsIn(uuid)).laptop.git).toEqual(known());
  });

  it("carries states in the dashboard's answers and the work-in-progress view", async () => {
    const api = await newProject('api-server');
    const clean = await newProject('clean-one');
    const gone = await newProject('gone');
    await push(
      laptop,
      [],
      [
        { uuid: api, path: '/l/api', git: known() },
        { uuid: clean, path: '/l/clean', git: known({ ahead: 0, modified: 0 }) },
        { uuid: gone, path: '/l/gone', git: known({ stashes: 1 }) },
      ],
    );
    await push(desktop, [], [{ uuid: api, path: '/d/api', git: unknownState }]);
    const goneRev = (await feed()).changes.find((r: { uuid: string }) => r.uuid === gone).rev;
    const deleted = await push(laptop, [{ uuid: gone, base_rev: goneRev, deleted: true }]);
    expect(deleted.results[0].status).toBe('applied');

    const page = await call(app, 'GET', `/api/dashboard/projects/${api}`, auth);
    expect(page.status).toBe(200);
    const byMachine = Object.fromEntries(
      page.body.project.checkouts.map((c: { machine_name: string }) => [c.machine_name, c]),
    );
    expect(byMachine.laptop.git).toEqual(known());
    expect(byMachine.desktop.git).toEqual(unknownState);
    const list = await call(app, 'GET', '/api/dashboard/projects?q=clean', auth);
    expect(list.body.projects[0].checkouts[0].git).toEqual(known({ ahead: 0, modified: 0 }));

    const wip = await call(app, 'GET', '/api/dashboard/wip', auth);
    expect(wip.status).toBe(200);
    expect(wip.body).toEqual({
      machines: [
        {
          machine_id: desktop.id,
          machine_name: 'desktop',
          last_sync: expect.any(String),
          checkouts: [{ uuid: api, name: 'api-server', path: '/d/api', git: unknownState }],
        },
        {
          machine_id: laptop.id,
          machine_name: 'laptop',
          last_sync: expect.any(String),
          checkouts: [{ uuid: api, name: 'api-server', path: '/l/api', git: known() }],
        },
      ],
      clean: 1,
    });
    // The original API's projects carry the state too.
    const legacy = await call(app, 'GET', '/api/projects', auth);
    const row = legacy.body.find((p: { uuid: string }) => p.uuid === clean);
    expect(row.checkouts[0].git).toEqual(known({ ahead: 0, modified: 0 }));
  });

  it('answers the work-in-progress view only to a signed-in caller', async () => {
    const res = await call(app, 'GET', '/api/dashboard/wip', {});
    expect(res.status).toBe(401);
  });
});

/** A database as release 0005 left it, with a checkout, then migrated to the latest. */
describe.each<BackendName>(['sqlite', 'postgres'])('migration 0006 [%s]', (name) => {
  const adminUrl = name === 'postgres' ? postgresAdminUrl() : undefined;
  if (name === 'postgres' && !adminUrl) {
    it.skip('PostgreSQL is not available (set TEST_DATABASE_URL)', () => {});
    return;
  }
  let target: DatabaseTarget;
  let drop = async () => {};
  beforeAll(async () => {
    if (name === 'postgres') {
      const db = await createTestDatabase(adminUrl!);
      target = { kind: 'postgres', url: db.url };
      drop = db.drop;
    } else {
      target = { kind: 'sqlite', file: join(makeTempDir('work-prod-0006-'), 'old.db') };
    }
  });
  afterAll(async () => {
    await drop();
    removeTempDirs();
  });

  it('adds the column to a database with checkouts; old rows read back without a state', async () => {
    // The tables of release 0005, written through a plain connection.
    const db = rawDb(target);
    await migrateUpTo(db, name, '0005-session-key');
    await sql`insert into accounts (name, revision, created_at) values ('old', 2, '2026-01-01T00:00:00Z')`.execute(
      db,
    );
    const account = await sql<{ id: number }>`select id from accounts where name = 'old'`.execute(
      db,
    );
    const accountId = Number(account.rows[0]!.id);
    const uuid = randomUUID();
    const f = syncFields('old-project');
    await sql`insert into projects (account_id, uuid, rev, seq, deleted, name, status, tags, created_at, updated_at)
      values (${accountId}, ${uuid}, 1, 2, 0, ${f.name}, 'active', '[]', ${f.created_at}, ${f.updated_at})`.execute(
      db,
    );
    const project = await sql<{ id: number }>`select id from projects where uuid = ${uuid}`.execute(
      db,
    );
    await sql`insert into machines (account_id, machine_id, name, last_sync) values (${accountId}, ${laptop.id}, 'laptop', '2026-01-01T00:00:00Z')`.execute(
      db,
    );
    await sql`insert into checkouts (account_id, project_id, machine_id, path, last_seen)
      values (${accountId}, ${Number(project.rows[0]!.id)}, ${laptop.id}, '/old/path', '2026-01-01T00:00:00Z')`.execute(
      db,
    );
    await db.destroy();

    const storage = await openStorage(target);
    await storage.migrate();
    const page = await storage.changes(accountId, 0, 10);
    expect(page.changes).toHaveLength(1);
    expect(page.changes[0]!.checkouts).toEqual([
      {
        machine_id: laptop.id,
        machine_name: 'laptop',
        path: '/old/path',
        last_seen: '2026-01-01T00:00:00Z',
      },
    ]);
    // The old checkout takes a state like any other.
    const state = known();
    const out = await storage.push(accountId, {
      machine: laptop,
      changes: [],
      checkouts: [{ uuid, path: '/old/path', git: state }],
    });
    expect(out.checkouts).toEqual([{ uuid, status: 'applied', seq: 3 }]);
    const after = await storage.changes(accountId, 2, 10);
    expect(after.changes[0]!.checkouts[0]!.git).toEqual(state);
    await storage.close();
  });
});
