// Part 1: CLI start-up. Times `dev-infra list` and `list --json` on 1,000 local projects, and
// `list --all` with the same 1,000 plus 10,000 remote-only projects (a remote cache filled by a
// real `dev-infra sync pull` from an in-process work-prod), against `node -e 0`, interleaved.
// Usage: npm run build && npm run bench:cli [-- --runs N]   (or BENCH_CLI_RUNS=N)
//   BENCH_REMOTE_ONLY (default 10000)
import { cpSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  cliBin,
  cliEnv,
  envInt,
  fmt,
  localHome,
  machineLine,
  machineRef,
  makeAccount,
  median,
  openStore,
  requireBuild,
  run,
  seedProjects,
  startServer,
  table,
  tempDir,
  timeSync,
  timingRow,
  verdict,
  writeSection,
} from './lib.mjs';

requireBuild();
const loadAtStart = loadavg()[0];
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : envInt('BENCH_CLI_RUNS', 15);
const LOCAL = 1000;
const REMOTE_ONLY = envInt('BENCH_REMOTE_ONLY', 10_000);
const node = process.execPath;
const log = (line) => process.stderr.write(`[bench:cli] ${line}\n`);

// Machine A: 1,000 registered projects, half of their folders present (the missing check runs
// for every one). The last one is added by the CLI, which rewrites the file in its own format.
const local = localHome('list', LOCAL - 1);
const extra = join(local, 'code', 'added-by-cli');
mkdirSync(extra, { recursive: true });
timeSync(node, [cliBin, 'add', extra], cliEnv(local));

// Machine B: a copy of A that has pulled an account of 10,000 projects held by 3 other machines.
log(`seeding ${REMOTE_ONLY} remote-only projects and pulling them`);
const all = tempDir('list-all');
cpSync(local, all, { recursive: true });
const scratch = tempDir('list-server');
const storage = await openStore({ kind: 'sqlite', file: join(scratch, 'work-prod.db') });
const server = await startServer(storage);
try {
  const { accountId, key } = await makeAccount(storage, 'bench');
  const machines = ['laptop', 'desktop', 'gpu-box'].map(machineRef);
  await seedProjects(storage, accountId, REMOTE_ONLY, machines);
  await run(node, [cliBin, 'sync', 'pull'], { env: cliEnv(all, { url: server.url, key }) });
} finally {
  await server.app.close();
  await storage.close();
  rmSync(scratch, { recursive: true, force: true });
}

const listing = join(all, 'remote-listing.tsv');
const REBUILD = 'dev-infra list --all (first after a pull)';
const cases = {
  'node -e 0': [['-e', '0'], local],
  'dev-infra list': [[cliBin, 'list'], local],
  'dev-infra list --json': [[cliBin, 'list', '--json'], local],
  'dev-infra list --all': [[cliBin, 'list', '--all'], all],
  // As right after a pull that changed the cache: the listing must be rebuilt.
  [REBUILD]: [[cliBin, 'list', '--all'], all, () => rmSync(listing, { force: true })],
};
const time = ([args, home, before]) => {
  before?.();
  return timeSync(node, args, cliEnv(home));
};

// Check the output once: 1,000 lines (plus a summary for --all) and 1,000 objects.
const out = (args, home) =>
  run(node, args, { env: cliEnv(home) }).then((r) => r.stdout.trim().split('\n'));
const lines = await out([cliBin, 'list'], local);
const json = JSON.parse((await out([cliBin, 'list', '--json'], local)).join('\n'));
const allLines = await out([cliBin, 'list', '--all'], all);
if (lines.length !== LOCAL || json.length !== LOCAL)
  throw new Error(`list printed ${lines.length} lines / ${json.length} objects, not ${LOCAL}`);
if (allLines.length < LOCAL + REMOTE_ONLY)
  throw new Error(`list --all printed ${allLines.length} lines, not ${LOCAL + REMOTE_ONLY}+`);

const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const c of Object.values(cases)) time(c); // warm the file cache
for (let i = 0; i < RUNS; i++)
  for (const [name, c] of Object.entries(cases)) samples[name].push(time(c));
const cacheMiB = statSync(join(all, 'remote-cache.jsonl')).size / 2 ** 20;
const listingMiB = statSync(listing).size / 2 ** 20;
rmSync(local, { recursive: true, force: true });
rmSync(all, { recursive: true, force: true });

