/**
 * The registry under concurrent and interrupted writers: real processes of the built CLI,
 * started together or SIGKILLed at random moments.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../test-support/tmp.js';
import { serializeRegistry } from '../src/registry/format.js';
import { parseRegistry } from '../src/registry/read.js';
import { ensureBuilt, exited, makeRepo, runCli, startCli } from './support/cli.js';
import { sampleProject } from './support/fixtures.js';

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

const readRegistry = (home: string) => {
  const file = join(home, 'registry.json');
  return parseRegistry(readFileSync(file, 'utf8'), file);
};

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
  /** A registry big enough (400 projects) that the write itself takes a while. */
  function seed(home: string): void {
    mkdirSync(home, { recursive: true });
    const now = new Date().toISOString();
    const projects = Array.from({ length: 400 }, (_, i) =>
      sampleProject({
        id: randomUUID(),
        name: `p${i}`,
        path: `/nowhere/p${i}`,
        remote_url: `https://github.com/acme/p${i}`,
        description: 'v0',
        tags: ['a', 'b'],
        created_at: now,
        updated_at: now,
      }),
    );
    const registry = { version: 1, machine: { id: randomUUID(), name: null }, projects };
    writeFileSync(join(home, 'registry.json'), serializeRegistry(registry));
  }

  /**
   * Runs writes, each SIGKILLed after a random delay, until `kills` of them were really killed
   * (or 3 x `kills` rounds); checks the file after every one.
   */
  async function killLoop(home: string, kills: number, calibrated: number) {
    // Adapts to the machine's load: a kill before the write widens the window, a run that
    // completes narrows it, so kills keep landing around the write.
    let window = calibrated;
    let current = 'v0';
    const outcomes = { completed: 0, killedOld: 0, killedNew: 0, killedMidWrite: 0 };
    for (let i = 1; outcomes.killedOld + outcomes.killedNew < kills && i <= kills * 3; i++) {
      const next = `v${i}`;
      const child = startCli(home, ['update', 'p7', '--description', next]);
      const end = exited(child);
      // Every other round aims at the late part of a run, where the write happens.
      const delay = i % 2 === 0 ? Math.random() * window : window * (0.5 + Math.random() * 0.7);
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const result = await end;
      clearTimeout(timer);
      const registry = readRegistry(home); // throws if the file is not whole and valid
      expect(registry.projects).toHaveLength(400);
      const description = registry.projects.find((p) => p.name === 'p7')!.description;
      if (result === 0) {
        expect(description).toBe(next);
        outcomes.completed++;
      } else {
        expect(result).toBe('SIGKILL');
        expect([current, next]).toContain(description);
        if (description === next) outcomes.killedNew++;
        else outcomes.killedOld++;
      }
      current = description!;
      window *= result === 0 ? 0.85 : description === next ? 1 : 1.02;
      // A writer killed while holding the lock leaves it behind; the next writer would wait
      // for it to go stale (10 s; tested above). Remove it to keep this loop fast.
      rmSync(join(home, 'registry.json.lock'), { recursive: true, force: true });
      // A temp file left next to the registry means the kill landed inside the atomic write.
      const temps = readdirSync(home).filter((f) => /^registry\.json\.[0-9a-f]+$/.test(f));
      if (temps.length > 0) outcomes.killedMidWrite++;
      for (const f of temps) rmSync(join(home, f));
    }
    return outcomes;
  }

  /** Kills in all (split over two machines); DEV_INFRA_KILLS raises it for a heavier run. */
  const KILLS = Number(process.env.DEV_INFRA_KILLS ?? 200);

  it(`always leaves the old or the new registry, whole (${KILLS} kills)`, async () => {
    const root = makeTempDir('dev-infra-kill-');
    const homes = [join(root, 'm1'), join(root, 'm2')];
    for (const home of homes) seed(home);
    // Calibrate the window to one full run so kills land at every stage, write included.
    const start = Date.now();
    expect(runCli(homes[0]!, ['update', 'p7', '--description', 'v0']).code).toBe(0);
    const window = (Date.now() - start) * 1.3;
    const results = await Promise.all(
      homes.map((home, i) =>
        killLoop(home, Math.ceil(KILLS / 2) - (i === 1 ? KILLS % 2 : 0), window),
      ),
    );
    const total = results.reduce((a, r) => ({
      completed: a.completed + r.completed,
      killedOld: a.killedOld + r.killedOld,
      killedNew: a.killedNew + r.killedNew,
      killedMidWrite: a.killedMidWrite + r.killedMidWrite,
    }));
    // The runs must really have been killed, or the loop proves nothing.
    expect(total.killedOld + total.killedNew).toBe(KILLS);
    console.log('kill loop outcomes', total);
  }, 240_000);
});
