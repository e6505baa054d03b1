/**
 * A lone `sync push` against a work-prod restored from a backup (issue 13 §5, item 4): only a
 * pull used to notice, so the push's answers marked projects synced at revisions the server
 * had lost. Now the push answer's head (and id) tells it too: that answer marks nothing, and
 * the push repairs as a sync does (one line), without duplicates. The restored server also holds an
 * older incarnation token of the machine: the machine claims its id again rather than taking
 * itself for a copy. SQLite file copied while work-prod is stopped (the same port, so the URL
 * stays).
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncRecord } from '@dev-infra/core';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import { newAccount } from '../../../server/test/helpers.js';
import { ensureBuilt } from '../support/cli.js';
import { serve as serveTarget } from './restorable-server.js';
import { cli, ok, setUpMachines } from './support.js';

/** work-prod on a SQLite file, stopped and started on the same port. */
const serve = (file: string, port = 0) => serveTarget({ kind: 'sqlite', file }, port);

async function records(url: string, key: string): Promise<SyncRecord[]> {
  const res = await fetch(`${url}/api/sync/changes?since=0&limit=1000`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return ((await res.json()) as { changes: SyncRecord[] }).changes;
}

let root: string;
beforeAll(async () => {
  await ensureBuilt();
  root = makeTempDir('dev-infra-push-rollback-');
});
afterAll(removeTempDirs);

it('a lone push to a restored server repairs as a sync does: one line, nothing lost, then quiet', async () => {
  const file = join(root, 'wp.db');
  const backup = join(root, 'backup.db');
  let server = await serve(file);
  const { key } = await newAccount(server.storage);
  const [A] = await setUpMachines(root, server.url, key);
  for (const name of ['one', 'two']) {
    mkdirSync(join(A, 'code', name), { recursive: true });
    await ok(A, ['add', join(A, 'code', name)]);
  }
  await ok(A, ['sync']);
  const { port } = server;
  await server.stop();
  const source = new BetterSqlite3(file, { readonly: true });
  await source.backup(backup);
  source.close();
  server = await serve(file, port);
  // After the backup: edits that move the cursor past what the backup holds.
  for (const d of ['a', 'b', 'c']) {
    await ok(A, ['update', 'one', '--description', `after the backup ${d}`]);
    await ok(A, ['sync']);
  }
  await server.stop();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  copyFileSync(backup, file);
  server = await serve(file, port);

  const machineId = () =>
    (JSON.parse(readFileSync(join(A, 'registry.json'), 'utf8')) as { machine: { id: string } })
      .machine.id;
  const id = machineId();
  await ok(A, ['update', 'two', '--description', 'pushed alone']);
  // The push's answer shows the server went back (its head is below this machine's cursor):
  // the answer marks nothing, and the push repairs as a sync would, at once.
  const pushed = await cli(A, ['sync', 'push']);
  expect(pushed.code, pushed.stderr).toBe(0);
  expect(pushed.stdout).toMatch(
    /^The server was restored from a backup \(its head \d+ is below revisions this machine saw\): pulling everything again/m,
  );
  // The restored server holds an older token of this machine: it is this registry's own
  // (a lower counter), so the id is claimed again, never taken for a copy's.
  expect(pushed.stdout + pushed.stderr).not.toMatch(/copy/);
  expect(machineId()).toBe(id);
  const again = await ok(A, ['sync']);
  expect(again).not.toMatch(/copy|restored/);
  expect(again).toMatch(/^pulled 0, pushed 0$/m);
  const all = await records(server.url, key);
  expect(all.map((r) => r.fields.name).sort()).toEqual(['one', 'two']);
  expect(Object.fromEntries(all.map((r) => [r.fields.name, r.fields.description]))).toEqual({
    one: 'after the backup c',
    two: 'pushed alone',
  });
  expect(machineId()).toBe(id);
  const machines = JSON.parse(await ok(A, ['machines', '--json'])) as { id: string }[];
  expect(machines.map((m) => m.id)).toEqual([id]);
  await server.stop();
}, 120_000);
