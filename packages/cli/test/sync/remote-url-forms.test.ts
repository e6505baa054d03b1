/**
 * Equivalent remote URLs are one value (issue 13 §4): A registers the repo with its https
 * URL, B its own clone whose origin is the ssh form of the same repository. Syncing both ways
 * reports no conflict and pushes no remote_url: the server's value does not flip, and each
 * machine keeps its own git's form locally. A real change of repository is a change, synced
 * like any field. sync-v1 against a real work-prod (SQLite, PostgreSQL), and basic mode
 * against the fake original work-prod.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncRecord } from '@dev-infra/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BasicServer, startBasicServer } from '../../../../test-support/basic-server.js';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../../server/test/helpers.js';
import { ensureBuilt } from '../support/cli.js';
import { useListeningApp } from './listening-app.js';
import { type CountingProxy, git, ok, setUpMachines, startProxy } from './support.js';

const HTTPS = 'https://github.com/acme/one.git';
const SSH = 'git@github.com:acme/one';
const MOVED = 'https://github.com/acme/two.git';

/** The remote URL machine `home` holds for `name`, as its registry stores it. */
const localUrl = (home: string, name: string) =>
  (
    JSON.parse(readFileSync(join(home, 'registry.json'), 'utf8')) as {
      projects: { name: string; remote_url: string | null }[];
    }
  ).projects.find((p) => p.name === name)?.remote_url;

/** A git repository at `dir` whose origin is `origin` (never fetched: the URL is the point). */
function cloneWithOrigin(dir: string, origin: string): void {
  git(['init', '-q', dir]);
  git(['-C', dir, 'remote', 'add', 'origin', origin]);
}

/** A registers the https form and syncs; B its ssh-form clone. Returns both homes. */
async function twoForms(root: string, url: string, key?: string) {
  const [A, B] = await setUpMachines(root, url, key);
  cloneWithOrigin(join(A, 'code', 'one'), HTTPS);
  cloneWithOrigin(join(B, 'code', 'one'), SSH);
  await ok(A, ['add', join(A, 'code', 'one')]);
  expect(await ok(A, ['sync'])).toMatch(/^pulled 0, pushed 1$/m);
  await ok(B, ['add', join(B, 'code', 'one')]);
  return { A, B };
}

describeBackends('equivalent remote URLs, sync-v1', (backend) => {
  const url = useListeningApp(backend);
  let root: string;
  beforeAll(async () => {
    await ensureBuilt();
    root = makeTempDir('dev-infra-urls-');
  });
  afterAll(removeTempDirs);

  it('no conflict, no push of remote_url, each keeps its form; a new repository is synced', async () => {
    const account = await newAccount(backend().storage);
    const record = async () => {
      const res = await fetch(`${url()}/api/sync/changes?since=0`, { headers: account.auth });
      return ((await res.json()) as { changes: SyncRecord[] }).changes;
    };
    const { A, B } = await twoForms(join(root, backend().name), url(), account.key);
    const [created] = await record();
    expect(created?.fields.remote_url).toBe(HTTPS);

    const outs = [await ok(B, ['sync']), await ok(A, ['sync']), await ok(B, ['sync'])];
    for (const out of outs) expect(out).not.toMatch(/conflict/);
    expect(outs[0]).toMatch(/linked: one/);
    const after = await record();
    expect(after).toHaveLength(1);
    // Only B's checkout was added: the fields' revision did not move, the value did not flip.
    expect(after[0]!.rev).toBe(created!.rev);
    expect(after[0]!.fields.remote_url).toBe(HTTPS);
    expect(after[0]!.checkouts).toHaveLength(2);
    expect([localUrl(A, 'one'), localUrl(B, 'one')]).toEqual([HTTPS, SSH]);
    for (const home of [A, B]) {
      expect(await ok(home, ['sync'])).toMatch(/^pulled 0, pushed 0$/m);
      expect(await ok(home, ['status'])).not.toMatch(/modified|diverged/);
    }
    // Another field's change taken from the server leaves B's spelling of the URL alone.
    await ok(A, ['update', 'one', '--description', 'from A']);
    await ok(A, ['sync']);
    expect(await ok(B, ['sync'])).toMatch(/^pulled 1, pushed 0$/m);
    expect(localUrl(B, 'one')).toBe(SSH);
    expect((await record())[0]!.fields).toMatchObject({ remote_url: HTTPS, description: 'from A' });
    expect(await ok(B, ['sync'])).toMatch(/^pulled 0, pushed 0$/m);

    // A real change of repository, made on the server (the API), reaches both machines.
    const listed = (await (
      await fetch(`${url()}/api/projects`, { headers: account.auth })
    ).json()) as { id: number }[] | { projects: { id: number }[] };
    const id = (Array.isArray(listed) ? listed : listed.projects)[0]!.id;
    const patched = await fetch(`${url()}/api/projects/${id}`, {
      method: 'PATCH',
      headers: { ...account.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ remote_url: MOVED }),
    });
    expect(patched.status).toBe(200);
    for (const home of [A, B]) {
      const out = await ok(home, ['sync']);
      expect(out).toMatch(/^pulled 1, pushed 0$/m);
      expect(out).not.toMatch(/conflict/);
      expect(localUrl(home, 'one')).toBe(MOVED);
    }
    expect((await record())[0]!.fields.remote_url).toBe(MOVED);
  }, 120_000);
});

