/**
 * The kill loop: runs registry-writing commands of the built CLI (`update`, `add`, `remove`,
 * `sync`) on one machine, SIGKILLs each after a random delay, and checks after every run that
 * the registry parses and shows the command either not applied or wholly applied.
 */
import { readdirSync, readFileSync, rmSync, watch } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { LocalProject, Registry } from '../../src/registry/format.js';
import { parseRegistry } from '../../src/registry/read.js';
import { exited, makeRepo, startCli } from './cli.js';

export type Kind = 'update' | 'add' | 'remove' | 'sync';
export const KINDS: readonly Kind[] = ['update', 'add', 'remove', 'sync'];

/** Moments a kill is aimed after: the process start, the lock taken, a write begun. */
type Stage = 'start' | 'lock' | 'write';
const STAGES: readonly Stage[] = ['start', 'lock', 'write'];
/** The temp file of an atomic write of registry.json or remote-cache.jsonl (write-file-atomic). */
const TEMP = /\.jsonl?\.[0-9a-f]+$/;

/** How the runs of one kind ended. */
export interface Outcomes {
  completed: number;
  /** Killed, the registry as before. */
  killedOld: number;
  /** Killed, the command's change whole in the registry. */
  killedNew: number;
  /** Of the kills, those aimed after the command took the registry's lock. */
  aimedAtLock: number;
  /** Of the kills, those aimed after a temp file of an atomic write appeared. */
  aimedAtWrite: number;
  /** A temp file was left: the kill landed inside the atomic write. */
  killedMidWrite: number;
}

const none = (): Outcomes => ({
  completed: 0,
  killedOld: 0,
  killedNew: 0,
  aimedAtLock: 0,
  aimedAtWrite: 0,
  killedMidWrite: 0,
});

/** Adds up outcomes. */
export function addOutcomes(a: Outcomes, b: Outcomes): Outcomes {
  return {
    completed: a.completed + b.completed,
    killedOld: a.killedOld + b.killedOld,
    killedNew: a.killedNew + b.killedNew,
    aimedAtLock: a.aimedAtLock + b.aimedAtLock,
    aimedAtWrite: a.aimedAtWrite + b.aimedAtWrite,
    killedMidWrite: a.killedMidWrite + b.killedMidWrite,
  };
}

/** Reads and checks the registry (throws unless the file is whole and valid). */
export function readRegistry(home: string): Registry {
  const file = join(home, 'registry.json');
  return parseRegistry(readFileSync(file, 'utf8'), file);
}

/** A project as the user sees it: without its sync slot. */
// The git state is collected by a sync, like its slot: not a field a command shows or edits.
const shown = ({ sync: _sync, git: _git, ...rest }: LocalProject) => JSON.stringify(rest);
/** The shown projects not matching `target`. */
const others = (r: Registry, target: (p: LocalProject) => boolean) =>
  r.projects.filter((p) => !target(p)).map(shown);
const pending = (r: Registry) =>
  (r.sync as { pending?: { deletes: { uuid: string }[]; checkout_removals: string[] } })?.pending;

/** One command to interrupt, and how to tell "not applied" from "applied". */
interface Run {
  args: string[];
  /** Throws unless `after` is `before` or `before` with the command applied; says which. */
  check(before: Registry, after: Registry): 'old' | 'new';
}

/**
 * One simulated machine in the loop. Its seeded projects are named `${prefix}p0…`; `update`
 * edits `${prefix}p7`, `remove` takes the others in turn (every other one `--everywhere`),
 * `add` registers a fresh git repository. `afterSyncKill` completes a killed sync.
 */
export class KillMachine {
  private nextRemove = 20;
  private removes = 0;
  private adds = 0;
  private edits = 0;
  private stopped = false;
  /** Per kind and stage: how long a run goes on after the stage began (ms). */
  private readonly tailMs = Object.fromEntries(
    KINDS.map((k) => [k, { start: 0, lock: 0, write: 0 }]),
  ) as Record<Kind, Record<Stage, number>>;
  private readonly runs = { update: 0, add: 0, remove: 0, sync: 0 };

  constructor(
    readonly home: string,
    private readonly prefix: string,
    private readonly codeDir: string,
    private readonly afterSyncKill: (home: string, before: Registry) => Promise<void>,
  ) {}

  /** The next command of `kind`. */
  run(kind: Kind): Run {
    switch (kind) {
      case 'update': {
        const name = `${this.prefix}p7`;
        const next = `${this.prefix}v${++this.edits}`;
        const is = (p: LocalProject) => p.name === name;
        return {
          args: ['update', name, '--description', next],
          check(before, after) {
            expect(others(after, is)).toEqual(others(before, is));
            const was = before.projects.find(is)!.description;
            const now = after.projects.find(is)!.description;
            expect([was, next]).toContain(now);
            return now === next ? 'new' : 'old';
          },
        };
      }
      case 'add': {
        const dir = makeRepo(join(this.codeDir, `${this.prefix}n${++this.adds}`));
        const is = (p: LocalProject) => p.path === dir;
        return {
          args: ['add', dir],
          check(before, after) {
            expect(others(after, is)).toEqual(others(before, is));
            const count = after.projects.filter(is).length;
            expect(count).toBeLessThanOrEqual(1);
            return count === 1 ? 'new' : 'old';
          },
        };
      }
      case 'remove': {
        const name = `${this.prefix}p${this.nextRemove}`;
        const everywhere = ++this.removes % 2 === 0;
        const is = (p: LocalProject) => p.name === name;
        return {
          args: ['remove', name, ...(everywhere ? ['--everywhere'] : [])],
          check: (before, after) => {
            expect(others(after, is)).toEqual(others(before, is));
            const project = before.projects.find(is)!;
            const still = after.projects.find(is);
            if (still) {
              expect(shown(still)).toBe(shown(project));
              expect(after.sync).toEqual(before.sync);
              return 'old';
            }
            this.nextRemove += 1;
            // The removal and the deletion it queues are one write.
            if (project.sync) {
              const queued = pending(after)!;
              if (everywhere) expect(queued.deletes.map((d) => d.uuid)).toContain(project.id);
              else expect(queued.checkout_removals).toContain(project.id);
            }
            return 'new';
          },
        };
      }
      case 'sync':
        return {
          args: ['sync'],
          check(before, after) {
            // Projects here are known to no other machine: a sync changes no shown field.
            expect(after.projects.map(shown)).toEqual(before.projects.map(shown));
            return JSON.stringify(after) === JSON.stringify(before) ? 'old' : 'new';
          },
        };
    }
  }

