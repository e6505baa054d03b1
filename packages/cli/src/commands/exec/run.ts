/**
 * `dev-infra exec -- CMD [ARGS...]`: runs one command in each matching project's folder, a few
 * at a time (as mani and gita do). Grouped by default: each project's output is kept until it
 * ends and printed whole under its name, in listing order, so parallel runs never interleave;
 * `--stream` prints lines as they come, each prefixed with the name.
 */
import { spawn } from 'node:child_process';
import type { ProjectStatus, ProjectType } from '@dev-infra/core';
import type { Context } from '../../context.js';
import { collectGitStates } from '../../git/pool.js';
import { isDirtyState } from '../../git/summary.js';
import { printJson } from '../../output/json.js';
import { byName } from '../../output/order.js';
import { isMissing } from '../../output/project-view.js';
import { safeLine } from '../../output/safe-text.js';
import { pool } from '../../pool.js';
import { isFiltered, projectFilter } from '../../project-filter.js';
import type { LocalProject } from '../../registry/format.js';
import { loadRegistry } from '../../registry/read.js';
import { BoundedCapture } from './capture.js';

export interface ExecOptions {
  tag?: string[];
  type?: ProjectType;
  status?: ProjectStatus;
  dirty?: boolean;
  jobs?: number;
  stream?: boolean;
  json?: boolean;
  /** Bytes kept of each stream of each project (tests lower it). */
  captureLimit?: number;
}

/** Enough to keep a few builds or fetches busy without swamping a laptop. */
const DEFAULT_JOBS = 4;

interface Outcome {
  project: LocalProject;
  /** The command's exit code; 127 when it was not found and 126 when it could not run, as shells do. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Why the command did not run, or null. */
  error: string | null;
  stdout: string;
  stderr: string;
  /** Both streams in the order they arrived, for the grouped output. */
  combined: Buffer;
}

/** A project's folder is missing: it is skipped, not failed (nothing ran there). */
interface Skipped {
  project: LocalProject;
}

const failed = (o: Outcome) => o.exitCode !== 0;

/** How a failure reads in the summary: `exit 1` (127 for a command not found) or `SIGKILL`. */
function failureNote(o: Outcome): string {
  if (o.signal) return o.signal;
  return `exit ${o.exitCode ?? '?'}`;
}

/** A spawn error as one line: the code the shell would give and what the user should know. */
function spawnFailure(
  error: NodeJS.ErrnoException,
  command: string,
): { code: number; message: string } {
  if (error.code === 'ENOENT') return { code: 127, message: `command not found: ${command}` };
  if (error.code === 'EACCES') return { code: 126, message: `permission denied: ${command}` };
  return { code: 126, message: `cannot run ${command}: ${error.message}` };
}

/** Splits streamed text into whole lines, keeping the unfinished end for the next chunk. */
function lineSplitter(emit: (line: string) => void) {
  let pending = '';
  return {
    push(chunk: Buffer) {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) emit(line);
    },
    end() {
      if (pending !== '') emit(pending);
      pending = '';
    },
  };
}

/** How a run shows: lines as they come, and which captures it keeps (grouped, JSON). */
interface RunShape {
  stream: boolean;
  keepStreams: boolean;
  keepCombined: boolean;
  captureLimit: number | undefined;
}

function runOne(
  ctx: Context,
  project: LocalProject,
  command: string[],
  shape: RunShape,
): Promise<Outcome> {
  const [file, ...args] = command as [string, ...string[]];
  const name = safeLine(project.name);
  const { stream } = shape;
  return new Promise((resolve) => {
    const out = new BoundedCapture(shape.captureLimit);
    const err = new BoundedCapture(shape.captureLimit);
    const combined = new BoundedCapture(shape.captureLimit);
    const outLines = lineSplitter((line) => ctx.io.out(`${name}: ${line}\n`));
    const errLines = lineSplitter((line) => ctx.io.err(`${name}: ${line}\n`));
    let error: string | null = null;
    let errorCode: number | null = null;
    // No shell: each argument reaches the command as written, `$HOME` and `;` included.
    const child = spawn(file, args, {
      cwd: project.path,
      env: ctx.env,
      shell: false,
      // Several commands run at once, so none can have the terminal's stdin.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (shape.keepStreams) out.push(chunk);
      if (shape.keepCombined) combined.push(chunk);
      if (stream) outLines.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (shape.keepStreams) err.push(chunk);
      if (shape.keepCombined) combined.push(chunk);
      if (stream) errLines.push(chunk);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      const failure = spawnFailure(e, safeLine(file));
      error = failure.message;
      errorCode = failure.code;
    });
    child.on('close', (code, signal) => {
      if (stream) {
        outLines.end();
        errLines.end();
        if (error) ctx.io.err(`${name}: ${error}\n`);
      }
      resolve({
        project,
        exitCode: errorCode ?? code,
        signal: errorCode === null ? signal : null,
        error,
        stdout: out.bytes().toString('utf8'),
        stderr: err.bytes().toString('utf8'),
        combined: combined.bytes(),
      });
    });
  });
}