describe('equivalent remote URLs, basic mode (original work-prod API)', () => {
  let server: BasicServer;
  let proxy: CountingProxy;
  let root: string;
  beforeAll(async () => {
    await ensureBuilt();
    server = await startBasicServer();
    proxy = await startProxy(server.url);
    root = makeTempDir('dev-infra-urls-basic-');
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.close();
    removeTempDirs();
  });

  it('no conflict, no PATCH, the server keeps its value; a new repository is synced', async () => {
    const { A, B } = await twoForms(root, proxy.url);
    expect(server.projects().map((p) => p.remote_url)).toEqual([HTTPS]);
    proxy.seen.length = 0;
    const outs = [await ok(B, ['sync']), await ok(A, ['sync']), await ok(B, ['sync'])];
    for (const out of outs) expect(out).not.toMatch(/conflict/);
    // Nothing was written to the server: the lists only.
    expect(proxy.seen.filter((r) => !r.startsWith('GET '))).toEqual([]);
    expect(server.projects().map((p) => p.remote_url)).toEqual([HTTPS]);
    expect([localUrl(A, 'one'), localUrl(B, 'one')]).toEqual([HTTPS, SSH]);
    for (const home of [A, B]) expect(await ok(home, ['sync'])).toMatch(/^pulled 0, pushed 0$/m);
    // Another field's change taken from the server leaves B's spelling of the URL alone.
    await ok(A, ['update', 'one', '--description', 'from A']);
    await ok(A, ['sync']);
    expect(await ok(B, ['sync'])).toMatch(/^pulled 1, pushed 0$/m);
    expect(localUrl(B, 'one')).toBe(SSH);
    expect(server.projects()[0]).toMatchObject({ remote_url: HTTPS, description: 'from A' });
    expect(await ok(B, ['sync'])).toMatch(/^pulled 0, pushed 0$/m);

    const id = server.projects()[0]!.id;
    const patched = await fetch(`${server.url}/api/projects/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ remote_url: MOVED }),
    });
    expect(patched.status).toBe(200);
    for (const home of [A, B]) {
      const out = await ok(home, ['sync']);
      expect(out).toMatch(/^pulled 1, pushed 0$/m);
      expect(localUrl(home, 'one')).toBe(MOVED);
    }
    expect(server.projects().map((p) => p.remote_url)).toEqual([MOVED]);
  }, 120_000);
});
