/**
 * Reading one checkout's git state (issue 15): one `git status --porcelain=v2 --branch
 * --show-stash`, the last commit's time read from its loose object (else one `git log -1`),
 * plus a look in the git dir for an operation in progress. Metadata only: counts, ref names and times. Git runs without a
 * shell, without prompting, without optional locks (never the index lock under a user's
 * feet), in the C locale, within a time budget: too slow reports `timeout`, git failing
 * reports `broken`, and neither ever throws.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { inflateSync, constants as zlibConstants } from 'node:zlib';
import type { GitOperation, GitState } from '@dev-infra/core';
import { LIMITS } from '@dev-infra/core';
import { PorcelainReader } from './porcelain.js';
import {
  GIT_ARGS,
  type GitCommand,
  type GitRunner,
  killGroup,
  type RunResult,
  shellCanRun,
} from './shell-runner.js';

/** How long one repository may take by default (both git calls together). */
export const DEFAULT_GIT_BUDGET_MS = 5000;

/** What reading a repository may be told. */
export interface ReadGitOptions {
  /** The time budget in milliseconds. */
  budgetMs?: number;
  /** The environment git runs in (PATH finds git); the process's by default. */
  env?: NodeJS.ProcessEnv;
  /** The time the state is stamped with (ISO). */
  now: () => string;
  /** How git is run (the pool's shell runners); by default, one process per command. */
  runner?: GitRunner;
}

/** Variables that would point git at another repository than the checkout's. */
const REDIRECTING = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_CEILING_DIRECTORIES',
];

/** The environment git runs in for `dir`. */
export function gitEnv(dir: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const key of REDIRECTING) delete env[key];
  return {
    ...env,
    LC_ALL: 'C',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_TERMINAL_PROMPT: '0',
    // A checkout whose own .git is damaged must fail, not report the folder it sits in.
    GIT_CEILING_DIRECTORIES: dirname(resolve(dir)),
  };
}

/**
 * The checkout's git dir, from its `.git` folder or a worktree's `.git` file (`gitdir: X`),
 * without running git; null when `dir` has no `.git`; undefined when `.git` is a file that
 * does not say where (git will tell it is broken).
 */
export function gitDirOf(dir: string): string | null | undefined {
  const dotGit = join(dir, '.git');
  let isDir: boolean;
  try {
    isDir = statSync(dotGit).isDirectory();
  } catch {
    return null;
  }
  if (isDir) return dotGit;
  try {
    const text = readFileSync(dotGit, 'utf8');
    const m = /^gitdir: (.+)$/m.exec(text);
    if (!m) return undefined;
    const target = (m[1] as string).trim();
    return isAbsolute(target) ? target : resolve(dir, target);
  } catch {
    return undefined;
  }
}

/** Files in the git dir that mean an operation is in progress, checked in this order. */
const OPERATION_MARKERS: readonly [string, GitOperation][] = [
  ['rebase-merge', 'rebase'],
  ['rebase-apply', 'rebase'],
  ['MERGE_HEAD', 'merge'],
  ['CHERRY_PICK_HEAD', 'cherry-pick'],
  ['REVERT_HEAD', 'revert'],
  ['BISECT_LOG', 'bisect'],
];

/** The operation in progress in a git dir, or null. */
export function operationIn(gitDir: string): GitOperation | null {
  for (const [marker, operation] of OPERATION_MARKERS) {
    try {
      statSync(join(gitDir, marker));
      return operation;
    } catch {
      // not this one
    }
  }
  return null;
}

/** git's `%cI` as UTC ISO 8601 (the form every other timestamp takes), or null. */
function commitTime(out: string): string | null {
  const when = out.trim();
  if (when.length === 0 || when.length > LIMITS.git_timestamp) return null;
  const ms = Date.parse(when);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** Where a git dir's objects are (a worktree's are in the common dir). */
function objectsDir(gitDir: string): string {
  try {
    const common = readFileSync(join(gitDir, 'commondir'), 'utf8').trim();
    return join(isAbsolute(common) ? common : resolve(gitDir, common), 'objects');
  } catch {
    return join(gitDir, 'objects');
  }
}

