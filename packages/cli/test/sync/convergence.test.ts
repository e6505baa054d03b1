/**
 * Convergence, property-based: 3 to 5 machines (separate DEV_INFRA_HOME folders) run the CLI's
 * own command code (in this process, so a thousand operations stay fast) against a real
 * work-prod over HTTP, on SQLite and on PostgreSQL, in random interleavings of add, update,
 * remove, remove --everywhere, clone (a real `git clone` of the project's origin), tag edits
 * (one tag added or removed: set-merge, modelled per tag), sync push, sync pull and sync, and
 * server restores (`snapshot` copies the database with work-prod stopped; `restore` puts the
 * last snapshot back in its place and restarts work-prod on the same port). A model records
 * which edit each push carried and which records were deleted. After two final rounds of
 * syncs, `sync --verify` on every machine must agree with no repair left to do; then: one live
 * record per project name (and remote URL), none under a name deleted everywhere, the last
 * pushed edit of every field and tag on the server, every machine agreeing with the server on
 * every project it holds (or showing it as deleted remotely), no machine holding a project
 * twice, a deleted record never live again, and no sync rejecting anything. A restore changes
 * none of that: the edits and deletions it took away are expected back (machines that saw them
 * push them again, with their stamps), and an edit pushed after it wins over one it took away,
 * as the later push always does (docs/sync-internals.md, Rollback detection).
 *
 * CONVERGENCE_SEED replays a run (the seed is in the test's name and printed); CONVERGENCE_OPS
 * sets the operations per run (default 250), CONVERGENCE_RUNS the runs per backend (default 4);
 * CONVERGENCE_SHRINK=1 lets fast-check shrink a failure (slow); CONVERGENCE_TRACE=1 prints
 * each operation with what every machine holds before it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normaliseRemoteUrl, PROJECT_STATUSES } from '@dev-infra/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSeed } from '../../../../test-support/seed.js';
import { postgresAdminUrl } from '../../../../test-support/services.js';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import { newAccount } from '../../../server/test/helpers.js';
import { runAdd } from '../../src/commands/add/run.js';
import { runClone } from '../../src/commands/clone/run.js';
import { runRemoteSet } from '../../src/commands/remote/run.js';
import { runRemove } from '../../src/commands/remove/run.js';
import { runUpdate } from '../../src/commands/update/run.js';
import type { Context } from '../../src/context.js';
import { UserError } from '../../src/errors.js';
import type { LocalProject, Registry } from '../../src/registry/format.js';
import { parseRegistry } from '../../src/registry/read.js';
import { runSyncCommand } from '../../src/sync/run.js';
import { projectSync } from '../../src/sync/state.js';
import { makeRepo } from '../support/cli.js';
import { testContext } from '../support/context.js';
import { postgresDb, serve, sqliteDb, type TestDb } from './restorable-server.js';

const SEED = testSeed('CONVERGENCE_SEED');
/**
 * Seeds that once found a bug, replayed on every run (with the default runs and operations)
 * unless CONVERGENCE_SEED is set. 1055082488 (server restores): a deletion of a record the
 * server lost was refused; a lost project made anew elsewhere was pushed twice; a record
 * below the synced revision, in a page or a conflict, went unrepaired; a lost record was
 * pushed on its old revision and refused; checkouts the restore brought back kept a project
 * registered again from linking. 1056073741: the model counted a deletion of a project the
 * restored server no longer had as a tombstone (there is none to keep; see the limits).
 * 1056326128: a checkout of a record the server lost was refused instead of repaired. 777002:
 * a checkout removal lost by a restore went unseen (the digest left checkouts out), so the
 * machine's project registered again was pushed as a second record. Each is
 * replayed up to the run that failed (`runs`), to keep the file's time in CI down.
 */
