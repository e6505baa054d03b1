/**
 * Fixtures for the sync end-to-end tests: the built CLI run asynchronously (the server under
 * test lives in this process, so a blocking spawnSync would starve it), a proxy in front of
 * the server that counts requests and can cut a push's answer off after the server applied
 * it, and git repositories with a bare origin that `clone` really clones.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { BIN, machineEnv, type RunResult } from '../support/cli.js';

/** Runs the built `dev-infra ARGS` on machine `home`, without blocking this process. */
export function cli(
  home: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? tmpdir(),
      env: machineEnv(home, { NO_COLOR: '1', ...options.env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the CLI and fails with its output unless it exits 0. */
export async function ok(home: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await cli(home, args, env ? { env } : {});
  if (r.code !== 0)
    throw new Error(`dev-infra ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Parses the CLI's JSON output. */
export async function json<T = unknown>(home: string, args: string[]): Promise<T> {
  return JSON.parse(await ok(home, args)) as T;
}

/** A proxy on 127.0.0.1 in front of `upstream`: counts requests, can cut one push off. */
export interface CountingProxy {
  url: string;
  /** Requests seen since the last reset, as `METHOD /path`. */
  seen: string[];
  /** The next request whose path starts with `prefix` reaches the server, but its answer is
   *  dropped and the connection closed (as when the network dies after the server applied);
   *  with `unsent`, it is closed before anything reaches the server. */
  cutNext(prefix: string, method?: string, unsent?: boolean): void;
  close(): Promise<void>;
}

/** Starts the proxy. */
export async function startProxy(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  const seen: string[] = [];
  let cut: { prefix: string; method: string | undefined; unsent: boolean } | null = null;
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const drop =
        cut !== null &&
        (req.url ?? '').startsWith(cut.prefix) &&
        (cut.method === undefined || cut.method === req.method);
      const unsent = drop && cut?.unsent === true;
      if (drop) cut = null;
      if (unsent) {
        req.socket.destroy();
        return;
      }
      const up = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        (upRes) => {
          const body: Buffer[] = [];
          upRes.on('data', (c: Buffer) => body.push(c));
          upRes.on('end', () => {
            if (drop) {
              req.socket.destroy();
              return;
            }
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      up.on('error', () => req.socket.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    cutNext: (prefix, method, unsent = false) => {
      cut = { prefix, method, unsent };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const gitEnv = () => machineEnv(tmpdir());

/** Runs git with a fixed identity. */
export function git(args: string[], cwd?: string): string {
  return execFileSync('git', args, { cwd, env: gitEnv(), encoding: 'utf8', stdio: 'pipe' });
}

/**
 * A bare "origin" repository with one commit, and a working clone of it at `work` (the
 * project as first made on machine A). Returns the origin's path (its clone URL).
 */
export function makeOriginAndClone(root: string, name: string, work: string): string {
  const origin = join(root, 'origins', `${name}.git`);
  git(['init', '-q', '--bare', '-b', 'main', origin]);
  git(['clone', '-q', origin, work]);
  git(['-C', work, 'checkout', '-q', '-b', 'main']);
  git(['-C', work, 'commit', '-q', '--allow-empty', '-m', 'first']);
  git(['-C', work, 'push', '-q', 'origin', 'main']);
  return origin;
}

/** A `list --all --json` row, as the scenarios read it. */
export interface ListRow {
  id: string;
  name: string;
  path: string | null;
  local: boolean;
  description: string | null;
  status: string;
  tags: string[];
  state: string;
  checkouts: { machine: string; path: string }[];
}

/** `status --json`, as the scenarios read it. */
export interface StatusJson {
  projects: { name: string; state: string; local: boolean }[];
  online: boolean;
}

/** Every project machine `home` knows of (no network). */
export const listAll = (home: string) => json<ListRow[]>(home, ['list', '--all', '--json']);

/** One project as machine `home` lists it with --all. */
export const findProject = async (home: string, name: string) =>
  (await listAll(home)).find((r) => r.name === name);

/** One project's state as `status --json` on `home` gives it. */
export const stateOf = async (home: string, name: string) =>
  (await json<StatusJson>(home, ['status', '--json'])).projects.find((p) => p.name === name)?.state;

/**
 * Three machines under `root` (A "laptop", B "desktop", C "server"), each with its clone
 * root in `<home>/code`, connected to `url` (with `key` when given).
 */
export async function setUpMachines(
  root: string,
  url: string,
  key?: string,
): Promise<[string, string, string]> {
  const homes = ['A', 'B', 'C'].map((m) => join(root, m)) as [string, string, string];
  const names = ['laptop', 'desktop', 'server'];
  for (const [i, home] of homes.entries()) {
    await ok(home, ['config', 'set', 'machine.name', names[i]!]);
    await ok(home, ['config', 'set', 'clone_root', join(home, 'code')]);
    await ok(home, ['remote', 'set', url, ...(key ? ['--key', key] : [])]);
  }
  return homes;
}

/** A edits the description and B the status of `name`, syncing in turn: both edits survive. */
export async function editDifferentFields(A: string, B: string, name: string): Promise<void> {
  await ok(A, ['update', name, '--description', 'from A']);
  await ok(A, ['sync']);
  await ok(B, ['update', name, '--status', 'paused']);
  await ok(B, ['sync']);
  await ok(A, ['sync']);
  for (const home of [A, B])
    expect(await findProject(home, name)).toMatchObject({
      description: 'from A',
      status: 'paused',
    });
}
