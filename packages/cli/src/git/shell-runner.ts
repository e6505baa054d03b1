/**
 * Running many short git commands through a few long-lived `/bin/sh` processes, one request
 * at a time each. Measured (`bench/git-state.mjs`): Node's `spawn` costs about 1.6 ms of the
 * event loop per process here (it forks the whole Node process), so a thousand spawns
 * serialise on the loop whatever the pool's width; a small shell forks git for a tenth of
 * that. Each request still has its own deadline: a git that runs past it has its shell's
 * process group killed and the next request starts a fresh shell.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What a git command came to. */
export type RunResult = { kind: 'ok' } | { kind: 'failed' } | { kind: 'timeout' };

/** The git commands the collector runs, by name (the shell knows their arguments). */
export type GitCommand = 'status' | 'log';

export const GIT_ARGS: Record<GitCommand, readonly string[]> = {
  status: ['status', '--porcelain=v2', '--branch', '--show-stash', '--ignore-submodules=dirty'],
  log: ['log', '-1', '--format=%cI'],
};

/** Runs one git command in a checkout, streaming its stdout, settled by its deadline. */
export interface GitRunner {
  run(
    dir: string,
    command: GitCommand,
    deadline: number,
    onData: (chunk: string) => void,
  ): Promise<RunResult>;
}

const SH = '/bin/sh';
/** Ends a request's output: git's porcelain and `%cI` never print it (paths are quoted). */
const END = '\u001e';

// One request per line: a letter for the command, a space, the folder. The ceiling is the
// folder's parent, as gitEnv sets it for a direct run: a damaged .git must fail, not report
// the folder around it. Git's stdin is /dev/null: the shell's own is the queue of requests,
// which git (or an fsmonitor hook it starts) must never read.
const SCRIPT = `while IFS= read -r line; do
  d=\${line#? }
  p=\${d%/*}
  case $line in
    s\\ *) GIT_CEILING_DIRECTORIES=$p git -C "$d" ${GIT_ARGS.status.join(' ')} </dev/null 2>/dev/null ;;
    l\\ *) GIT_CEILING_DIRECTORIES=$p git -C "$d" ${GIT_ARGS.log.join(' ')} </dev/null 2>/dev/null ;;
  esac
  printf '${END}%d\\n' "$?"
done`;

/** Kills a detached child's whole process group (git and whatever it started). */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Whether the shell runner can take this folder (one line per request: no newline in it). */
export function shellCanRun(dir: string): boolean {
  return !dir.includes('\n') && !dir.includes('\r');
}

/** Whether this system has the shell the runner needs. */
export function shellAvailable(): boolean {
  return process.platform !== 'win32' && existsSync(SH);
}

/** One shell, one request at a time; restarted after a timeout or an unexpected exit. */
export class ShellGitRunner implements GitRunner {
  private child: ChildProcess | undefined;
  private pending: ((text: string | null) => void) | undefined;
  private buffer = '';

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  private start(): ChildProcess {
    const child = spawn(SH, ['-c', SCRIPT], {
      env: this.env,
      stdio: ['pipe', 'pipe', 'ignore'],
      // Its own process group: a timeout kills the shell and the git it started.
      detached: true,
    });
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      // Output of a shell killed for its deadline belongs to no request.
      if (this.child !== child) return;
      this.buffer += chunk;
      const at = this.buffer.indexOf(END);
      if (at < 0 || !this.buffer.includes('\n', at)) return;
      const text = this.buffer;
      this.buffer = '';
      this.pending?.(text);
    });
    const gone = () => {
      // Only the current shell's end fails the request in flight: a killed one was replaced.
      if (this.child !== child) return;
      this.child = undefined;
      this.pending?.(null);
    };
    child.on('error', gone);
    child.on('close', gone);
    // A write to a shell that just died must not throw out of the collector.
    child.stdin!.on('error', () => undefined);
    this.child = child;
    return child;
  }

  run(
    dir: string,
    command: GitCommand,
    deadline: number,
    onData: (chunk: string) => void,
  ): Promise<RunResult> {
    return new Promise((settle) => {
      const child = this.child ?? this.start();
      let done = false;
      const finish = (r: RunResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending = undefined;
        settle(r);
      };
      this.buffer = '';
      this.pending = (text) => {
        if (text === null) return finish({ kind: 'failed' });
        const at = text.indexOf(END);
        onData(text.slice(0, at));
        const code = Number.parseInt(text.slice(at + 1), 10);
        finish(code === 0 ? { kind: 'ok' } : { kind: 'failed' });
      };
      const timer = setTimeout(
        () => {
          this.kill(child);
          finish({ kind: 'timeout' });
        },
        Math.max(0, deadline - Date.now()),
      );
      child.stdin!.write(`${command === 'status' ? 's' : 'l'} ${dir}\n`);
    });
  }

  private kill(child: ChildProcess): void {
    if (this.child === child) this.child = undefined;
    killGroup(child);
  }

  /** Lets the shell end (its loop stops at the end of its input). */
  close(): void {
    this.child?.stdin?.end();
    this.child = undefined;
  }
}
