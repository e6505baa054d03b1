/**
 * Offline and secrets, with the CLI run in this process against a test context:
 * - the server unreachable (connection refused, and a server that accepts but never answers):
 *   every local command works; every network command ends, within its timeout, with one
 *   clear line and a non-zero exit;
 * - a full session against a real work-prod with the key set: the key appears in no output
 *   and in no file under DEV_INFRA_HOME other than config.yml (mode 0600).
 * Timeouts come from DEV_INFRA_CONNECT_TIMEOUT / DEV_INFRA_TIMEOUT to keep this short.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../server/test/helpers.js';
import { makeRepo, type RunResult } from './support/cli.js';
import { runInProcess } from './support/context.js';
import { useListeningApp } from './sync/listening-app.js';

afterAll(removeTempDirs);

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** Runs `dev-infra ARGS` on machine `home`, in this process. */
const cli = (
  home: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) => runInProcess(args, { home, ...options });

const FAKE_KEY = 'wp_test_offlineKEYoffline0000000000000000000000';
const TIMEOUTS = { DEV_INFRA_CONNECT_TIMEOUT: '1', DEV_INFRA_TIMEOUT: '2' };
/** Generous: retries included, on a loaded 2-core machine. A hang would go far beyond it. */
const HARD_CAP_MS = 25_000;

async function timed(home: string, args: string[], cwd: string) {
  const start = Date.now();
  const r = await cli(home, args, { cwd, env: TIMEOUTS });
  return { ...r, ms: Date.now() - start };
}

/** A port where nothing listens (bound, then closed). */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** A server that accepts connections and never answers. */
async function blackHole(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

const LOCAL: string[][] = [
  ['list'],
  ['list', '--json'],
  ['list', '--all'],
  ['show', 'alpha'],
  ['update', 'alpha', '--description', 'offline edit'],
  ['add', '{beta}'],
  ['remove', 'beta'],
  ['config', 'list'],
  ['status', '--offline'],
];
const NETWORK: string[][] = [['sync'], ['sync', 'push'], ['sync', 'pull'], ['machines']];

describe.each(['refused', 'never answers'])('server unreachable (%s)', (mode) => {
  let hole: Awaited<ReturnType<typeof blackHole>> | undefined;
  let url = '';
  beforeAll(async () => {
    if (mode === 'refused') url = `http://127.0.0.1:${await refusedPort()}`;
    else {
      hole = await blackHole();
      url = `http://127.0.0.1:${hole.port}`;
    }
  });
  afterAll(async () => {
    await hole?.close();
  });

  it('local commands work; network commands end in time with one clear line', async () => {
    const root = makeTempDir('dev-infra-offline-');
    const home = join(root, 'home');
    const alpha = makeRepo(join(root, 'alpha'));
    const beta = makeRepo(join(root, 'beta'));
    const sub = (a: string) =>
      a === '{beta}' ? beta : a === '{clone-dir}' ? join(root, 'clone') : a;
    expect((await cli(home, ['add', alpha])).code).toBe(0);
    const set = await timed(home, ['remote', 'set', url, '--key', FAKE_KEY, '--no-verify'], root);
    expect(set.code, set.stderr).toBe(0);
    const outputs: RunResult[] = [set];

    for (const args of LOCAL) {
      const r = await timed(home, args.map(sub), root);
      outputs.push(r);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const figures: string[] = [];
    for (const args of NETWORK) {
      const r = await timed(home, args.map(sub), root);
      outputs.push(r);
      const label = args.join(' ');
      expect(r.code, `${label}: ${r.stdout}${r.stderr}`).not.toBe(0);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, `${label}: ${r.stderr}`).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toMatch(/127\.0\.0\.1|work-prod|server/);
      expect(lines[0]).toMatch(/refused|not answer|timed out|time|reach|connect/i);
      expect(r.ms, label).toBeLessThan(HARD_CAP_MS);
      figures.push(`${label}: exit ${r.code} in ${r.ms} ms`);
    }
    // `status` falls back to the last sync and says the server is unreachable (exit 0).
    const status = await timed(home, ['status'], root);
    outputs.push(status);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/offline \(cannot reach http:\/\/127\.0\.0\.1:\d+\)/);
    expect(status.ms).toBeLessThan(HARD_CAP_MS);
    figures.push(`status: exit 0 (offline view) in ${status.ms} ms`);
    // `clone` looks the project up in the last sync's cache (no network): a clear refusal.
    const clone = await timed(home, ['clone', 'gamma', join(root, 'clone')], root);
    outputs.push(clone);
    expect(clone.code).toBe(1);
    expect(clone.stderr).toMatch(/^error: no project named "gamma" is known from the server/);
    // Nothing was lost locally: the offline edit is still there.
    const show = await cli(home, ['show', 'alpha', '--json']);
    expect(JSON.parse(show.stdout).description).toBe('offline edit');
    // `remove --everywhere` only queues the deletion for the next sync: it works offline.
    const removed = await timed(home, ['remove', '--everywhere', 'alpha'], root);
    outputs.push(removed);
    expect(removed.code, removed.stderr).toBe(0);
    for (const r of outputs) expect(`${r.stdout}${r.stderr}`).not.toContain(FAKE_KEY);
    console.log(`offline (${mode})`, figures);
  }, 240_000);
});

