// Shared helpers of the benchmark scripts: timing, medians, the machine line, results.md
// sections, and a work-prod (in-process or child) seeded through its storage layer.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const cliBin = process.env.BENCH_CLI_BIN || join(root, 'packages/cli/dist/bin.js');
export const serverDist = join(root, 'packages/server/dist');
const resultsFile = join(root, 'bench/results.md');

/** Exits with a clear line when the build outputs are missing. */
export function requireBuild() {
  for (const f of [cliBin, join(serverDist, 'app.js')])
    if (!existsSync(f)) {
      console.error(`error: ${f} is missing; run \`npm run build\` first`);
      process.exit(1);
    }
}

/** A positive integer from the environment, else `fallback` (lets a quiet machine scale up). */
export function envInt(name, fallback) {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const fmt = (n, digits = 1) => n.toFixed(digits);
export const tempDir = (prefix) => mkdtempSync(join(tmpdir(), `dev-infra-bench-${prefix}-`));

/** One line describing the machine and the run, for every section. */
export function machineLine(loadAtStart) {
  const load = loadavg()[0];
  return `Node ${process.version}, ${availableParallelism()} cores, load average ${fmt(loadAtStart)} at the start and ${fmt(load)} at the end (the machine is shared: absolute times are noisy, the same-run ratio is what to compare), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`;
}

/** Runs a command to completion without blocking the event loop (an in-process server must answer). */
export function run(cmd, args, { env, input } = {}) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      if (code !== 0)
        reject(new Error(`${[cmd, ...args].join(' ')} exited ${code}: ${stderr || stdout}`));
      else resolve({ ms, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** Times a synchronous spawn (no server in this process to keep answering). */
export function timeSync(cmd, args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

/** Replaces (or appends) the section between `<!-- key:start -->` and `<!-- key:end -->`. */
export function writeSection(key, body) {
  const section = `<!-- ${key}:start -->\n${body.trim()}\n<!-- ${key}:end -->`;
  let results = existsSync(resultsFile)
    ? readFileSync(resultsFile, 'utf8')
    : '# Benchmark results\n';
  const marked = new RegExp(`<!-- ${key}:start -->[\\s\\S]*?<!-- ${key}:end -->`);
  results = marked.test(results)
    ? results.replace(marked, () => section)
    : `${results.trimEnd()}\n\n${section}\n`;
  writeFileSync(resultsFile, results);
}

/** A markdown table from a header row and rows of cells. */
export function table(header, rows) {
  const align = header.map((_h, i) => (i === 0 ? '---' : '---:'));
  return [header, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export const verdict = (ok) => (ok ? 'meets the target' : '**misses the target**');

// ---- work-prod ----

/** Opens a storage (sqlite file or postgres URL), migrated. */
export async function openStore(target) {
  const { openStorage } = await import(join(serverDist, 'storage/open.js'));
  const storage = await openStorage(target);
  await storage.migrate();
  return storage;
}

/** Creates an account with a fresh key; returns the key (for DEV_INFRA_API_KEY / Bearer). */
export async function makeAccount(storage, name) {
  const { generateKey } = await import(join(serverDist, 'keys.js'));
  const account = await storage.createAccount(name);
  const { key, stored } = generateKey('bench');
  await storage.addKey(account.id, stored);
  return { accountId: account.id, key };
}

/** Shared fields of synthetic project `i`. */
export function projectFields(i, stamp = new Date().toISOString()) {
  const name = `project-${String(i).padStart(6, '0')}`;
  return {
    name,
    description: `Benchmark project number ${i}`,
    remote_url: `git@github.com:acme/${name}.git`,
    project_type: ['Work', 'Personal', 'Learning', null][i % 4],
    status: i % 5 === 0 ? 'paused' : 'active',
    classification: null,
    organization: null,
    tags: i % 3 === 0 ? ['go', 'svc'] : ['web'],
    template: null,
    template_version: null,
    created_at: stamp,
    updated_at: stamp,
  };
}

/** A machine of the account (its id and name, as pushes name them). */
export const machineRef = (name) => ({ id: randomUUID(), name });

/**
 * Seeds `count` projects through the storage layer (batched CAS pushes, not HTTP), each
 * checked out on every machine of `machines`. Returns `{uuid, rev, index}` of each, in order.
 */
export async function seedProjects(storage, accountId, count, machines, offset = 0) {
  const seeded = [];
  const BATCH = 1000;
  const applied = (res) => {
    const bad = res.results.find((r) => r.status !== 'applied');
    if (bad) throw new Error(`seeding failed: ${JSON.stringify(bad)}`);
    for (const r of res.results)
      seeded.push({ uuid: r.uuid, rev: r.rev, index: offset + seeded.length });
  };
  for (let start = 0; start < count; start += BATCH) {
    const n = Math.min(BATCH, count - start);
    const batch = Array.from({ length: n }, (_, k) => ({
      uuid: randomUUID(),
      base_rev: 0,
      fields: projectFields(offset + start + k),
    }));
    for (const [m, machine] of machines.entries()) {
      const res = await storage.push(accountId, {
        machine,
        changes: m === 0 ? batch : [],
        checkouts: batch.map((c) => ({
          uuid: c.uuid,
          path: `/home/${machine.name}/code/${c.fields.name}`,
        })),
      });
      if (m === 0 && res.results.some((r) => r.status !== 'applied'))
        throw new Error(
          `seeding failed: ${JSON.stringify(res.results.find((r) => r.status !== 'applied'))}`,
        );
    }
    if (machines.length === 0) {
      const res = await storage.push(accountId, {
        machine: machineRef('seeder'),
        changes: batch,
        checkouts: [],
      });
      applied(res);
    }
  }
  return seeded;
}

/** Starts work-prod in this process on 127.0.0.1:0, counting the requests it answers. */
export async function startServer(storage, { rateLimit = 1_000_000 } = {}) {
  const { buildApp } = await import(join(serverDist, 'app.js'));
  const app = await buildApp({
    storage,
    options: { bodyLimit: 16 * 1024 * 1024, rateLimit, logLevel: 'silent', trustProxy: false },
  });
  const counter = { requests: 0, paths: [] };
  app.addHook('onResponse', async (request) => {
    counter.requests++;
    counter.paths.push(`${request.method} ${request.url.split('?')[0]}`);
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: address, counter };
}

/** A fresh PostgreSQL database on the server of `adminUrl` (dropped by the returned function). */
export async function freshPgDatabase(adminUrl) {
  const pg = (await import('pg')).default;
  const name = `bench_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

// ---- dev-infra ----

/**
 * A machine's DEV_INFRA_HOME holding `count` registered projects (half of their folders exist),
 * written in registry format 1 (the CLI migrates it on its first write).
 */
export function localHome(prefix, count, machineName = 'bench') {
  const home = tempDir(prefix);
  const codeDir = join(home, 'code');
  const now = new Date().toISOString();
  const projects = [];
  for (let i = 0; i < count; i++) {
    const name = `local-${String(i).padStart(5, '0')}`;
    const path = join(codeDir, name);
    if (i % 2 === 0) mkdirSync(path, { recursive: true });
    projects.push({
      id: randomUUID(),
      path,
      ...projectFields(i, now),
      name,
      remote_url: `git@github.com:acme/${name}.git`,
    });
  }
  writeFileSync(
    join(home, 'registry.json'),
    `${JSON.stringify({ version: 1, machine: { id: randomUUID(), name: machineName }, projects }, null, 2)}\n`,
  );
  return home;
}

/** The environment of a dev-infra process on machine `home` (talking to `remote`, if given). */
export function cliEnv(home, remote) {
  const env = { ...process.env, DEV_INFRA_HOME: home, NO_COLOR: '1' };
  delete env.DEV_INFRA_REMOTE;
  delete env.DEV_INFRA_API_KEY;
  if (remote) Object.assign(env, { DEV_INFRA_REMOTE: remote.url, DEV_INFRA_API_KEY: remote.key });
  return env;
}

/** A table row: `label`, the median, min and max of `xs` (ms), and the median's ratio to `baseMs`. */
export const timingRow = (label, xs, baseMs) => [
  label,
  fmt(median(xs)),
  fmt(Math.min(...xs)),
  fmt(Math.max(...xs)),
  fmt(median(xs) / baseMs, 2),
];
