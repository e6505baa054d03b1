/**
 * Runs the built `dev-infra` (dist/bin.js) as a user would, one DEV_INFRA_HOME per simulated
 * machine. `ensureBuilt` rebuilds dist when it is missing or older than the sources, so
 * `npx vitest run` works without a prior `npm run build`.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import lockfile from 'proper-lockfile';

const cliDir = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(cliDir, 'dist', 'bin.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // Tests beside the sources are not built into dist.
    if (entry.name.endsWith('.test.ts')) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  if (!existsSync(BIN)) return true;
  const sources = Math.max(
    newestMtime(join(cliDir, 'src')),
    newestMtime(join(cliDir, '..', 'core', 'src')),
    newestMtime(join(cliDir, 'scripts')),
    statSync(join(cliDir, 'build.mjs')).mtimeMs,
  );
  return statSync(BIN).mtimeMs < sources;
}

/** Builds the CLI if dist is missing or stale; test files running in parallel build once. */
export async function ensureBuilt(): Promise<void> {
  if (!isStale()) return;
  const release = await lockfile.lock(join(cliDir, 'build.mjs'), {
    retries: { retries: 300, minTimeout: 100, maxTimeout: 200 },
  });
  try {
    if (isStale()) execFileSync(process.execPath, ['build.mjs'], { cwd: cliDir, stdio: 'inherit' });
  } finally {
    await release();
  }
}

/** The environment of a simulated machine: its own DEV_INFRA_HOME, a fixed git identity. */
export function machineEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DEV_INFRA_HOME: home,
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    ...extra,
  };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  return env;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `dev-infra ARGS` to completion. */
export function runCli(
  home: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): RunResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? tmpdir(),
    env: machineEnv(home, options.env),
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `dev-infra ARGS` without waiting (for concurrency and kill tests). */
export function startCli(home: string, args: string[], cwd = tmpdir()): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: machineEnv(home),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the exit code (or the signal name) of a started process. */
export function exited(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve(code ?? signal ?? -1));
  });
}

/** Makes a git repository in `dir` (created), with an `origin` remote when given. */
export function makeRepo(dir: string, origin?: string): string {
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', dir], { env: machineEnv(dir) });
  if (origin) execFileSync('git', ['-C', dir, 'remote', 'add', 'origin', origin]);
  return dir;
}
