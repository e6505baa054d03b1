// Times `dev-infra list` and `list --json` on a 1,000-project registry against bare Node
// start-up (`node -e 0`), interleaved in one run, and records the medians in results.md.
// Usage: npm run build && npm run bench:cli [-- --runs N]
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/cli/dist/bin.js');
const resultsFile = join(root, 'bench/results.md');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
const PROJECTS = 1000;
const loadBefore = loadavg()[0];

if (!existsSync(bin)) {
  console.error(`error: ${bin} is missing; run \`npm run build\` first`);
  process.exit(1);
}

// A registry written the way dev-infra writes it (format version 1), half the folders real.
const home = mkdtempSync(join(tmpdir(), 'dev-infra-bench-'));
const codeDir = join(home, 'code');
const now = new Date().toISOString();
const projects = [];
for (let i = 0; i < PROJECTS; i++) {
  const path = join(codeDir, `project-${String(i).padStart(4, '0')}`);
  if (i % 2 === 0) mkdirSync(path, { recursive: true });
  projects.push({
    id: randomUUID(),
    name: `project-${String(i).padStart(4, '0')}`,
    path,
    remote_url: `git@github.com:acme/project-${i}.git`,
    description: `Benchmark project number ${i}`,
    tags: i % 3 === 0 ? ['go', 'svc'] : ['web'],
    project_type: ['Work', 'Personal', 'Learning', null][i % 4],
    status: i % 5 === 0 ? 'paused' : 'active',
    classification: null,
    organization: null,
    template: null,
    template_version: null,
    created_at: now,
    updated_at: now,
  });
}
writeFileSync(
  join(home, 'registry.json'),
  `${JSON.stringify({ version: 1, machine: { id: randomUUID(), name: 'bench' }, projects }, null, 2)}\n`,
);

const env = { ...process.env, DEV_INFRA_HOME: home, NO_COLOR: '1' };
const cases = {
  'node -e 0': [process.execPath, ['-e', '0']],
  'dev-infra list': [process.execPath, [bin, 'list']],
  'dev-infra list --json': [process.execPath, [bin, 'list', '--json']],
};

function timeOnce([cmd, args]) {
  const start = process.hrtime.bigint();
  const result = spawnSync(cmd, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 26,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

// Check the output once: 1,000 lines and 1,000 objects.
const lines = spawnSync(process.execPath, [bin, 'list'], { env, encoding: 'utf8' }).stdout;
const json = JSON.parse(
  spawnSync(process.execPath, [bin, 'list', '--json'], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  }).stdout,
);
if (lines.trim().split('\n').length !== PROJECTS || json.length !== PROJECTS)
  throw new Error('list did not print 1,000 projects');

const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const c of Object.values(cases)) timeOnce(c); // warm the file cache
for (let i = 0; i < runs; i++)
  for (const [name, c] of Object.entries(cases)) samples[name].push(timeOnce(c));
rmSync(home, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const base = median(samples['node -e 0']);
const rows = Object.entries(samples).map(([name, xs]) => {
  const m = median(xs);
  return { name, median: m, min: Math.min(...xs), max: Math.max(...xs), ratio: m / base };
});
const listRatio = rows.find((r) => r.name === 'dev-infra list').ratio;

const table = [
  '| command | median ms | min ms | max ms | ratio to `node -e 0` |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| \`${r.name}\` | ${r.median.toFixed(1)} | ${r.min.toFixed(1)} | ${r.max.toFixed(1)} | ${r.ratio.toFixed(2)} |`,
  ),
].join('\n');
const section = `<!-- cli-list:start -->
## CLI: \`dev-infra list\` on 1,000 projects

Target: \`list\` at most 1.5 × bare Node start-up. Result: **${listRatio.toFixed(2)} ×** (${listRatio <= 1.5 ? 'meets' : 'misses'} the target).

${table}

${runs} runs of each, interleaved, after one warm-up; medians. ${PROJECTS} projects (half of their
folders exist, so the missing check runs for every one), output piped. Node ${process.version},
${availableParallelism()} cores, load average ${loadBefore.toFixed(1)} at the start (other work on the
machine makes single runs noisy; the ratio is what to compare), ${new Date().toISOString().slice(0, 10)}.

Reproduce: \`npm run build && npm run bench:cli\` (\`-- --runs N\` for more runs).
<!-- cli-list:end -->`;

let results = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '# Benchmark results\n';
const marked = /<!-- cli-list:start -->[\s\S]*?<!-- cli-list:end -->/;
results = marked.test(results)
  ? results.replace(marked, section)
  : `${results.trimEnd()}\n\n${section}\n`;
writeFileSync(resultsFile, results);
console.log(table);
console.log(`list / node -e 0 = ${listRatio.toFixed(2)} (target 1.5); written to bench/results.md`);
