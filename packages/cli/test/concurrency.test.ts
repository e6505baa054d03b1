/**
 * The registry under concurrent and interrupted writers: real processes of the built CLI,
 * started together or SIGKILLed at random moments (`add`, `update`, `remove`, and `sync`
 * against a real work-prod).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../test-support/tmp.js';
import { openStorage } from '../../server/src/storage/open.js';
import type { Storage } from '../../server/src/storage/types.js';
import {
  killServers,
  requireBuilt,
  type ServerProcess,
  startServer,
} from '../../server/test/helpers.js';
import { type Registry, serializeRegistry } from '../src/registry/format.js';
import { ensureBuilt, exited, makeRepo, runCli, startCli } from './support/cli.js';
import { sampleProject } from './support/fixtures.js';
import {
  addOutcomes,
  KINDS,
  KillMachine,
  type Kind,
  type Outcomes,
  readRegistry,
} from './support/kill-loop.js';
import { serverRecords } from './support/server-records.js';
import { cli } from './sync/support.js';

beforeAll(ensureBuilt);
afterAll(removeTempDirs);

/** Collects a started process's stderr; call the result for the text so far. */
function collectStderr(child: ChildProcess): () => string {
  let text = '';
  child.stderr!.on('data', (d) => {
    text += d;
  });
  return () => text;
}

describe('concurrent writers', () => {
  it('20 `add` processes started at once leave 20 entries and a valid file', async () => {
    const root = makeTempDir('dev-infra-conc-');
    const home = join(root, 'home');
    const dirs = Array.from({ length: 20 }, (_, i) =>
      makeRepo(join(root, 'code', `p${i}`), `git@github.com:acme/p${i}.git`),
    );
    const children = dirs.map((dir) => startCli(home, ['add', dir]));
    const stderr = children.map(collectStderr);
    const codes = await Promise.all(children.map(exited));
    expect(codes, stderr.map((s) => s()).join('')).toEqual(dirs.map(() => 0));
    const registry = readRegistry(home);
    expect(registry.projects.map((p) => p.path).sort()).toEqual([...dirs].sort());
    expect(new Set(registry.projects.map((p) => p.id)).size).toBe(20);
    expect(existsSync(join(home, 'registry.json.lock'))).toBe(false);
  });

  it('50 processes adding, updating and removing at once lose nothing', async () => {
    const root = makeTempDir('dev-infra-mixed-');
    const home = join(root, 'home');
    mkdirSync(home);
    const now = new Date().toISOString();
    const seeded = Array.from({ length: 40 }, (_, i) =>
      sampleProject({ id: randomUUID(), name: `s${i}`, path: `/nowhere/s${i}`, created_at: now }),
    );
    writeFileSync(
      join(home, 'registry.json'),
      serializeRegistry({
        version: 1,
        machine: { id: randomUUID(), name: null },
        projects: seeded,
      }),
    );
    const added = Array.from({ length: 20 }, (_, i) => makeRepo(join(root, 'code', `n${i}`)));
    const commands = [
      ...added.map((dir) => ['add', dir]),
      ...Array.from({ length: 15 }, (_, i) => ['update', `s${i}`, '--description', `d${i}`]),
      ...Array.from({ length: 15 }, (_, i) => ['remove', `s${15 + i}`]),
    ];
    // Interleave the kinds so that adds, updates and removes really overlap.
    commands.sort(
      (x, y) => ((x[1]!.length * 7 + x[0]!.length) % 5) - ((y[1]!.length * 7 + y[0]!.length) % 5),
    );
    const children = commands.map((args) => startCli(home, args));
    const stderr = children.map(collectStderr);
    const codes = await Promise.all(children.map(exited));
    expect(codes, stderr.map((e) => e()).join('')).toEqual(commands.map(() => 0));
    const projects = readRegistry(home).projects;
    const names = projects.map((p) => p.name).sort();
    const expected = [
      ...Array.from({ length: 15 }, (_, i) => `s${i}`),
      ...Array.from({ length: 10 }, (_, i) => `s${30 + i}`),
      ...Array.from({ length: 20 }, (_, i) => `n${i}`),
    ].sort();
    expect(names).toEqual(expected);
    for (let i = 0; i < 15; i++)
      expect(projects.find((p) => p.name === `s${i}`)!.description).toBe(`d${i}`);
    expect(new Set(projects.map((p) => p.id)).size).toBe(45);
    expect(existsSync(join(home, 'registry.json.lock'))).toBe(false);
  }, 90_000);

  it('a writer waits for a held lock, and takes over a stale one', async () => {
    const root = makeTempDir('dev-infra-lock-');
    const home = join(root, 'home');
    mkdirSync(home);
    const lock = join(home, 'registry.json.lock');

    // Held: another process is (apparently) writing; the add waits until it is released.
    mkdirSync(lock);
    const waiting = startCli(home, ['add', makeRepo(join(root, 'a'))]);
    const done = exited(waiting);
    await new Promise((r) => setTimeout(r, 1500));
    expect(existsSync(join(home, 'registry.json'))).toBe(false);
    rmSync(lock, { recursive: true });
    expect(await done).toBe(0);
    expect(readRegistry(home).projects.map((p) => p.name)).toEqual(['a']);

    // Stale: left by a killed command long ago; the next writer takes it over.
    mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const r = runCli(home, ['add', makeRepo(join(root, 'b'))]);
    expect(r.code, r.stderr).toBe(0);
    expect(
      readRegistry(home)
        .projects.map((p) => p.name)
        .sort(),
    ).toEqual(['a', 'b']);
  });
});