const FOUND_SEEDS: { seed: number; runs: number }[] = process.env.CONVERGENCE_SEED
  ? []
  : [
      { seed: 1055082488, runs: 3 },
      { seed: 1056073741, runs: 2 },
      { seed: 1056326128, runs: 1 },
      { seed: 777002, runs: 1 },
      // A lone push linked against the feed of a restored server from its stale cursor; then
      // (with stamps) a tag removal lost: the restored server already held the value it set.
      { seed: 1886210475, runs: 4 },
      // A never-synced project linked, in a repair, to a record the server had lost parts of
      // that the cache held: the cache's restore and the link fought, and the project's first
      // push took the lost tags away again (123123; 77 the same with a description).
      { seed: 123123, runs: 1 },
      { seed: 77, runs: 4 },
      // A project deleted everywhere came back: a machine's record of it, lost by a restore
      // before the project was registered anew elsewhere and deleted, was pushed back.
      { seed: 217, runs: 1 },
      // A project deleted everywhere came back: registered anew elsewhere while the server had
      // lost the deleted record, the new record outlived the deletion (465, 713).
      { seed: 465, runs: 1 },
      { seed: 713, runs: 2 },
      // A second record of one project: a checkout a restore brought back after its removal,
      // seen by no repair, kept the project registered here again from linking (775).
      { seed: 775, runs: 4 },
      // A deletion undone: an edit from a copy that never saw it named the tombstone's
      // revision, handed out again by a restored server, and was taken as a restore (1426).
      { seed: 1426, runs: 3 },
      // A lone push's repair was refused for the machine's identity (the restored server held
      // an older incarnation) after it had emptied the cache; the retry pushed every project
      // as lost, past the linking that would have joined a record made anew (465 with the
      // digest check before linking: duplicates; 1395: a second record of a project, and one
      // deleted everywhere live again).
      { seed: 1395, runs: 3 },
      // An edit only one machine's cache still had (it had stopped holding the project) was
      // lost with the record, which a restore took away altogether: the repair makes it again
      // from the cache, or puts its later parts on the record made anew meanwhile (961).
      { seed: 961, runs: 1 },
      // An edit lost with the project: a machine whose slot held what the server had lost
      // (marked behind) removed the project here before its push restored it (3005).
      { seed: 3005, runs: 1 },
      // A project deleted everywhere came back: a restore took its record away altogether;
      // another machine's record of the same repo, made on a copy of the server that lacked
      // it before the deletion, outlived the tombstone a repair made again (2014).
      { seed: 2014, runs: 4 },
      // Tag edits lost: one the merge took as agreed (the server held the value, stamped
      // before a later removal a restore took away) went unpushed, and a project linked again
      // after a restore merged its tags without the base it had, dropping the record's (2030).
      { seed: 2030, runs: 2 },
      // A project deleted everywhere came back: registered on a machine before the deletion,
      // it was linked in a repair by revisions the restored server had handed out again, so
      // the tombstone looked seen and the project went out as new (2055, 2057).
      { seed: 2055, runs: 1 },
      { seed: 2057, runs: 1 },
      // An edit lost to add's defaults: a project registered before any pull has no sync slot,
      // and its first push stamped every field, outranking a lost record's values (3016).
      { seed: 3016, runs: 2 },
      // A description lost, found by the same hunt on the code before 3016's fix (2070).
      { seed: 2070, runs: 4 },
    ];
const OPS = Number(process.env.CONVERGENCE_OPS ?? 250);
const RUNS = Number(process.env.CONVERGENCE_RUNS ?? 4);
const TRACE = process.env.CONVERGENCE_TRACE === '1';
const NAMES = ['api', 'web', 'cli', 'docs', 'infra', 'data'];
const TAGS = ['red', 'green', 'blue'];

type Op =
  | { kind: 'add' | 'remove' | 'everywhere' | 'clone'; m: number; p: number }
  | { kind: 'describe'; m: number; p: number }
  | { kind: 'status'; m: number; p: number; s: number }
  | { kind: 'tag'; m: number; p: number; t: number }
  | { kind: 'push' | 'pull' | 'sync'; m: number }
  | { kind: 'snapshot' | 'restore' };

const opArb = (machines: number): fc.Arbitrary<Op> => {
  const m = fc.integer({ min: 0, max: machines - 1 });
  const p = fc.integer({ min: 0, max: NAMES.length - 1 });
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), m, p }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('describe' as const), m, p }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('status' as const),
        m,
        p,
        s: fc.integer({ min: 0, max: PROJECT_STATUSES.length - 1 }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('tag' as const),
        m,
        p,
        t: fc.integer({ min: 0, max: TAGS.length - 1 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('snapshot' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('restore' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), m, p }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('everywhere' as const), m, p }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('clone' as const), m, p }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('push' as const), m }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('pull' as const), m }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('sync' as const), m }) },
  );
};

