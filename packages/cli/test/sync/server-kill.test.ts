/**
 * work-prod SIGKILLed at a chosen push batch of a sync, then restarted on the same database
 * (SQLite and PostgreSQL): the cut-off command fails with one line, the rerun completes, and
 * the server holds every project once with every edit.
 *
 * A proxy between the CLI and the server (push-cutter.ts) aims the kill at one
 * `POST /api/sync/push`: case A kills the server once the request is forwarded (the batch
 * may or may not be committed), case B once the server has answered, and forwards only half
 * of the answer (committed, answer lost). Each round pushes more than PUSH_MAX_BATCH changes,
 * so earlier batches land and a later one is cut.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUSH_MAX_BATCH, sameSharedFields } from '@dev-infra/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import {
  describeBackends,
  killServers,
  requireBuilt,
  startServer,
} from '../../../server/test/helpers.js';
import { serializeRegistry } from '../../src/registry/format.js';
import { ensureBuilt } from '../support/cli.js';
import { sampleProject } from '../support/fixtures.js';
import { readRegistry } from '../support/kill-loop.js';
import { serverRecords } from '../support/server-records.js';
import { type CutCase, startPushCutter } from './push-cutter.js';
import { cli } from './support.js';

/** Enough projects that a push of all of them takes two batches (the second one small). */
const PROJECTS = Number(process.env.DEV_INFRA_SERVER_KILL_PROJECTS ?? PUSH_MAX_BATCH + 100);
const ROUNDS = Number(process.env.DEV_INFRA_SERVER_KILLS ?? 4);
/** Edits in the rounds after the first two (a single batch). */
const SMALL_EDITS = 50;
/** Time for a whole request: a 1,000-change push on a loaded machine takes a while. */
const CLI_ENV = { DEV_INFRA_TIMEOUT: '120' };
const registryFile = (home: string) => join(home, 'registry.json');

/** A machine holding `count` never-synced projects k0…kN (registry written directly). */
function seedMachine(home: string, count: number): void {
  mkdirSync(home, { recursive: true });
  const now = new Date().toISOString();
  const projects = Array.from({ length: count }, (_, i) =>
    sampleProject({
      id: randomUUID(),
      name: `k${i}`,
      path: `/nowhere/k${i}`,
      remote_url: `https://github.com/acme/k${i}`,
      project_type: 'Work',
      description: 'r0',
      created_at: now,
      updated_at: now,
    }),
  );
  const registry = { version: 1, machine: { id: randomUUID(), name: 'killer-box' }, projects };
  writeFileSync(registryFile(home), serializeRegistry(registry));
}

/**
 * Edits the description of `names` in the registry file, as a hand edit between two commands
 * would (one `update` process per edit would make a 1,000-edit round far too slow).
 */
function editInFile(home: string, names: Set<string>, description: string): void {
  const registry = readRegistry(home);
  const now = new Date().toISOString();
  for (const p of registry.projects)
    if (names.has(p.name)) Object.assign(p, { description, updated_at: now });
  writeFileSync(registryFile(home), serializeRegistry(registry));
}

/** `count` distinct names among k0…k(PROJECTS-1). */
function pick(count: number): Set<string> {
  const names = Array.from({ length: PROJECTS }, (_, i) => `k${i}`);
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  return new Set(names.slice(0, count));
}