const base = median(samples['node -e 0']);
const rows = Object.entries(samples).map(([name, xs]) => ({
  name,
  median: median(xs),
  min: Math.min(...xs),
  max: Math.max(...xs),
  ratio: median(xs) / base,
}));
const ratioOf = (name) => rows.find((r) => r.name === name).ratio;
const listRatio = ratioOf('dev-infra list');
const allRatio = ratioOf('dev-infra list --all');
const rebuildRatio = ratioOf(REBUILD);
const body = `## CLI start-up: \`list\` and \`list --all\`

Targets: \`list\` (1,000 projects) at most 1.5 × bare Node start-up; \`list --all\` (1,000 local and
${REMOTE_ONLY.toLocaleString('en')} remote-only) at most 2 ×. Result: \`list\` **${fmt(listRatio, 2)} ×** (${verdict(listRatio <= 1.5)}),
\`list --all\` **${fmt(allRatio, 2)} ×** (${verdict(allRatio <= 2)}); the first \`list --all\` after a pull that
changed the cache, which rebuilds the listing, **${fmt(rebuildRatio, 2)} ×**.

${table(
  ['command', 'median ms', 'min ms', 'max ms', 'ratio to `node -e 0`'],
  Object.entries(samples).map(([name, xs]) => timingRow(`\`${name}\``, xs, base)),
)}

${RUNS} runs of each, interleaved, after one warm-up; medians; output piped. ${LOCAL.toLocaleString('en')} local projects
(half of their folders exist, so the missing check runs for every one). For \`list --all\` the
same machine has pulled (a real \`dev-infra sync pull\` from an in-process work-prod) an account
of ${REMOTE_ONLY.toLocaleString('en')} projects checked out on 3 other machines; \`list --all\` reads the registry, the
listing (\`remote-listing.tsv\`, ${fmt(listingMiB)} MiB) and the remote cache's \`stat\`, without network. The
"first after a pull" row deletes the listing before each run, so \`list --all\` reads the remote cache
(\`remote-cache.jsonl\`, ${fmt(cacheMiB)} MiB) and writes the listing again, as it does once after every pull that
changed the cache.

${machineLine(loadAtStart)}

Reproduce: \`npm run build && npm run bench:cli\` (\`-- --runs N\` for more runs, \`BENCH_REMOTE_ONLY\` to scale).

**What limits it.** \`list\` is Node's start-up plus one CommonJS file holding only the list
code (the other commands are lazy chunks), one read and validation of the registry and a
\`stat\` per project for the missing check; printing 1,000 rows is a single synchronous write.
Two start-up costs found in profiles are gone: sorting by \`localeCompare\` loaded ICU's collator
(about 14 ms; names are now ordered case- and accent-insensitively without it, the same on every
machine), and asking \`process.stdout.isTTY\` built the stdout stream with Node's tty and net modules
(about 6 ms; one \`fstat\` now tells a pipe or a file from a terminal).
A plain \`list --all\` (or \`--remote-only\`) also skips commander and the ES module loader: bin.js
requires one more CommonJS file. A CPU profile of the old \`list --all\` (which decoded a short
summary of each of the ${REMOTE_ONLY.toLocaleString('en')} records from the remote cache, built a row object for each,
sorted them and rendered the table) put garbage collection first, then building, sorting and
printing the rows, then decoding the summaries and reading the cache: the cost was the
account's size, paid on every listing. So the rows are now kept rendered: the listing holds
the remote-only rows, sorted by name, exactly as a piped \`list --all\` prints them, and an index
of fixed-width entries sorted by uuid (live or deleted, held elsewhere or not, where the row
starts). Listing reads it, finds the records local projects
hold (or this machine is deleting) by binary search in the index, cuts their rows out and
copies the rest to stdout as bytes, never decoding, sorting or even splitting them: only the
1,000 local rows are built, so the cost follows this machine's projects, not the account.
What is left above \`list\` is reading ${fmt(listingMiB)} MiB and writing it out. The listing is derived data, checked
against the cache's inode, size and modification time and its own lengths; pulls never write
it (they stay O(changes)), so the first \`list --all\` after a pull that changed the cache pays the
old cost once more plus writing the listing (the "first after a pull" row).`;
writeSection('cli-list', body);
console.log(
  table(
    ['command', 'median ms', 'ratio'],
    rows.map((r) => [r.name, fmt(r.median), fmt(r.ratio, 2)]),
  ),
);
