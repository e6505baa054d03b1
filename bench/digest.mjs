// The account digest's cost (issue 13): every pull's last feed page carries it (`digest=1`).
// Measured through the storage layer on an account of BENCH_DIGEST_PROJECTS (default 5,000)
// projects, against the baseline of the same idle feed page without the digest, in the same
// run and alternating; and the CLI's side (core's accountDigest over as many cached records).
// SQLite always; PostgreSQL when TEST_DATABASE_URL (or BENCH_PG_URL) is set.
// Usage: npm run build && node bench/digest.mjs   (BENCH_DIGEST_ROUNDS, default 30)
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  envInt,
  fmt,
  freshPgDatabase,
  machineLine,
  machineRef,
  makeAccount,
  median,
  openStore,
  requireBuild,
  root,
  seedProjects,
  table,
  tempDir,
  writeSection,
} from './lib.mjs';

requireBuild();
const PROJECTS = envInt('BENCH_DIGEST_PROJECTS', 5000);
const ROUNDS = envInt('BENCH_DIGEST_ROUNDS', 30);
const load = loadavg()[0];
const { accountDigest } = await import(join(root, 'packages/core/dist/index.js'));

const ms = async (fn) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};

async function measure(label, target) {
  const storage = await openStore(target);
  const { accountId } = await makeAccount(storage, `digest-${Date.now()}`);
  // Each checked out on two machines: the digest reads the checkouts too.
  await seedProjects(storage, accountId, PROJECTS, [machineRef('laptop'), machineRef('desktop')]);
  const head = (await storage.changes(accountId, 0, 1)).head;
  const cases = {
    'idle feed page (baseline)': () => storage.changes(accountId, head, 1000),
    'idle feed page + digest': () => storage.changes(accountId, head, 1000, undefined, true),
    'GET /api/sync/digest (storage)': () => storage.digest(accountId),
  };
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const fn of Object.values(cases)) await fn(); // warm
  for (let r = 0; r < ROUNDS; r++)
    for (const [k, fn] of Object.entries(cases)) times[k].push(await ms(fn));
  const all = [];
  for (let since = 0; ; ) {
    const page = await storage.changes(accountId, since, 1000);
    all.push(...page.changes);
    if (!page.more) break;
    since = page.next;
  }
  await storage.close();
  const base = median(times['idle feed page (baseline)']);
  const rows = Object.entries(times).map(([k, xs]) => [
    `${label}: ${k}`,
    fmt(median(xs), 2),
    fmt(Math.max(...xs), 2),
    k.includes('baseline') ? '—' : `+${fmt(median(xs) - base, 2)}`,
  ]);
  return { rows, all };
}

const sqlite = await measure('SQLite', { kind: 'sqlite', file: join(tempDir('digest'), 'wp.db') });
const rows = [...sqlite.rows];
const pgAdmin = process.env.BENCH_PG_URL || process.env.TEST_DATABASE_URL;
let pgNote = '';
if (pgAdmin) {
  const db = await freshPgDatabase(pgAdmin);
  try {
    rows.push(...(await measure('PostgreSQL', { kind: 'postgres', url: db.url })).rows);
  } finally {
    await db.drop();
  }
} else pgNote = 'PostgreSQL: not measured (set TEST_DATABASE_URL to include it).';

// The CLI's side: the digest of its view after a pull that received records.
const client = [];
for (let r = 0; r < ROUNDS; r++)
  client.push(await ms(() => accountDigest(sqlite.all, createHash('sha256'))));
rows.push([
  `CLI: accountDigest over ${sqlite.all.length} cached records`,
  fmt(median(client), 2),
  fmt(Math.max(...client), 2),
  '—',
]);

const body = `## Account digest (issue 13)

${PROJECTS.toLocaleString('en')} projects, each checked out on two machines, ${ROUNDS} rounds each, cases alternating. ${machineLine(load)}
The idle feed page is the commonest pull (nothing new); with \`digest=1\` it also scans the
account. ${pgNote}

${table(['case', 'median ms', 'max ms', 'over baseline'], rows)}
`;
writeSection('digest', body);
console.log(body);
