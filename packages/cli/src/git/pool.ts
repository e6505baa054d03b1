/**
 * Reading many checkouts' git state with a bounded number of git processes at once, so a
 * registry of a thousand repositories neither forks a thousand processes nor waits for them
 * one by one. An overall deadline caps the whole run: checkouts not started by then report
 * `timeout` rather than hold the sync.
 */
import { availableParallelism } from 'node:os';
import type { GitState } from '@dev-infra/core';
import { pool } from '../pool.js';
import { ShellGitRunner, shellAvailable } from './shell-runner.js';
import { DEFAULT_GIT_BUDGET_MS, readGitState, shellGitEnv } from './state.js';

/** How the pool runs. */
export interface GitPoolOptions {
  /** At most this many repositories at once (default: twice the cores). */
  jobs?: number;
  /** Per repository, in milliseconds (see readGitState). */
  budgetMs?: number;
  /** For the whole run, in milliseconds (default: 30 s). */
  totalMs?: number;
  env?: NodeJS.ProcessEnv;
  now: () => string;
}

/** The default number of repositories read at once. */
export function defaultGitJobs(): number {
  return Math.max(2, availableParallelism() * 2);
}

/** Each folder's state (null: not a git repository), in the order given. */
export async function collectGitStates(
  dirs: readonly string[],
  options: GitPoolOptions,
): Promise<(GitState | null)[]> {
  const jobs = Math.max(1, Math.floor(options.jobs ?? defaultGitJobs()));
  const stopAt = Date.now() + (options.totalMs ?? 30_000);
  const env = shellGitEnv(options.env ?? process.env);
  // One shell per lane, started at its first repository (see shell-runner.ts).
  const runners: ShellGitRunner[] = [];
  const shells = shellAvailable();
  const runnerFor = (worker: number) => {
    if (!shells) return undefined;
    runners[worker] ??= new ShellGitRunner(env);
    return runners[worker];
  };
  try {
    return await pool(dirs, jobs, (dir, _index, worker) => {
      const left = Math.max(0, stopAt - Date.now());
      const runner = runnerFor(worker);
      return readGitState(dir, {
        ...options,
        budgetMs: Math.min(options.budgetMs ?? DEFAULT_GIT_BUDGET_MS, left),
        ...(runner ? { runner } : {}),
      });
    });
  } finally {
    for (const runner of runners) runner?.close();
  }
}