describeBackends(
  'the API key stays in config.yml',
  (backend) => {
    const serverUrl = useListeningApp(backend);

    it('a full CLI session never prints or stores the key elsewhere', async () => {
      const { key } = await newAccount(backend().storage, 'secrets');
      const root = makeTempDir('dev-infra-secrets-');
      const [A, B] = [join(root, 'A'), join(root, 'B')];
      const outputs: RunResult[] = [];
      const run = async (home: string, args: string[]) => {
        const r = await cli(home, args, { cwd: root });
        outputs.push(r);
        return r;
      };
      const alpha = makeRepo(join(root, 'alpha'), 'https://github.com/acme/alpha.git');
      for (const home of [A, B]) {
        expect((await run(home, ['remote', 'set', serverUrl(), '--key', key])).code).toBe(0);
        await run(home, ['remote', 'show']);
        await run(home, ['remote', 'show', '--json']);
        await run(home, ['config', 'list']);
        await run(home, ['config', 'list', '--json']);
      }
      await run(A, ['add', alpha, '--tag', 'x']);
      expect((await run(A, ['sync'])).code).toBe(0);
      expect((await run(B, ['sync'])).code).toBe(0);
      await run(B, ['list', '--all', '--json']);
      await run(B, ['status']);
      await run(B, ['status', '--json']);
      await run(B, ['machines', '--json']);
      await run(A, ['update', 'alpha', '--description', 'd']);
      await run(A, ['sync', 'push']);
      await run(B, ['sync', 'pull']);
      await run(A, ['doctor']);
      await run(A, ['--debug', 'sync']);
      await run(A, ['remove', '--everywhere', 'alpha']);
      await run(B, ['sync']);
      // A wrong key's refusal does not echo it either.
      await run(A, ['remote', 'set', serverUrl(), '--key', `${key}WRONG`, '--no-verify']);
      const refused = await run(A, ['sync']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).not.toContain(`${key}WRONG`);
      await run(A, ['remote', 'set', serverUrl(), '--key', key]);

      for (const r of outputs) {
        expect(r.stdout).not.toContain(key);
        expect(r.stderr).not.toContain(key);
      }
      let files = 0;
      for (const home of [A, B]) {
        for (const file of filesUnder(home)) {
          files++;
          const text = readFileSync(file, 'latin1');
          if (file === join(home, 'config.yml')) {
            expect(text).toContain(key);
            expect(statSync(file).mode & 0o777).toBe(0o600);
          } else expect(text, file).not.toContain(key);
        }
      }
      console.log(
        `secrets [${backend().name}]: ${outputs.length} commands, ${files} files checked`,
      );
    }, 120_000);
  },
  ['sqlite'],
);