const scenarioArb = fc.integer({ min: 3, max: 5 }).chain((machines) =>
  fc.record({
    machines: fc.constant(machines),
    ops: fc.array(opArb(machines), { minLength: OPS, maxLength: OPS }),
  }),
);

type Field = 'description' | 'status';
/** A tag's membership is modelled as a field of its own (`tag:red`): set-merge is per tag. */
type Key = Field | `tag:${string}`;
/** What the model expects: per project, the last pushed value of each field; tombstones. */
interface Model {
  /** Edits made on a machine and not yet carried by one of its pushes: [m][name][field]. */
  pending: Map<string, string | null>[];
  /** The value of the edit whose push came last. */
  pushed: Map<string, string | null>;
  /** The operation index of the push that set each of `pushed`. */
  pushedAt: Map<string, number>;
  tombstoned: Set<string>;
  /** remove --everywhere done on a machine, not yet pushed. */
  pendingDelete: Set<string>[];
  /** The uuids those removals deleted (pending per machine, then pushed). */
  pendingDeleteIds: Set<string>[];
  tombstonedIds: Set<string>;
  /** The operation index of the push that carried each deletion (by uuid and by name). */
  tombstonedAt: Map<string, number>;
}

const key = (name: string, field: Key) => `${name}/${field}`;
/** The value a key has in `fields`: a field's value, or whether the project has the tag. */
const keyValue = (
  fields: { description: string | null; status: string; tags: string[] },
  k: Key,
) => (k.startsWith('tag:') ? (fields.tags.includes(k.slice(4)) ? '1' : '0') : fields[k as Field]);

/** What each machine holds, e.g. `m0[api:1a2bs web:3c4dn]` (s synced, n new, D deleted remotely). */
function trace(registry: (m: number) => Registry | undefined, machines: number): string {
  const state = (x: LocalProject) => {
    const sync = projectSync(x);
    return sync ? (sync.deleted_remotely ? 'D' : 's') : 'n';
  };
  const held = (m: number) =>
    (registry(m)?.projects ?? []).map((x) => `${x.name}:${x.id.slice(0, 4)}${state(x)}`);
  return Array.from({ length: machines }, (_, m) => `m${m}[${held(m).join(' ')}]`).join(' ');
}

