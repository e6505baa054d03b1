// Dashboard projects query over 10,000 projects (SQLite, or PostgreSQL with BENCH_DATABASE_URL):
// each search/filter/sort/page as a ratio to reading one 50-record page of the changes feed,
// measured in the same run. Run after `npm run build`: node bench/dashboard-query.mjs
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../packages/server/dist/storage/open.js';

const PROJECTS = 10_000;
const ROUNDS = 15;
const dir = mkdtempSync(join(tmpdir(), 'bench-dashboard-'));
const target = process.env.BENCH_DATABASE_URL
  ? { kind: 'postgres', url: process.env.BENCH_DATABASE_URL }
  : { kind: 'sqlite', file: join(dir, 'bench.db') };
const storage = await openStorage(target);
await storage.migrate();
const account = await storage.createAccount(`bench-${randomUUID()}`);
const machines = ['laptop', 'desktop', 'gpu-box'].map((name) => ({ id: randomUUID(), name }));
const TAGS = ['go', 'web', 'ml', 'svc', 'cli', 'archive'];
const STATUSES = ['active', 'paused', 'completed', 'cancelled'];
const TYPES = ['Work', 'Personal', 'Learning', 'Inactive'];

for (let start = 0; start < PROJECTS; start += 1000) {
  const batch = Array.from({ length: 1000 }, (_, j) => {
    const i = start + j;
    const stamp = new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
    return {
      uuid: randomUUID(),
      base_rev: 0,
      fields: {
        name: `project-${String(i).padStart(5, '0')}`,
        description: `Description of project ${i}`,
        remote_url: `git@github.com:org${i % 50}/project-${i}.git`,
        project_type: TYPES[i % 4],
        status: STATUSES[i % 4],
        classification: null,
        organization: null,
        tags: [TAGS[i % 6], TAGS[(i + 1) % 6]],
        template: null,
        template_version: null,
        created_at: stamp,
        updated_at: stamp,
      },
    };
  });
  for (const [m, machine] of machines.entries()) {
    await storage.push(account.id, {
      machine,
      changes: m === 0 ? batch : [],
      checkouts: batch
        .filter((_, j) => (j + m) % 3 !== 0)
        .map((c) => ({ uuid: c.uuid, path: `/home/me/${c.fields.name}` })),
    });
  }
}

const { head } = await storage.changes(account.id, 0, 1);
const cases = {
  'baseline: changes feed, one 50-record page': () => storage.changes(account.id, head - 50, 50),
  'first page, by name': () => storage.dashboardProjects(account.id, {}),
  'search "org7/"': () => storage.dashboardProjects(account.id, { q: 'org7/' }),
  'tag ml + status active': () =>
    storage.dashboardProjects(account.id, { tag: 'ml', status: 'active' }),
  'machine filter, sorted by updated desc': () =>
    storage.dashboardProjects(account.id, {
      machine: machines[1].id,
      sort: 'updated',
      order: 'desc',
    }),
  'on no machine': () => storage.dashboardProjects(account.id, { orphan: true }),
  'last page (200 per page)': () =>
    storage.dashboardProjects(account.id, { page: 50, per_page: 200 }),
};

const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const [name, run] of Object.entries(cases)) {
  await run();
  const times = [];
  for (let r = 0; r < ROUNDS; r += 1) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  results[name] = median(times);
}
const base = results['baseline: changes feed, one 50-record page'];
console.log(
  `${target.kind}, ${PROJECTS} projects, ${machines.length} machines, median of ${ROUNDS}`,
);
for (const [name, ms] of Object.entries(results))
  console.log(`${name.padEnd(45)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / base).toFixed(1)}x`);
await storage.close();
if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