/**
 * The committer time of commit `oid` when it is a loose object (UTC ISO 8601); null when it
 * is packed, unreadable or not a commit (then git is asked).
 */
export function looseCommitTime(gitDir: string, oid: string): string | null {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(oid)) return null;
  try {
    const raw = readFileSync(join(objectsDir(gitDir), oid.slice(0, 2), oid.slice(2)));
    // The header and the few lines up to the committer's are all that is needed.
    const text = inflateSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH })
      .subarray(0, 64 * 1024)
      .toString('latin1');
    if (!text.startsWith('commit ')) return null;
    const body = text.slice(text.indexOf('\0') + 1);
    const end = body.indexOf('\n\n');
    const header = end < 0 ? body : body.slice(0, end);
    const m = /^committer .* (\d+) [+-]\d{4}$/m.exec(header);
    if (!m) return null;
    const ms = Number(m[1]) * 1000;
    return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
  } catch {
    return null;
  }
}

/** Runs each git command as its own process (the fallback where the shell runner cannot). */
export class DirectGitRunner implements GitRunner {
  constructor(private readonly base: NodeJS.ProcessEnv) {}

  run(
    dir: string,
    command: GitCommand,
    deadline: number,
    onData: (chunk: string) => void,
  ): Promise<RunResult> {
    const env = gitEnv(dir, this.base);
    return new Promise((settle) => {
      let done = false;
      const finish = (r: RunResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        settle(r);
      };
      const child = spawn('git', ['-C', dir, ...GIT_ARGS[command]], {
        env,
        stdio: ['ignore', 'pipe', 'ignore'],
        // Its own process group, so a timeout also kills what git (or a wrapper) started.
        detached: true,
      });
      const timer = setTimeout(
        () => {
          killGroup(child);
          finish({ kind: 'timeout' });
        },
        Math.max(0, deadline - Date.now()),
      );
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        if (!done) onData(chunk);
      });
      child.on('error', () => finish({ kind: 'failed' }));
      child.on('close', (code) => finish(code === 0 ? { kind: 'ok' } : { kind: 'failed' }));
    });
  }
}

/** The environment of a shell runner: gitEnv's, with the ceiling set per request instead. */
export function shellGitEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = gitEnv('/', base);
  delete env.GIT_CEILING_DIRECTORIES;
  return env;
}

/**
 * The git state of the checkout at `dir`: null when it is not a git repository (no `.git`
 * there), `{unknown: 'timeout' | 'broken'}` when git is too slow or fails.
 */
export async function readGitState(dir: string, options: ReadGitOptions): Promise<GitState | null> {
  const gitDir = gitDirOf(dir);
  if (gitDir === null) return null;
  const budget = options.budgetMs ?? DEFAULT_GIT_BUDGET_MS;
  if (budget <= 0) return { unknown: 'timeout', taken_at: options.now() };
  const deadline = Date.now() + budget;
  const runner =
    options.runner && shellCanRun(dir)
      ? options.runner
      : new DirectGitRunner(options.env ?? process.env);
  const reader = new PorcelainReader();
  const status = await runner.run(dir, 'status', deadline, (chunk) => reader.push(chunk));
  if (status.kind === 'timeout') return { unknown: 'timeout', taken_at: options.now() };
  if (status.kind === 'failed' || gitDir === undefined)
    return { unknown: 'broken', taken_at: options.now() };
  const s = reader.result();
  let when: string | null = null;
  if (s.head !== null) {
    // A fresh commit is a loose object: read without a second process. Packed: ask git.
    when = looseCommitTime(gitDir, s.head);
    if (when === null) {
      let log = '';
      const last = await runner.run(dir, 'log', deadline, (chunk) => {
        if (log.length < LIMITS.git_timestamp * 2) log += chunk;
      });
      if (last.kind === 'timeout') return { unknown: 'timeout', taken_at: options.now() };
      if (last.kind === 'failed') return { unknown: 'broken', taken_at: options.now() };
      when = commitTime(log);
    }
  }
  const taken_at = options.now();
  return {
    ...s,
    last_commit_at: when,
    operation: operationIn(gitDir),
    taken_at,
  };
}
