/**
 * The same scenario in basic mode: the built CLI against the fake of the ORIGINAL work-prod
 * (integer ids, hard DELETE, 409 on a duplicate path, no tags or checkouts), through the
 * counting proxy.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BasicServer, startBasicServer } from '../../../../test-support/basic-server.js';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import { ensureBuilt } from '../support/cli.js';
import {
  type CountingProxy,
  cli,
  editDifferentFields,
  findProject,
  git,
  makeOriginAndClone,
  ok,
  setUpMachines,
  startProxy,
  stateOf,
} from './support.js';

describe('sync end to end, basic mode (original work-prod API)', () => {
  let server: BasicServer;
  let proxy: CountingProxy;
  let root: string;
  let A: string;
  let B: string;
  let C: string;

  beforeAll(async () => {
    await ensureBuilt();
    server = await startBasicServer();
    proxy = await startProxy(server.url);
    root = makeTempDir('dev-infra-basic-');
    [A, B, C] = await setUpMachines(root, proxy.url);
    makeOriginAndClone(root, 'api', join(A, 'code', 'api'));
  });

  afterAll(async () => {
    await proxy?.close();
    await server?.close();
    removeTempDirs();
  });

  it('remote show says basic', async () => {
    expect(await ok(A, ['remote', 'show'])).toMatch(/protocol: basic/);
  });

  it('A pushes; tags stay local and the limits are named once; B sees it not local', async () => {
    await ok(A, ['add', join(A, 'code', 'api'), '--tag', 'svc', '--type', 'work']);
    const out = await ok(A, ['sync']);
    expect(out.match(/stay local: the server does not support them \(basic mode\)/g)).toHaveLength(
      1,
    );
    // Like the real v0.3.0, the server ignores project_type on a create: it stays local.
    expect(server.projects()).toEqual([
      expect.objectContaining({ name: 'api', path: join(A, 'code', 'api'), project_type: null }),
    ]);
    expect(out.match(/project_type/g)).toHaveLength(1);
    expect((await findProject(A, 'api'))!.tags).toEqual(['svc']);
    await ok(B, ['sync']);
    expect(await findProject(B, 'api')).toMatchObject({ local: false, state: 'not local' });
  });

  it('issue 13: --type Work survives two syncs though the server drops it, named once a sync', async () => {
    for (let i = 0; i < 2; i++) {
      const out = await ok(A, ['sync']);
      // The first takes the server's timestamps (a pull); neither sends anything.
      expect(out).toMatch(i === 0 ? /, pushed 0/ : /pulled 0, pushed 0/);
      expect(out.match(/project_type/g)).toHaveLength(1);
    }
    expect(await findProject(A, 'api')).toMatchObject({ project_type: 'Work' });
    expect(await stateOf(A, 'api')).toBe('synced');
    // A later change of type is not pushed either: the server would drop it again.
    await ok(A, ['update', 'api', '--type', 'personal']);
    proxy.seen.length = 0;
    expect(await ok(A, ['sync'])).toMatch(/pulled 0, pushed 0/);
    expect(proxy.seen).toEqual(['GET /api/projects']);
    await ok(A, ['sync']);
    expect(await findProject(A, 'api')).toMatchObject({ project_type: 'Personal' });
  });

  it("B clones it; the server keeps A's path", async () => {
    await ok(B, ['clone', 'api']);
    expect(existsSync(join(B, 'code', 'api', '.git'))).toBe(true);
    expect(await findProject(B, 'api')).toMatchObject({ local: true });
    await ok(B, ['sync']);
    expect(server.projects()).toHaveLength(1);
    expect(server.projects()[0]!.path).toBe(join(A, 'code', 'api'));
    expect(await stateOf(B, 'api')).toBe('synced');
  });

  it('different fields both survive; the same field is a conflict resolved per --prefer', async () => {
    await editDifferentFields(A, B, 'api');
    expect(server.projects()[0]!.path).toBe(join(A, 'code', 'api'));

    await ok(A, ['update', 'api', '--description', 'A2']);
    await ok(A, ['sync']);
    await ok(B, ['update', 'api', '--description', 'B2']);
    expect(await ok(B, ['sync', '--prefer', 'remote'])).toMatch(
      /1 conflict \(kept remote description of api\)/,
    );
    expect((await findProject(B, 'api'))!.description).toBe('A2');
    await ok(B, ['update', 'api', '--description', 'B3']);
    await ok(A, ['update', 'api', '--description', 'A3']);
    await ok(A, ['sync']);
    expect(await ok(B, ['sync'])).toMatch(/kept local description of api/);
    await ok(A, ['sync']);
    expect((await findProject(A, 'api'))!.description).toBe('B3');
  });

  it('a sync with nothing to do makes one request and writes nothing', async () => {
    await ok(B, ['sync']);
    const file = join(B, 'registry.json');
    const before = [statSync(file).mtimeMs, readFileSync(file, 'utf8')];
    proxy.seen.length = 0;
    expect(await ok(B, ['sync'])).toMatch(/pulled 0, pushed 0/);
    expect(proxy.seen).toEqual(['GET /api/projects']);
    expect([statSync(file).mtimeMs, readFileSync(file, 'utf8')]).toEqual(before);
  });

  it("a duplicate path (409) is created without a path; another machine's path is kept", async () => {
    const dir = join(C, 'code', 'notes');
    git(['init', '-q', dir]);
    await ok(C, ['add', dir]);
    await fetch(`${server.url}/api/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'squatter', path: dir }),
    });
    await ok(C, ['sync']);
    const notes = server.projects().find((p) => p.name === 'notes');
    expect(notes).toMatchObject({ path: null });
    expect(server.projects().find((p) => p.name === 'squatter')!.path).toBe(dir);
  });

  it('a create cut off after the server applied it, rerun, leaves no duplicate', async () => {
    const dir = join(B, 'code', 'tool');
    makeOriginAndClone(root, 'tool', dir);
    await ok(B, ['add', dir]);
    proxy.cutNext('/api/projects', 'POST');
    const cut = await cli(B, ['sync']);
    expect(cut.code).toBe(1);
    expect(cut.stderr.trim().split('\n')).toHaveLength(1);
    await ok(B, ['sync']);
    expect(server.projects().filter((p) => p.name === 'tool')).toHaveLength(1);
    expect(await stateOf(B, 'tool')).toBe('synced');
  });

  it('A removes it everywhere: B shows deleted remotely, keeps its files, it never comes back', async () => {
    await ok(A, ['remove', 'api', '--everywhere']);
    await ok(A, ['sync']);
    expect(server.projects().map((p) => p.name)).not.toContain('api');
    expect(await ok(B, ['sync'])).toMatch(/deleted remotely: api/);
    for (let i = 0; i < 2; i++) {
      await ok(B, ['sync']);
      await ok(A, ['sync']);
    }
    expect(server.projects().map((p) => p.name)).not.toContain('api');
    expect(await stateOf(B, 'api')).toBe('deleted remotely');
    expect(existsSync(join(B, 'code', 'api', '.git'))).toBe(true);
    // The original API deleted it for good: restore refuses rather than guess.
    const restore = await cli(B, ['restore', 'api']);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(
      /^error: api cannot be restored: the server \(basic mode\) deleted it for good/,
    );
  });

  it('machines says basic mode keeps none; with the server stopped sync fails in one line', async () => {
    const m = await cli(A, ['machines']);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/basic mode/);
    await proxy.close();
    expect((await cli(B, ['list', '--all'])).code).toBe(0);
    const sync = await cli(B, ['sync']);
    expect(sync.code).toBe(1);
    expect(sync.stderr.trim().split('\n')).toHaveLength(1);
    expect(sync.stderr).toMatch(/cannot reach/);
  });
});
