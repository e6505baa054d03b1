/**
 * `dev-infra clone --missing`: clones every project the last pull knows that has no checkout
 * here (the remote-only rows of `list --all`), a few at a time, each through the same
 * `planClone` + `cloneProject` as `clone NAME`. A rerun clones what is still missing, so a
 * run stopped halfway, or one with failures, is finished by running it again.
 */
import { resolve } from 'node:path';
import { redactRemoteUrl, type SyncRecord } from '@dev-infra/core';
import { classifyRow, fullRecord, pendingDeletes } from '../../cache/list-rows.js';
import { cacheFileFor, readCache } from '../../cache/records.js';
import type { Context } from '../../context.js';
import { UserError } from '../../errors.js';
import { printJson } from '../../output/json.js';
import { compareText } from '../../output/order.js';
import { shortenPath } from '../../output/paths.js';
import { safeLine } from '../../output/safe-text.js';
import { StatusLine } from '../../output/status-line.js';
import { pool } from '../../pool.js';
import { type FilterOptions, isFiltered, projectFilter } from '../../project-filter.js';
import type { Registry } from '../../registry/format.js';
import { loadRegistry } from '../../registry/read.js';
import { registrySync } from '../../sync/state.js';
import {
  type ClonePlan,
  type CloneProblem,
  type CloneResult,
  cloneProject,
  cloneRoot,
  planClone,
} from './clone-project.js';

export interface CloneMissingOptions extends Pick<FilterOptions, 'tag' | 'type'> {
  jobs?: number;
  dryRun?: boolean;
  json?: boolean;
}

/** A few clones at once: enough to overlap the network waits, few enough for a laptop. */
const DEFAULT_JOBS = 4;

interface Entry {
  name: string;
  uuid: string;
  /** Where it is, or would have gone (null when no folder was chosen). */
  path: string | null;
  /** The remote URL, credentials redacted (null when it has none). */
  url: string | null;
}
interface Cloned extends Entry {
  path: string;
  url: string;
}
interface Skipped extends Entry {
  reason: string;
}
interface Failed extends Entry {
  error: string;
  /** Every line git printed, escaped. */
  git: string[];
}

/**
 * The records no project here holds, as `list --all` shows them remote-only: alive, not being
 * deleted from here. In the listing's name order.
 */
export function missingRecords(registry: Registry, records: readonly SyncRecord[]): SyncRecord[] {
  const held = new Set(registry.projects.map((p) => p.id));
  const deleting = pendingDeletes(registry);
  const machine = registry.machine.id;
  return records
    .filter((r) => !held.has(r.uuid))
    .filter(
      (r) =>
        classifyRow(undefined, fullRecord(r, machine, false), deleting.has(r.uuid)) !== undefined,
    )
    .sort((a, b) => compareText(a.fields.name, b.fields.name) || compareText(a.uuid, b.uuid));
}

/** Why a project is skipped (nothing to do, or not ours to touch), or undefined: a failure. */
function skipReason(problem: CloneProblem, id: string): string | undefined {
  switch (problem.kind) {
    case 'no-url':
      return 'no remote URL';
    case 'name-taken':
      return `the name is already used here by ${safeLine(shortenPath(problem.path))}; clone it under another: dev-infra clone ${id} --name NEW`;
    case 'target-exists':
      return `target exists: ${safeLine(shortenPath(problem.target))} (move it away, or register it with \`dev-infra add\`)`;
    default:
      return undefined;
  }
}

/** Why a project cannot be cloned as the server describes it (it needs looking at: exit 1). */
function refusal(problem: CloneProblem, id: string): string {
  switch (problem.kind) {
    case 'dash-url':
      return 'its remote URL begins with "-"; refusing to pass it to git';
    case 'invalid-name':
      return `its name is not valid here (${problem.message}); clone it under another: dev-infra clone ${id} --name NEW`;
    case 'outside-root':
      return `its name would put the clone outside the clone root ${safeLine(problem.root)}`;
    default:
      return problem.kind;
  }
}