function selectProjects(ctx: Context, options: ExecOptions): LocalProject[] {
  const { registry } = loadRegistry(ctx.paths.registryFile);
  return registry.projects.filter(projectFilter(options)).sort(byName);
}

export async function runExec(
  ctx: Context,
  command: string[],
  options: ExecOptions,
): Promise<void> {
  const selected = selectProjects(ctx, options);
  const skipped: Skipped[] = [];
  const present: LocalProject[] = [];
  const candidates: LocalProject[] = [];
  for (const project of selected) {
    if (isMissing(project)) skipped.push({ project });
    else candidates.push(project);
  }
  if (options.dirty) {
    // A folder git cannot read (not a repository, broken, too slow) has no changes to speak
    // of: left out.
    const states = await collectGitStates(
      candidates.map((p) => p.path),
      { env: ctx.env, now: () => ctx.now().toISOString() },
    );
    candidates.forEach((p, i) => {
      if (isDirtyState(states[i] ?? null)) present.push(p);
    });
  } else present.push(...candidates);
  if (present.length === 0 && skipped.length === 0) {
    const filtered = isFiltered(options) || options.dirty;
    // On stderr, as `list` does, so a script reading stdout sees no output rather than a sentence.
    if (options.json) printJson(ctx.io, []);
    else
      ctx.io.err(
        filtered
          ? 'No projects match these filters.\n'
          : 'No projects registered yet: run `dev-infra add` in a project folder, or `dev-infra scan ~/code`.\n',
      );
    return;
  }

  const stream = options.stream === true;
  const grouped = !stream && !options.json;
  const shape: RunShape = {
    stream,
    keepStreams: options.json === true,
    keepCombined: grouped,
    captureLimit: options.captureLimit,
  };
  // Grouped output goes out in listing order as soon as every earlier project is done.
  const done: (Outcome | undefined)[] = new Array(present.length);
  let printed = 0;
  const flush = () => {
    while (printed < present.length && done[printed]) {
      const o = done[printed]!;
      ctx.io.out(`==> ${safeLine(o.project.name)} <==\n`);
      if (o.combined.length > 0) {
        ctx.io.out(o.combined);
        if (o.combined[o.combined.length - 1] !== 0x0a) ctx.io.out('\n');
      }
      if (o.error) ctx.io.out(`dev-infra: ${o.error}\n`);
      printed++;
    }
  };
  const outcomes = await pool(present, options.jobs ?? DEFAULT_JOBS, async (project, index) => {
    const outcome = await runOne(ctx, project, command, shape);
    if (grouped) {
      done[index] = outcome;
      flush();
    }
    return outcome;
  });

  const failures = outcomes.filter(failed);
  if (failures.length > 0) ctx.exitCode = 1;

  if (options.json) {
    printJson(ctx.io, [
      ...outcomes.map((o) => ({
        name: o.project.name,
        path: o.project.path,
        exit_code: o.exitCode,
        signal: o.signal,
        stdout: o.stdout,
        stderr: o.stderr,
        skipped: false,
        error: o.error,
      })),
      ...skipped.map((s) => ({
        name: s.project.name,
        path: s.project.path,
        exit_code: null,
        signal: null,
        stdout: '',
        stderr: '',
        skipped: true,
        error: 'folder is missing',
      })),
    ]);
    return;
  }

  // The summary goes to stderr, so stdout holds only the commands' own output.
  for (const s of skipped)
    ctx.io.err(
      `skipped ${safeLine(s.project.name)}: its folder ${safeLine(s.project.path)} is missing\n`,
    );
  if (failures.length > 0) {
    const list = failures.map((o) => `${safeLine(o.project.name)} (${failureNote(o)})`).join(', ');
    ctx.io.err(`${failures.length} of ${outcomes.length} failed: ${list}\n`);
  } else if (outcomes.length > 0) {
    ctx.io.err(`${outcomes.length} of ${outcomes.length} succeeded\n`);
  }
}
