// Part 6: local write cost. Times `dev-infra add <new folder>` with 10,000 projects registered
// against `node -e 0`, interleaved in one run. Usage: npm run build && npm run bench:add
//   BENCH_ADD_RUNS (default 10), BENCH_ADD_PROJECTS (default 10000)
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  cliBin,
  cliEnv,
  envInt,
  fmt,
  localHome,
  machineLine,
  median,
  requireBuild,
  table,
  timeSync,
  timingRow,
  writeSection,
} from './lib.mjs';

requireBuild();
const loadAtStart = loadavg()[0];
const RUNS = envInt('BENCH_ADD_RUNS', 10);
const PROJECTS = envInt('BENCH_ADD_PROJECTS', 10_000);
const home = localHome('add', PROJECTS);
const env = cliEnv(home);
const node = process.execPath;
let n = 0;
const addNew = () => {
  const dir = join(home, 'new', `added-${n++}`);
  mkdirSync(dir, { recursive: true });
  return timeSync(node, [cliBin, 'add', dir], env);
};

try {
  addNew(); // warm-up; also rewrites the registry in this build's current format
  timeSync(node, ['-e', '0'], env);
  const base = [];
  const add = [];
  for (let i = 0; i < RUNS; i++) {
    base.push(timeSync(node, ['-e', '0'], env));
    add.push(addNew());
  }
  const baseMs = median(base);
  const addMs = median(add);
  const body = `## Local write: \`dev-infra add\` with ${PROJECTS.toLocaleString('en')} projects registered

No target in the issue; the figure to watch is the ratio. Result: **${fmt(addMs / baseMs, 2)} ×** \`node -e 0\`.

${table(
  ['command', 'median ms', 'min ms', 'max ms', 'ratio to `node -e 0`'],
  [timingRow('`node -e 0`', base, baseMs), timingRow('`dev-infra add <new folder>`', add, baseMs)],
)}

${RUNS} runs of each, interleaved, after one warm-up; medians. Each \`add\` registers a new folder
(not a git repository) into a registry of ${PROJECTS.toLocaleString('en')} projects (~${fmt((PROJECTS * 0.45) / 1000, 1)} MB of JSON).

${machineLine(loadAtStart)}

Reproduce: \`npm run build && npm run bench:add\` (\`BENCH_ADD_RUNS\`, \`BENCH_ADD_PROJECTS\` to scale).

**What limits it.** An add takes the registry lock, reads and validates the whole registry,
checks the new folder against every registered path, and writes the whole file again atomically
(temp file, fsync, rename): O(registry) bytes read and written for a one-project change, plus the
lazily loaded command chunk. With ${PROJECTS.toLocaleString('en')} projects that is a few MB of JSON each way; the
fsync makes it depend on the disk as much as on the CPU.`;
  writeSection('cli-add', body);
  console.log(
    `add / node -e 0 = ${fmt(addMs / baseMs, 2)} (${fmt(addMs)} ms vs ${fmt(baseMs)} ms)`,
  );
} finally {
  rmSync(home, { recursive: true, force: true });
}
