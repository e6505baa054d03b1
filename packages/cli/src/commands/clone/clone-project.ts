/**
 * One project's clone, as `clone NAME` and `clone --missing` both do it: where it goes and
 * what refuses it (`planClone`), then git clone and the registration (`cloneProject`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { redactRemoteUrl, type SyncRecord, validateName } from '@dev-infra/core';
import { configValue, readConfig } from '../../config/file.js';
import type { Context } from '../../context.js';
import { oneLine, UserError } from '../../errors.js';
import { safeLine, safeLines } from '../../output/safe-text.js';
import type { LocalProject, Registry } from '../../registry/format.js';
import { findByName, registrationConflict } from '../../registry/lookup.js';
import { resolveFolder } from '../../registry/new-project.js';
import { registerClone } from '../../registry/operations.js';
import { mutateRegistry } from '../../registry/store.js';

/** The folder clones go into by default (`clone_root`, `~/code` when unset). */
export function cloneRoot(configFile: string): string {
  const root = configValue(readConfig(configFile), 'clone_root');
  const value = typeof root === 'string' && root.trim() !== '' ? root.trim() : '~/code';
  return value.startsWith('~') ? join(homedir(), value.slice(1)) : value;
}

/** Why a record is not cloned; the caller words it (with the hints its own command takes). */
export type CloneProblem =
  | { kind: 'name-taken'; name: string; path: string }
  | { kind: 'no-url' }
  | { kind: 'dash-url' }
  | { kind: 'invalid-name'; name: string; message: string }
  | { kind: 'outside-root'; name: string; root: string }
  | { kind: 'target-exists'; target: string };

/** A clone that may go ahead. */
export interface ClonePlan {
  record: SyncRecord;
  /** The name it is registered under here. */
  name: string;
  /** Whether `name` is not the server's (`--name`): the next sync pushes it as a rename. */
  renamed: boolean;
  url: string;
  /** The absolute folder git clones into. */
  target: string;
}

/** Where the clone goes: `dir` itself, else `<root>/<name>`. */
export interface CloneWhere {
  root: string;
  dir?: string;
  rename?: string;
}

/**
 * What cloning `record` here would do, or what refuses it: its name taken here, no remote
 * URL, a URL git would read as an option, a server name that is not a valid name here or would
 * put the clone outside its root, a target that exists.
 */
export function planClone(
  registry: Registry,
  record: SyncRecord,
  where: CloneWhere,
): { ok: true; plan: ClonePlan } | { ok: false; problem: CloneProblem } {
  const fail = (problem: CloneProblem) => ({ ok: false as const, problem });
  const name = where.rename ?? record.fields.name;
  const taken = findByName(registry, name);
  if (taken) return fail({ kind: 'name-taken', name, path: taken.path });
  const url = record.fields.remote_url;
  if (!url) return fail({ kind: 'no-url' });
  if (url.startsWith('-')) return fail({ kind: 'dash-url' });
  // The name came from the server: a `../x` or `/x` name must not put the clone outside its root.
  const invalid = validateName(name);
  if (invalid && where.rename === undefined)
    return fail({ kind: 'invalid-name', name, message: invalid.message });
  const target = where.dir ?? resolve(where.root, name);
  const inside = relative(where.root, target);
  if (!where.dir && (inside === '' || inside.startsWith('..') || isAbsolute(inside)))
    return fail({ kind: 'outside-root', name, root: where.root });
  if (existsSync(target)) return fail({ kind: 'target-exists', target });
  return {
    ok: true,
    plan: { record, name, renamed: where.rename !== undefined, url, target },
  };
}

/** What one clone came to. */
export type CloneResult =
  | { kind: 'cloned'; project: LocalProject }
  /** git failed: its exit code and every line it printed (escaped). */
  | { kind: 'git-failed'; exit: number | null; lines: string[]; message: string }
  /** git cloned it, but the registry refused it (a name or path registered meanwhile). */
  | { kind: 'unregistered'; message: string };

/** How the clone talks to the user. */
export interface CloneMode {
  /**
   * True for one clone the user watches: git may ask for a password on the terminal. False for
   * many at once: nothing may prompt, so a private URL fails instead of waiting unseen.
   */
  interactive: boolean;
}

/** The environment of a git that must not prompt: git's own prompts off, ssh in batch mode. */
function batchEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const quiet: NodeJS.ProcessEnv = { ...env, GIT_TERMINAL_PROMPT: '0' };
  // ssh asks for host keys and passphrases on /dev/tty, whatever git's stdin is; an ssh the
  // user configured (GIT_SSH, GIT_SSH_COMMAND, core.sshCommand) is left as it is.
  if (env.GIT_SSH_COMMAND === undefined && env.GIT_SSH === undefined) {
    const configured = spawnSync('git', ['config', '--get', 'core.sshCommand'], {
      cwd: '/',
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    if (configured.status !== 0 || configured.stdout.trim() === '')
      quiet.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes';
  }
  return quiet;
}

let batchEnvironment: { from: NodeJS.ProcessEnv; env: NodeJS.ProcessEnv } | undefined;

/** batchEnv, asked of git once per environment. */
function batchEnvFor(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (batchEnvironment?.from !== env) batchEnvironment = { from: env, env: batchEnv(env) };
  return batchEnvironment.env;
}

/** Runs `git clone -- URL INTO` (stdin closed); resolves with its exit code and stderr. */
function gitClone(
  ctx: Context,
  url: string,
  into: string,
  mode: CloneMode,
): Promise<{ code: number | null; stderr: string; error?: Error }> {
  return new Promise((done) => {
    // `--` so a URL can never be read as an option, whatever the checks above let through.
    const child = spawn('git', ['clone', '--quiet', '--', url, into], {
      env: mode.interactive ? ctx.env : batchEnvFor(ctx.env),
      stdio: ['ignore', mode.interactive ? 'inherit' : 'ignore', 'pipe'],
    });
    const err: Buffer[] = [];
    let failure: Error | undefined;
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (e) => {
      failure = e;
    });
    child.on('close', (code) =>
      done({
        code,
        stderr: Buffer.concat(err).toString('utf8'),
        ...(failure ? { error: failure } : {}),
      }),
    );
  });
}