describe('writers killed at random moments', () => {
  /** Kills in all, split over two machines and four commands; DEV_INFRA_KILLS raises it. */
  const KILLS = Number(process.env.DEV_INFRA_KILLS ?? 200);
  const perKind = Math.max(1, Math.round(KILLS / (2 * KINDS.length)));

  let server: ServerProcess | undefined;
  let storage: Storage | undefined;
  afterAll(async () => {
    await server?.stop();
    await storage?.close();
    killServers();
  });

  /** A registry big enough (200 projects) that the write itself takes a while. */
  function seed(home: string, prefix: string): void {
    mkdirSync(home, { recursive: true });
    const now = new Date().toISOString();
    const projects = Array.from({ length: 200 }, (_, i) =>
      sampleProject({
        id: randomUUID(),
        name: `${prefix}p${i}`,
        path: `/nowhere/${prefix}p${i}`,
        remote_url: `https://github.com/acme/${prefix}p${i}`,
        project_type: 'Work',
        description: 'v0',
        tags: ['a', 'b'],
        created_at: now,
        updated_at: now,
      }),
    );
    const registry = { version: 1, machine: { id: randomUUID(), name: prefix }, projects };
    writeFileSync(join(home, 'registry.json'), serializeRegistry(registry));
  }

  /**
   * Completes a killed sync: the rerun exits 0, shows the same projects, and the server
   * holds each of this machine's projects once, with its description.
   */
  async function rerunSync(home: string, before: Registry): Promise<void> {
    const rerun = await cli(home, ['sync']);
    expect(rerun.code, rerun.stderr).toBe(0);
    const after = readRegistry(home);
    expect(after.projects).toHaveLength(before.projects.length);
    const live = [...(await serverRecords(storage!)).values()].filter((r) => !r.deleted);
    expect(new Set(live.map((r) => r.fields.name)).size).toBe(live.length);
    const byUuid = new Map(live.map((r) => [r.uuid, r]));
    for (const p of after.projects) {
      expect(byUuid.get(p.id)?.fields.description, p.name).toBe(p.description);
      expect(byUuid.get(p.id)?.checkouts.map((c) => c.path)).toContain(p.path);
    }
  }

  it(`always leaves the old or the new registry, whole (${KILLS} kills)`, async () => {
    requireBuilt();
    const root = makeTempDir('dev-infra-kill-');
    server = await startServer(['--db', join(root, 'work-prod.db')], { USER: 'killer' });
    const key = (await server.waitFor(/--key (wp_[\w-]{43})$/m))[1]!;
    storage = await openStorage({ kind: 'sqlite', file: join(root, 'work-prod.db') });
    const machines = ['a', 'b'].map((prefix) => {
      const home = join(root, prefix);
      seed(home, prefix);
      return new KillMachine(home, prefix, join(root, 'code'), rerunSync);
    });
    // Time one full run of each command, so kills land at every stage.
    await Promise.all(
      machines.map(async (m) => {
        expect((await cli(m.home, ['remote', 'set', server!.url, '--key', key])).code).toBe(0);
        await m.complete('sync'); // the first push of all 200 projects
        for (const kind of KINDS) await m.complete(kind);
      }),
    );
    const settled = await Promise.allSettled(
      machines.map((m) =>
        m.loop(perKind).catch((error: unknown) => {
          for (const other of machines) other.stop();
          throw error;
        }),
      ),
    );
    const results = settled.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    });
    const byKind = Object.fromEntries(
      KINDS.map((k) => [k, addOutcomes(results[0]![k], results[1]![k])]),
    ) as Record<Kind, Outcomes>;
    const total = Object.values(byKind).reduce(addOutcomes);
    // The runs must really have been killed, or the loop proves nothing.
    for (const kind of KINDS)
      expect(byKind[kind].killedOld + byKind[kind].killedNew, kind).toBe(2 * perKind);
    console.log('kill loop outcomes', { ...byKind, total });
  }, 300_000);
});
