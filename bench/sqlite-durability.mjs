// Part 6: the cost of durable SQLite commits. work-prod on SQLite with the default
// `synchronous=FULL` (the WAL is synced at every commit) against WORK_PROD_SQLITE_SYNCHRONOUS=normal
// (synced at checkpoints only) measured in the same run: both servers run side by side, each on a
// fresh database, and every case alternates between them in short blocks.
// Usage: npm run build && npm run bench:durability
//   BENCH_DURABILITY_ROUNDS (default 12) blocks of each mode per case, BENCH_DURABILITY_BLOCK
//   (default 30) requests per block (a batch of 50: half as many).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import {
  envInt,
  fmt,
  machineLine,
  makeAccount,
  median,
  openStore,
  projectFields,
  requireBuild,
  root,
  serverDist,
  table,
  tempDir,
  writeSection,
} from './lib.mjs';

requireBuild();
// A build from before the setting would run both modes as NORMAL and measure nothing.
if (
  !readFileSync(join(serverDist, 'storage/sqlite.js'), 'utf8').includes(
    'WORK_PROD_SQLITE_SYNCHRONOUS',
  )
) {
  console.error(
    'error: packages/server/dist predates WORK_PROD_SQLITE_SYNCHRONOUS; run `npm run build -w packages/server`',
  );
  process.exit(1);
}
const loadAtStart = loadavg()[0];
const ROUNDS = envInt('BENCH_DURABILITY_ROUNDS', 12);
const BLOCK = envInt('BENCH_DURABILITY_BLOCK', 30);
const CONCURRENCY = 8;
const MODES = ['normal', 'full'];
const EDITED = 50;