  /** Notes when each stage of a run begins in `at` (until the watcher is closed). */
  private watchStages(at: Partial<Record<Stage, number>>, onStage: (s: Stage) => void) {
    at.start = Date.now();
    return watch(this.home, (_event, file) => {
      const stage: Stage | undefined =
        file === 'registry.json.lock' ? 'lock' : TEMP.test(file ?? '') ? 'write' : undefined;
      if (!stage || at[stage] !== undefined) return;
      at[stage] = Date.now();
      onStage(stage);
    });
  }

  /** Updates the timings from a completed run (weighted, to follow the machine's load). */
  private learn(kind: Kind, at: Partial<Record<Stage, number>>, weight: number): void {
    const end = Date.now();
    const tails = this.tailMs[kind];
    for (const stage of STAGES) {
      const began = at[stage];
      if (began !== undefined) tails[stage] = (1 - weight) * tails[stage] + weight * (end - began);
    }
  }

  /** Runs the next command of `kind` to completion, checks it and times it. */
  async complete(kind: Kind): Promise<void> {
    const run = this.run(kind);
    const before = readRegistry(this.home);
    const at: Partial<Record<Stage, number>> = {};
    const watcher = this.watchStages(at, () => {});
    const child = startCli(this.home, run.args);
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    expect(await exited(child), stderr).toBe(0);
    watcher.close();
    this.learn(kind, at, 1);
    const seen = run.check(before, readRegistry(this.home));
    if (kind !== 'sync') expect(seen, run.args.join(' ')).toBe('new');
  }

  /** Ends the loop after the current run (another machine's loop failed). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Runs commands of every kind in turn, each SIGKILLed, until each kind was really killed
   * `kills` times (or 3 x as many runs). Runs of a kind are killed in turn at a random moment
   * of the whole run, after the command took the registry's lock (read, change, write), and
   * after a temp file of an atomic write appeared. Call `complete` once per kind first: its
   * timings are the start, and completed runs update them.
   */
  async loop(kills: number): Promise<Record<Kind, Outcomes>> {
    const outcomes = Object.fromEntries(KINDS.map((k) => [k, none()])) as Record<Kind, Outcomes>;
    const killed = (k: Kind) => outcomes[k].killedOld + outcomes[k].killedNew;
    for (let i = 1; i <= kills * KINDS.length * 3; i++) {
      const open = KINDS.filter((k) => killed(k) < kills);
      if (open.length === 0 || this.stopped) break;
      const kind = open[i % open.length]!;
      const run = this.run(kind);
      const before = readRegistry(this.home);
      const aim = STAGES[this.runs[kind]++ % STAGES.length]!;
      const at: Partial<Record<Stage, number>> = {};
      let timer: NodeJS.Timeout | undefined;
      const child = startCli(this.home, run.args);
      const killLater = (stage: Stage) => {
        // Within the first part of what is left, or most such runs would finish first.
        const within = this.tailMs[kind][aim] * (aim === 'start' ? 1 : 0.6);
        if (stage === aim) timer = setTimeout(() => child.kill('SIGKILL'), Math.random() * within);
      };
      const watcher = this.watchStages(at, killLater);
      killLater('start');
      const result = await exited(child);
      clearTimeout(timer);
      watcher.close();
      const after = readRegistry(this.home);
      const seen = run.check(before, after);
      const o = outcomes[kind];
      if (result === 0) {
        // A sync with nothing to do writes nothing.
        if (kind !== 'sync') expect(seen, run.args.join(' ')).toBe('new');
        o.completed++;
      } else {
        expect(result, run.args.join(' ')).toBe('SIGKILL');
        if (seen === 'new') o.killedNew++;
        else o.killedOld++;
        if (aim === 'lock') o.aimedAtLock++;
        if (aim === 'write') o.aimedAtWrite++;
      }
      if (result === 0) this.learn(kind, at, 0.3);
      // A command killed while holding the lock leaves it behind; the next one would wait
      // for it to go stale (10 s; tested above). Remove it to keep this loop fast.
      rmSync(join(this.home, 'registry.json.lock'), { recursive: true, force: true });
      // A temp file left next to a file means the kill landed inside an atomic write.
      const temps = readdirSync(this.home).filter((f) => TEMP.test(f));
      if (temps.length > 0) o.killedMidWrite++;
      for (const f of temps) rmSync(join(this.home, f));
      if (kind === 'sync' && result !== 0) await this.afterSyncKill(this.home, after);
    }
    return outcomes;
  }
}