/** Registrations of this process, one after another (see `registerCloned`). */
const registrations = new Map<string, Promise<unknown>>();

/**
 * Registers a finished clone. The registry's lock keeps other processes out; clones finishing
 * together in this one wait their turn here (the lock is per process, so they would otherwise
 * wait on each other as on a stranger). Each is its own atomic write: stopped halfway, the
 * registry holds the clones registered so far, and a rerun clones the rest.
 */
function registerCloned(ctx: Context, plan: ClonePlan): Promise<LocalProject> {
  const { registryFile, dataDir } = ctx.paths;
  const previous = registrations.get(registryFile) ?? Promise.resolve();
  const next = previous
    .catch(() => undefined)
    .then(() =>
      mutateRegistry(registryFile, dataDir, (reg) => {
        const path = resolveFolder(plan.target);
        const conflict = registrationConflict(reg, { id: plan.record.uuid, name: plan.name, path });
        if (conflict)
          throw new UserError(
            `cloned into ${safeLine(plan.target)}, but cannot register it: ${safeLine(conflict)}`,
          );
        const cloned = registerClone(reg, plan.record, path, randomUUID);
        // A new name is this machine's edit, so the next sync pushes it like any rename.
        if (plan.renamed) cloned.name = plan.name;
        return cloned;
      }),
    );
  registrations.set(registryFile, next);
  const forget = () => {
    if (registrations.get(registryFile) === next) registrations.delete(registryFile);
  };
  next.then(forget, forget);
  return next;
}

/** The hidden folder beside `target` that process `pid` clones into. */
function partialFolder(target: string, pid: number): string {
  return join(dirname(target), `${partialPrefix(target)}${pid}`);
}

const partialPrefix = (target: string) => `.${basename(target)}.dev-infra-partial-`;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the partial folders of `target` that killed clones left (their process is gone). */
function removeLeftovers(target: string): void {
  const dir = dirname(target);
  const prefix = partialPrefix(target);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length));
    if (Number.isSafeInteger(pid) && pid > 0 && !isRunning(pid))
      rmSync(join(dir, entry), { recursive: true, force: true });
  }
}

const failure = (message: string): CloneResult => ({
  kind: 'git-failed',
  exit: null,
  lines: [],
  message,
});

/**
 * git-clones `plan` and registers the clone with the server's uuid and fields (its checkout
 * is sent on the next push). git clones into a hidden folder beside the target, renamed into
 * place once whole: a failed clone, or one killed outright (which git cannot clean up after),
 * leaves no half folder that every later run would skip as existing; the next clone of that
 * target removes what a killed one left.
 */
export async function cloneProject(
  ctx: Context,
  plan: ClonePlan,
  mode: CloneMode,
): Promise<CloneResult> {
  const { target } = plan;
  // Looked at again just before: a clone that ran meanwhile may have made it.
  if (existsSync(target)) return failure(`${safeLine(target)} already exists`);
  const partial = partialFolder(target, process.pid);
  try {
    mkdirSync(dirname(target), { recursive: true });
    removeLeftovers(target);
  } catch (error) {
    return failure(`cannot create ${safeLine(dirname(target))}: ${safeLine(oneLine(error))}`);
  }
  const git = await gitClone(ctx, plan.url, partial, mode);
  if (git.error || git.code !== 0) {
    rmSync(partial, { recursive: true, force: true });
    if (git.error) return failure(`cannot run git: ${safeLine(git.error.message)}`);
    const lines = safeLines(git.stderr);
    // git's cause is often on its first line ("Could not resolve hostname") and its advice on
    // the last, so all of it is kept; the message names the cause.
    const cause =
      lines.find((line) => !/^(fatal: )?Could not read from remote/.test(line)) ?? lines[0];
    return {
      kind: 'git-failed',
      exit: git.code,
      lines,
      message: `git clone of ${safeLine(redactRemoteUrl(plan.url))} failed (exit ${git.code ?? 'signal'})${cause ? `: ${cause}` : ''}`,
    };
  }
  try {
    // Refused when something was put there meanwhile (rename replaces an empty folder only).
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    return failure(`cannot move the clone into ${safeLine(target)}: ${safeLine(oneLine(error))}`);
  }
  try {
    return { kind: 'cloned', project: await registerCloned(ctx, plan) };
  } catch (error) {
    if (error instanceof UserError) return { kind: 'unregistered', message: error.message };
    throw error;
  }
}