export async function runCloneMissing(ctx: Context, options: CloneMissingOptions): Promise<void> {
  const paths = ctx.paths;
  const { registry } = loadRegistry(paths.registryFile);
  const server = registrySync(registry)?.server;
  if (!server)
    throw new UserError(
      'this machine has not synced yet: run `dev-infra remote set URL --key KEY`, then `dev-infra sync`',
    );
  const cache = readCache(cacheFileFor(paths.registryFile), server);
  if (!cache)
    throw new UserError('nothing is known from the server yet: run `dev-infra sync` first');

  const wanted = projectFilter(options);
  const selected = missingRecords(registry, cache.records).filter((r) => wanted(r.fields));
  const root = resolve(ctx.cwd, cloneRoot(paths.configFile));
  const id = (r: SyncRecord) => r.uuid.slice(0, 8);
  const label = (r: SyncRecord) => safeLine(r.fields.name);

  // Two missing projects of one name (in any letter case: one folder on macOS) would want
  // one folder: neither is cloned, and each line gives the id to clone it by.
  const byFolder = new Map<string, number>();
  for (const r of selected) {
    const key = r.fields.name.toLowerCase();
    byFolder.set(key, (byFolder.get(key) ?? 0) + 1);
  }

  const skipped: Skipped[] = [];
  const failed: Failed[] = [];
  const plans: ClonePlan[] = [];
  for (const r of selected) {
    const url = r.fields.remote_url;
    const entry = {
      name: r.fields.name,
      uuid: r.uuid,
      path: null,
      url: url === null ? null : redactRemoteUrl(url),
    };
    if ((byFolder.get(r.fields.name.toLowerCase()) ?? 0) > 1) {
      skipped.push({
        ...entry,
        reason: `another project missing here has the same name; clone each by its id: dev-infra clone ${id(r)} --name NEW`,
      });
      continue;
    }
    const planned = planClone(registry, r, { root });
    if (planned.ok) {
      plans.push(planned.plan);
      continue;
    }
    const path = planned.problem.kind === 'target-exists' ? planned.problem.target : null;
    const reason = skipReason(planned.problem, id(r));
    if (reason !== undefined) skipped.push({ ...entry, path, reason });
    else
      failed.push({
        ...entry,
        path,
        error: refusal(planned.problem, id(r)),
        git: [],
      });
  }

  const json = options.json === true;
  const out = (line: string) => ctx.io.out(`${line}\n`);
  if (!json) {
    for (const s of skipped) out(`skipped ${safeLine(s.name)}: ${s.reason}`);
    for (const f of failed) out(`failed ${safeLine(f.name)}: ${f.error}`);
  }

  const plannedEntry = (p: ClonePlan): Cloned => ({
    name: p.name,
    uuid: p.record.uuid,
    path: p.target,
    url: redactRemoteUrl(p.url),
  });
  if (options.dryRun) {
    const would = plans.map(plannedEntry);
    if (json) printJson(ctx.io, { dry_run: true, would_clone: would, cloned: [], skipped, failed });
    else {
      for (const p of plans)
        out(
          `would clone ${label(p.record)} -> ${safeLine(shortenPath(p.target))} (from ${safeLine(redactRemoteUrl(p.url))})`,
        );
      summary(ctx, selected.length, options, { would: would.length, cloned: 0, skipped, failed });
    }
    if (failed.length > 0) ctx.exitCode = 1;
    return;
  }

  const cloned: Cloned[] = [];
  const running = new Set<ClonePlan>();
  const columns = Number(ctx.env.COLUMNS);
  const status = new StatusLine(
    ctx.io,
    ctx.io.errIsTTY,
    Number.isInteger(columns) && columns > 0 ? columns : 80,
  );
  let finished = 0;
  const progress = () =>
    `cloning ${finished}/${plans.length}  done ${cloned.length}  failed ${failed.length}${running.size > 0 ? `  · ${[...running].map((p) => label(p.record)).join(', ')}` : ''}`;
  const report = (p: ClonePlan, result: CloneResult) => {
    finished++;
    if (result.kind === 'cloned') {
      cloned.push({ ...plannedEntry(p), uuid: result.project.id, path: result.project.path });
      if (json) status.show(progress());
      else
        status.print(
          () => out(`cloned ${label(p.record)} -> ${safeLine(shortenPath(result.project.path))}`),
          progress(),
        );
      return;
    }
    const lines = result.kind === 'git-failed' ? result.lines : [];
    failed.push({ ...plannedEntry(p), error: result.message, git: lines });
    if (json) {
      status.show(progress());
      return;
    }
    status.print(() => {
      // The message names git's cause; when git said more, all of it follows, indented.
      out(`failed ${label(p.record)}: ${result.message}`);
      if (lines.length > 1) for (const line of lines) out(`    git: ${line}`);
    }, progress());
  };

  if (plans.length > 0) status.show(progress());
  try {
    await pool(plans, options.jobs ?? DEFAULT_JOBS, async (p) => {
      running.add(p);
      status.show(progress());
      const result = await cloneProject(ctx, p, { interactive: false });
      running.delete(p);
      report(p, result);
    });
  } finally {
    // An error's one line must not land on the end of the status line.
    status.clear();
  }

  if (failed.length > 0) ctx.exitCode = 1;
  if (json) {
    printJson(ctx.io, { dry_run: false, would_clone: [], cloned, skipped, failed });
    return;
  }
  summary(ctx, selected.length, options, { cloned: cloned.length, skipped, failed });
}

/** The last line: what was done, or why there was nothing to do. */
function summary(
  ctx: Context,
  selected: number,
  options: CloneMissingOptions,
  counts: { would?: number; cloned: number; skipped: Skipped[]; failed: Failed[] },
): void {
  if (selected === 0) {
    // On stderr, as `list` and `exec` do, so stdout stays empty for a script.
    ctx.io.err(
      isFiltered(options)
        ? 'No project missing here matches these filters.\n'
        : 'Nothing to clone: no project known from the server is missing here.\n',
    );
    return;
  }
  const done =
    counts.would !== undefined ? `would clone ${counts.would}` : `cloned ${counts.cloned}`;
  ctx.io.out(`${done}, skipped ${counts.skipped.length}, failed ${counts.failed.length}\n`);
}