describe.each(['sqlite', 'postgres'] as const)('convergence of 3 to 5 machines [%s]', (kind) => {
  const adminUrl = kind === 'postgres' ? postgresAdminUrl() : undefined;
  if (kind === 'postgres' && !adminUrl) {
    it.skip('PostgreSQL is not available (set TEST_DATABASE_URL)', () => {});
    return;
  }
  // work-prod on a database of its own, so that a `restore` can put a snapshot back while
  // it is stopped (on the same port: the machines' URL stays).
  let db: TestDb;
  let server: Awaited<ReturnType<typeof serve>>;
  const restart = async (between: () => Promise<void>) => {
    const { port } = server;
    await server.stop();
    await between();
    server = await serve(db.target, port);
  };
  let runIndex = 0;
  const figures = {
    runs: 0,
    operations: 0,
    syncs: 0,
    clones: 0,
    tagEdits: 0,
    snapshots: 0,
    restores: 0,
    repairs: 0,
    editsLostByRestore: 0,
    deletionsLostByRestore: 0,
    deletedRemotely: 0,
  };
  let origins = '';
  beforeAll(async () => {
    db =
      kind === 'postgres'
        ? await postgresDb(adminUrl!)
        : sqliteDb(makeTempDir('dev-infra-conv-db-'));
    server = await serve(db.target);
    // One bare origin per project name, cloned for real by the `clone` operation; empty
    // (git clones an empty repository fine), which keeps the set-up to one git call each.
    origins = makeTempDir('dev-infra-conv-origins-');
    for (const name of NAMES)
      execFileSync('git', ['init', '-q', '--bare', join(origins, `${name}.git`)]);
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
    removeTempDirs();
  });

  for (const { seed, runs } of [
    { seed: SEED, runs: RUNS },
    ...FOUND_SEEDS.filter((f) => f.seed !== SEED),
  ])
    it(`converges (${runs} runs x ${OPS} operations, seed ${seed})`, async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb, async ({ machines, ops }) => {
          runIndex++;
          const account = await newAccount(server.storage, `conv${runIndex}`);
          const serverUrl = () => server.url;
          // A snapshot of this run's (the snapshot holds every account; one of an earlier
          // run would take this run's account away).
          let snapshotAt: number | undefined;
          const root = makeTempDir('dev-infra-conv-');
          const homes = Array.from({ length: machines }, (_, i) => join(root, `m${i}`));
          // Each machine's commands print into a context of their own; the tests read the files.
          const on = async <T>(m: number, fn: (ctx: Context) => Promise<T>): Promise<T> =>
            fn(testContext({ home: homes[m]! }));
          for (let m = 0; m < machines; m++)
            await on(m, (ctx) => runRemoteSet(ctx, serverUrl(), { key: account.key }));
          const folder = (m: number, p: number) => {
            const dir = join(root, `code${m}`, NAMES[p]!);
            return dir;
          };
          const made = new Set<string>();
          const registry = (m: number) => {
            const file = join(homes[m]!, 'registry.json');
            try {
              return parseRegistry(readFileSync(file, 'utf8'), file);
            } catch (e) {
              if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
              throw e;
            }
          };
          const holds = (m: number, name: string) =>
            registry(m)?.projects.find((x) => x.name === name);
          const model: Model = {
            pending: homes.map(() => new Map()),
            pushed: new Map(),
            pushedAt: new Map(),
            tombstoned: new Set(),
            pendingDelete: homes.map(() => new Set()),
            pendingDeleteIds: homes.map(() => new Set()),
            tombstonedIds: new Set(),
            tombstonedAt: new Map(),
          };
          let opIndex = 0;
          const carry = (m: number) => {
            for (const [k, v] of model.pending[m]!) {
              const name = k.split('/')[0]!;
              if (model.tombstoned.has(name)) continue;
              model.pushed.set(k, v);
              model.pushedAt.set(k, opIndex);
            }
            model.pending[m]!.clear();
            for (const name of model.pendingDelete[m]!) {
              model.tombstoned.add(name);
              model.tombstonedAt.set(name, opIndex);
            }
            model.pendingDelete[m]!.clear();
            for (const id of model.pendingDeleteIds[m]!) {
              model.tombstonedIds.add(id);
              model.tombstonedAt.set(id, opIndex);
            }
            model.pendingDeleteIds[m]!.clear();
          };
          /**
           * Drops m's pending edits the merge cannot see: the field is back at the value of
           * the last sync (the base), so it is no edit (a three-way merge, as git's: a change
           * undone before it is pushed is no change) and the server's value wins. Seed
           * 881818101 caught the model: m0 set api paused, then active again (its base), and
           * m1's pushed paused rightly stayed.
           */
          const settle = (m: number) => {
            for (const k of [...model.pending[m]!.keys()]) {
              const [name, field] = k.split('/') as [string, Key];
              const local = holds(m, name);
              const base = local && projectSync(local)?.base;
              if (base && keyValue(local, field) === keyValue(base, field))
                model.pending[m]!.delete(k);
            }
          };
          const sync = async (m: number, pull: boolean, push: boolean, verify = false) => {
            settle(m);
            const report = await on(m, async (ctx) =>
              runSyncCommand(
                {
                  pull,
                  push,
                  verify,
                  dryRun: false,
                  prefer: 'local',
                  paths: ctx.paths,
                  now: ctx.now().toISOString(),
                },
                await ctx.remote(),
              ),
            );
            figures.syncs++;
            if (TRACE)
              console.log(
                `  m${m} sync`,
                JSON.stringify(report.notes),
                report.pulled_projects,
                report.pushed_projects,
                JSON.stringify(report.conflicts),
              );
            figures.repairs += report.notes.filter((n) =>
              /pulling everything again/.test(n),
            ).length;
            expect(report.rejected, JSON.stringify(report.rejected)).toEqual([]);
            // A repair pushes even in `sync pull`.
            // A repair pushes even in `sync pull`.
            if (push || report.pushed > 0) carry(m);
            else settle(m);
            return report;
          };
          const forget = (name: string) => (k: string) => k.startsWith(`${name}/`);
          const dropPending = (m: number, name: string) => {
            for (const k of [...model.pending[m]!.keys()])
              if (forget(name)(k)) model.pending[m]!.delete(k);
          };

          for (const [i, op] of ops.entries()) {
            opIndex = i;
            figures.operations++;
            if (TRACE) {
              const held = (await server.storage.changes(account.id, 0, 1000)).changes.map(
                (r) =>
                  `${r.fields.name}:${r.uuid.slice(0, 4)}@${r.rev}${r.deleted ? 'D' : ''}[${r.fields.tags}]`,
              );
              console.log(
                `r${runIndex}`,
                i,
                JSON.stringify(op),
                trace(registry, machines),
                `server[${held.join(' ')}]`,
              );
            }
            const name = 'p' in op ? NAMES[op.p]! : '';
            const here = 'p' in op ? holds(op.m, name) : undefined;
            const gone = here !== undefined && projectSync(here)?.deleted_remotely !== undefined;
            switch (op.kind) {
              case 'add': {
                // A project deleted everywhere is not registered again (that would be a new
                // project by the user's choice, not a resurrection).
                if (here || model.tombstoned.has(name)) break;
                if (model.pendingDelete.some((s) => s.has(name))) break;
                const dir = folder(op.m, op.p);
                if (!made.has(dir)) {
                  makeRepo(dir, join(origins, `${name}.git`));
                  made.add(dir);
                }
                await on(op.m, (ctx) => runAdd(ctx, dir, {}));
                break;
              }
              case 'describe':
                if (!here || gone) break;
                await on(op.m, (ctx) => runUpdate(ctx, name, { description: `d${i}` }));
                model.pending[op.m]!.set(key(name, 'description'), `d${i}`);
                break;
              case 'status': {
                if (!here || gone) break;
                const status = PROJECT_STATUSES[op.s]!;
                await on(op.m, (ctx) => runUpdate(ctx, name, { status }));
                // Setting the value the machine already shows changes nothing the merge can
                // see (local equals the base, or an earlier edit already set it): a later push
                // of another machine's value wins, as it should. (The model once counted it
                // as an edit; seed 22 caught the model, not the code.) On a never-synced
                // project it is an edit all the same: `update` notes it as `edited`, so linking
                // merges it by `prefer` (local wins) instead of adopting the server's value
                // (docs/sync-internals.md, linking rule). Seed 694779205 caught the model again:
                // a machine added `cli` (default active), set it to active, pushed; the model
                // still expected another machine's earlier `cancelled`.
                if (here.status !== status || projectSync(here) === undefined)
                  model.pending[op.m]!.set(key(name, 'status'), status);
                break;
              }
              case 'tag': {
                // On synced projects: a never-synced one links by its own rules first.
                if (!here || gone || projectSync(here) === undefined) break;
                const tag = TAGS[op.t]!;
                const has = here.tags.includes(tag);
                await on(op.m, (ctx) =>
                  runUpdate(ctx, name, has ? { untag: [tag] } : { tag: [tag] }),
                );
                model.pending[op.m]!.set(key(name, `tag:${tag}`), has ? '0' : '1');
                figures.tagEdits++;
                break;
              }
              case 'snapshot':
                await restart(() => db.backup());
                snapshotAt = i;
                figures.snapshots++;
                break;
              case 'restore': {
                if (snapshotAt === undefined) break;
                const since = snapshotAt;
                await restart(() => db.restore());
                figures.restores++;
                // Every push after the snapshot is gone from the server; the model expects
                // all of it back all the same (counted, for the figures).
                for (const at of model.pushedAt.values())
                  if (at > since) figures.editsLostByRestore++;
                for (const at of model.tombstonedAt.values())
                  if (at > since) figures.deletionsLostByRestore++;
                break;
              }
              case 'remove':
                if (!here) break;
                await on(op.m, (ctx) => runRemove(ctx, name, {}));
                dropPending(op.m, name);
                break;
              case 'everywhere':
                if (!here || gone) break;
                await on(op.m, (ctx) => runRemove(ctx, name, { everywhere: true }));
                dropPending(op.m, name);
                // Only a project the server knows gets a tombstone.
                if (projectSync(here) !== undefined) {
                  model.pendingDelete[op.m]!.add(name);
                  model.pendingDeleteIds[op.m]!.add(here.id);
                }
                break;
              case 'clone': {
                // Only what this machine's last pull knows, and is not here: clone refuses
                // the rest, which is part of what it must do.
                if (here) break;
                try {
                  await on(op.m, (ctx) =>
                    runClone(ctx, name, join(root, `clones${op.m}`, `${name}-${i}`)),
                  );
                  figures.clones++;
                  // Cloning a project this machine is deleting everywhere cancels the deletion
                  // (the later command wins; docs/sync-internals.md).
                  const id = holds(op.m, name)!.id;
                  if (model.pendingDeleteIds[op.m]!.delete(id))
                    model.pendingDelete[op.m]!.delete(name);
                } catch (e) {
                  if (!(e instanceof UserError) || !/no project named/.test(e.message)) throw e;
                }
                break;
              }
              case 'push':
                await sync(op.m, false, true);
                break;
              case 'pull':
                await sync(op.m, true, false);
                break;
              case 'sync':
                await sync(op.m, true, true);
                break;
            }
          }
          // Final rounds: everyone syncs, twice, so every machine has seen every push; then
          // `sync --verify` on each is the oracle of "in sync".
          for (let round = 0; round < 2; round++)
            for (let m = 0; m < machines; m++) await sync(m, true, true);
          const where0 = `(seed ${seed}, run ${runIndex})`;
          for (let m = 0; m < machines; m++) {
            const verified = (await sync(m, true, true, true)).verify;
            expect(verified?.in_sync, `m${m} verify ${where0}`).toBe(true);
            expect(verified?.differed, `m${m} still repairing ${where0}`).toBeUndefined();
          }

          const feed = await server.storage.changes(account.id, 0, 1000);
          const live = feed.changes.filter((r) => !r.deleted);
          const names = live.map((r) => r.fields.name).sort();
          const where = `(seed ${seed}, run ${runIndex})`;
          if (TRACE) {
            const server = feed.changes.map(
              (r) => `${r.fields.name}:${r.uuid.slice(0, 4)}@${r.rev}${r.deleted ? 'D' : ''}`,
            );
            console.log(`r${runIndex} server[${server.join(' ')}]`, trace(registry, machines));
          }
          // One live record per project, and none under a name deleted everywhere.
          expect(names, `one record per name ${where}`).toEqual([...new Set(names)]);
          const urls = live.map((r) => normaliseRemoteUrl(r.fields.remote_url ?? ''));
          expect(urls.length).toBe(new Set(urls).size);
          for (const name of model.tombstoned)
            expect(names, `${name} came back ${where}`).not.toContain(name);
          // A deleted record stays deleted, restores or not: the server keeps its tombstone.
          for (const id of model.tombstonedIds) {
            const record = feed.changes.find((r) => r.uuid === id);
            expect(record?.deleted, `${id} came back or has no tombstone ${where}`).toBe(true);
          }
          // The last pushed edit of each field and tag is what the server holds, those a
          // restore took away too.
          for (const record of live) {
            for (const [k, v] of model.pushed) {
              const [name, field] = k.split('/') as [string, Key];
              if (name === record.fields.name)
                expect(keyValue(record.fields, field), `${k} ${where}`).toBe(v);
            }
          }
          // Every machine agrees with the server on what it holds; no machine holds one twice.
          for (let m = 0; m < machines; m++) {
            const projects = registry(m)?.projects ?? [];
            expect(new Set(projects.map((x) => x.id)).size).toBe(projects.length);
            for (const local of projects) {
              const record = feed.changes.find((r) => r.uuid === local.id);
              expect(record, `m${m} ${local.name} unknown to the server`).toBeDefined();
              if (record!.deleted) {
                expect(projectSync(local)?.deleted_remotely).toBeDefined();
                figures.deletedRemotely++;
                continue;
              }
              for (const field of ['name', 'description', 'status', 'remote_url'] as const)
                expect(local[field], `m${m} ${local.name}.${field}`).toEqual(record!.fields[field]);
              // Tags are a set (the merge keeps this machine's order).
              expect([...local.tags].sort(), `m${m} ${local.name}.tags`).toEqual(
                [...record!.fields.tags].sort(),
              );
            }
          }
          figures.runs++;
        }),
        { seed, numRuns: runs, endOnFailure: process.env.CONVERGENCE_SHRINK !== '1' },
      );
      console.log(`convergence [${kind}] seed=${seed}`, figures);
    }, 600_000);
});