describeBackends('work-prod killed mid-push', (backend) => {
  beforeAll(async () => {
    requireBuilt();
    await ensureBuilt();
  });
  afterAll(() => {
    killServers();
    removeTempDirs();
  });

  it(`${ROUNDS} kills aimed at a push batch: each rerun completes, nothing lost or doubled`, async () => {
    const db = ['--db', backend().dbArg];
    const env = { USER: 'killer' };
    let server = await startServer(db, env);
    const key = (await server.waitFor(/--key (wp_[\w-]{43})$/m))[1]!;
    const proxy = await startPushCutter(server.url);
    const home = join(makeTempDir('dev-infra-srvkill-'), 'home');
    seedMachine(home, PROJECTS);
    expect((await cli(home, ['remote', 'set', proxy.url, '--key', key])).code).toBe(0);

    /** What the server must hold once the round's rerun is done: name → description. */
    const expected = new Map(Array.from({ length: PROJECTS }, (_, i) => [`k${i}`, 'r0']));
    const outcomes: string[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const kase: CutCase = round % 2 === 0 ? 'A' : 'B';
        // Round 0 creates every project (two batches); round 1 edits more than a batch of
        // them; later rounds edit a few (one batch, cut before anything landed).
        let changes = PROJECTS;
        if (round > 0) {
          const spare = PROJECTS - PUSH_MAX_BATCH - 1;
          const count =
            round === 1 ? PUSH_MAX_BATCH + 1 + Math.floor(Math.random() * spare) : SMALL_EDITS;
          const edited = pick(count);
          editInFile(home, edited, `r${round}`);
          for (const name of edited) expected.set(name, `r${round}`);
          changes = edited.size;
        }
        const batches = Math.ceil(changes / PUSH_MAX_BATCH);
        // Never the first of several batches, so that some land before the cut.
        const batch = batches === 1 ? 0 : 1 + Math.floor(Math.random() * (batches - 1));
        const dead = server;
        const cutting = proxy.aim({
          kase,
          batch,
          delayMs: Math.random() * 200,
          kill: () => dead.stop('SIGKILL'),
        });
        const first = await cli(home, ['sync'], { env: CLI_ENV });
        const cut = await Promise.race([
          cutting,
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`no cut; sync said ${first.stderr}`)), 5_000),
          ),
        ]);
        expect(proxy.pushes()).toBe(batch + 1);
        // One clear line, no stack.
        expect(first.code, first.stdout).not.toBe(0);
        expect(first.stderr).toMatch(/^error: [^\n]+\n$/);
        expect(first.stderr).not.toMatch(/\n\s+at /);
        expect(readRegistry(home).projects).toHaveLength(PROJECTS);

        // A batch is one transaction: all of it was committed, or none.
        const records = await serverRecords(backend().storage);
        const landed = cut.request.changes.filter((c) => {
          const r = records.get(c.uuid);
          return r !== undefined && !('deleted' in c) && sameSharedFields(r.fields, c.fields);
        }).length;
        expect([0, cut.request.changes.length]).toContain(landed);
        const committed = landed > 0;
        if (kase === 'B') expect(committed).toBe(true);
        outcomes.push(
          `${kase}: batch ${batch + 1}/${batches} ${committed ? 'committed' : 'not committed'}` +
            (cut.answeredBeforeKill ? ' (server had answered)' : ''),
        );

        // An edit made while the server is down, to a project of the cut batch.
        const late = readRegistry(home).projects.find(
          (p) => p.id === cut.request.changes[0]!.uuid,
        )!;
        const lateEdit = await cli(home, ['update', late.name, '--description', `late${round}`]);
        expect(lateEdit.code, lateEdit.stderr).toBe(0);
        expected.set(late.name, `late${round}`);

        server = await startServer(db, env);
        proxy.upstream = server.url;
        const rerun = await cli(home, ['sync'], { env: CLI_ENV });
        expect(rerun.code, rerun.stderr).toBe(0);
        const again = await cli(home, ['sync'], { env: CLI_ENV });
        expect(again.stdout).toMatch(/pulled 0, pushed 0/);

        const after = [...(await serverRecords(backend().storage)).values()];
        const live = after.filter((r) => !r.deleted);
        expect(live).toHaveLength(PROJECTS);
        expect(new Set(live.map((r) => r.fields.name)).size).toBe(PROJECTS);
        expect(new Set(after.map((r) => r.seq)).size).toBe(after.length);
        const wrong = live.filter((r) => r.fields.description !== expected.get(r.fields.name));
        expect(wrong.map((r) => `${r.fields.name}: ${r.fields.description}`)).toEqual([]);
        const local = readRegistry(home).projects;
        expect(local.filter((p) => p.description !== expected.get(p.name))).toEqual([]);
      }
    } finally {
      await proxy.close();
      await server.stop();
    }
    console.log(`server kills [${backend().name}]`, outcomes);
  }, 240_000);
});