/** Starts bench/server-child.mjs on `db` with the given synchronous mode (undefined: default). */
function startChild(db, synchronous) {
  const env = { ...process.env, BENCH_DB: db };
  delete env.WORK_PROD_SQLITE_SYNCHRONOUS;
  if (synchronous) env.WORK_PROD_SQLITE_SYNCHRONOUS = synchronous;
  const child = spawn(process.execPath, [join(root, 'bench/server-child.mjs'), 'work-prod'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      resolve({
        url: JSON.parse(line).url,
        stop: () =>
          new Promise((done) => {
            child.removeAllListeners('exit');
            child.once('exit', done);
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** Sends `count` requests made by `make(i)`, `concurrency` at a time; returns latencies and the wall time. */
async function drive(count, make, concurrency = 1) {
  const latencies = [];
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const { url, init, check } = make(i);
      const t = performance.now();
      const res = await fetch(url, init);
      const body = await res.json();
      latencies.push(performance.now() - t);
      if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
      check?.(body);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, seconds: (performance.now() - start) / 1000 };
}

const p95 = (xs) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];

/** One mode's server on a fresh database, with its cases: {name: [count, make, concurrency]}. */
async function setUp(mode) {
  const dir = tempDir(`durability-${mode}`);
  const db = join(dir, 'work-prod.db');
  const storage = await openStore({ kind: 'sqlite', file: db });
  const { key } = await makeAccount(storage, 'bench');
  await storage.close();
  const server = await startChild(db, mode === 'full' ? undefined : mode);
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const machine = { id: randomUUID(), name: 'bench' };
  const post = (path, body) => ({
    url: `${server.url}${path}`,
    init: { method: 'POST', headers, body: JSON.stringify(body) },
  });
  const applied = (body) => {
    const bad = body.results.find((r) => r.status !== 'applied');
    if (bad) throw new Error(`push not applied: ${JSON.stringify(bad)}`);
  };
  let serial = 0;
  const creates = (n) => {
    const stamp = new Date().toISOString();
    return Array.from({ length: n }, () => ({
      uuid: randomUUID(),
      base_rev: 0,
      fields: projectFields(serial++, stamp),
    }));
  };
  const push = (n) => () => ({
    ...post('/api/sync/push', { machine, changes: creates(n) }),
    check: applied,
  });
  // The projects that single-record edits change, each edit based on the last revision.
  const seed = creates(EDITED);
  const first = post('/api/sync/push', { machine, changes: seed });
  const seeded = await (await fetch(first.url, first.init)).json();
  const records = seed.map((c, k) => ({ ...c, rev: seeded.results[k].rev }));
  let edits = 0;
  const edit = () => {
    const r = records[edits % EDITED];
    const fields = {
      ...r.fields,
      description: `edit ${edits++}`,
      updated_at: new Date().toISOString(),
    };
    return {
      ...post('/api/sync/push', { machine, changes: [{ uuid: r.uuid, base_rev: r.rev, fields }] }),
      check: (body) => {
        applied(body);
        r.rev = body.results[0].rev;
      },
    };
  };
  let created = 0;
  const cases = {
    'POST /api/sync/push, 1 new project': [BLOCK, push(1)],
    'POST /api/sync/push, 50 new projects': [Math.ceil(BLOCK / 2), push(50)],
    'POST /api/sync/push, edit of 1 project': [BLOCK, edit],
    [`POST /api/sync/push, 1 new project, ${CONCURRENCY} at a time`]: [BLOCK, push(1), CONCURRENCY],
    'POST /api/projects': [
      BLOCK,
      () => post('/api/projects', { name: `api-${String(created++).padStart(5, '0')}` }),
    ],
  };
  return {
    cases,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** SQLite alone: `count` one-row commits on a WAL database in `mode`; returns their latencies. */
function rawCommits(file, mode, count) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${mode}`);
  db.exec('create table if not exists t (id integer primary key, body text)');
  const insert = db.prepare('insert into t (body) values (?)');
  const latencies = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    insert.run('x'.repeat(300));
    latencies.push(performance.now() - t);
  }
  db.close();
  return latencies;
}
const RAW = 'SQLite alone: a one-row commit (no server)';
const rawDir = tempDir('durability-raw');
const rawSamples = { normal: [], full: [] };
for (let round = 0; round < ROUNDS; round++)
  for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) {
    // The rate over the commits alone (opening the database is not part of it).
    const latencies = rawCommits(join(rawDir, `${mode}.db`), mode.toUpperCase(), BLOCK);
    rawSamples[mode].push({
      rps: (BLOCK * 1000) / latencies.reduce((a, b) => a + b, 0),
      latencies,
    });
  }
rmSync(rawDir, { recursive: true, force: true });

const servers = {};
for (const mode of MODES) servers[mode] = await setUp(mode);
// samples[mode][case] = [{rps, latencies}] of each block.
const samples = Object.fromEntries(MODES.map((m) => [m, {}]));
try {
  for (const name of Object.keys(servers.full.cases)) {
    process.stderr.write(`${name}\n`);
    for (const mode of MODES) {
      const [, make] = servers[mode].cases[name];
      await drive(20, make, 1); // warm-up
      samples[mode][name] = [];
    }
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which mode goes first, so a load that drifts falls on both alike.
      for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) {
        const [count, make, concurrency] = servers[mode].cases[name];
        const { latencies, seconds } = await drive(count, make, concurrency);
        samples[mode][name].push({ rps: count / seconds, latencies });
      }
    }
  }
} finally {
  for (const mode of MODES) await servers[mode].stop();
}

for (const mode of MODES) samples[mode][RAW] = rawSamples[mode];
const names = Object.keys(samples.full);
const stat = (mode, name, key) => {
  const blocks = samples[mode][name];
  if (key === 'rps') return median(blocks.map((b) => b.rps));
  const all = blocks.flatMap((b) => b.latencies);
  return key === 'p50' ? median(all) : p95(all);
};
const rows = names.map((name) => {
  const [nr, fr] = [stat('normal', name, 'rps'), stat('full', name, 'rps')];
  return [
    name,
    fmt(nr, 0),
    fmt(fr, 0),
    fmt(fr / nr, 2),
    fmt(stat('normal', name, 'p50'), 2),
    fmt(stat('full', name, 'p50'), 2),
    fmt(stat('normal', name, 'p95'), 2),
    fmt(stat('full', name, 'p95'), 2),
  ];
});
const ratio = (name) => stat('full', name, 'rps') / stat('normal', name, 'rps');
const extra = (name) => stat('full', name, 'p50') - stat('normal', name, 'p50');
const single = 'POST /api/sync/push, 1 new project';
const batch = 'POST /api/sync/push, 50 new projects';
const editCase = 'POST /api/sync/push, edit of 1 project';
const loadAtEnd = loadavg()[0];

const body = `## SQLite durability (synchronous FULL vs NORMAL)

What durable commits cost: work-prod on SQLite (WAL) with its default \`synchronous=FULL\`, which
syncs the WAL to disk at every commit, against \`WORK_PROD_SQLITE_SYNCHRONOUS=normal\`, which syncs
only at checkpoints, as the baseline. Result: with FULL a push of 1 record reaches
${fmt(ratio(single) * 100, 0)}% of NORMAL's rate (${fmt(extra(single), 1)} ms more at the median), a push of 50
${fmt(ratio(batch) * 100, 0)}% (${fmt(extra(batch), 1)} ms more), an edit of one record ${fmt(ratio(editCase) * 100, 0)}%: the cost is a disk sync at every
commit (longer when the commit writes more pages), so it weighs most on small, frequent pushes.
SQLite alone (the last row: a one-row commit through better-sqlite3, no server) shows the sync by
itself: ${fmt(stat('normal', RAW, 'p50'), 3)} ms a commit with NORMAL, ${fmt(stat('full', RAW, 'p50'), 2)} ms with FULL on this disk.

${table(
  [
    'route',
    'NORMAL req/s',
    'FULL req/s',
    'FULL ÷ NORMAL (rate)',
    'NORMAL p50 ms',
    'FULL p50 ms',
    'NORMAL p95 ms',
    'FULL p95 ms',
  ],
  rows,
)}

Both modes run side by side, each its own work-prod process on 127.0.0.1 over a fresh database
file (on the same ext4 disk as the code, not a tmpfs), with the production configuration except
the rate limit (raised). Each case alternates between them in ${ROUNDS} blocks of each mode (which mode
goes first alternates too), after 20 requests of warm-up on each: a block is ${BLOCK} requests one after
another (the batch of 50: ${Math.ceil(BLOCK / 2)}) from a client in the bench process; the rate is the median of the
blocks', the latencies are over every request of the mode. "${CONCURRENCY} at a time" keeps ${CONCURRENCY} requests in flight
(pushes into one account still commit one at a time). Pushes are valid compare-and-swap writes
through the HTTP API: creates with fresh uuids, and edits of one of ${EDITED} projects based on its
last revision. \`POST /api/projects\` is the original API's create (one project by name).
The machine was busy during the run (other engineers running their tests and builds on the same
2 cores; load average ${fmt(loadAtStart)} at the start, ${fmt(loadAtEnd)} at the end): the
absolute figures are noisy and the disk is shared (a virtual disk, whose sync cost is the host's),
so read the ratio, and expect a quiet machine or a local SSD to differ.

${machineLine(loadAtStart)}

Reproduce: \`npm run build && npm run bench:durability\` (\`BENCH_DURABILITY_ROUNDS\`, \`BENCH_DURABILITY_BLOCK\` to scale up).

**Choosing.** Keep the default, FULL, unless the cost above matters: a commit acknowledged to a
client is then on disk, and a power cut or OS crash cannot undo it. NORMAL suits a single-user
machine with a reliable disk and backups, where losing the last commits (those the OS had not yet
written to disk: typically up to the last half-minute of pushes, the kernel's
writeback delay) on a power cut is acceptable; a crash of
work-prod alone still loses nothing. Note that today's CLI does not notice such a rollback: the
server answers a cursor past its head with "no changes", so a machine that had pulled the lost
revisions skips the changes that reuse those numbers until the head passes its cursor again.`;

writeSection('sqlite-durability', body);
console.log(
  table(['route', 'NORMAL/s', 'FULL/s', 'ratio', 'N p50', 'F p50', 'N p95', 'F p95'], rows),
);
