/**
 * `dev-infra wip`: the checkouts with work in progress (or a git state git could not read),
 * grouped by machine, with the age of each report. Offline and writing nothing: this machine
 * read afresh (a few milliseconds a repository; the registry keeps what sync and refresh
 * stored), the others from the remote cache.
 */
import { hasWorkInProgress, isUnknownGitState } from '@dev-infra/core';
import { cacheFileFor, readCache } from '../../cache/records.js';
import type { Context } from '../../context.js';
import { collectInto, gitSettings } from '../../git/collect.js';
import { branchLabel, workLabel } from '../../git/summary.js';
import { type WipMachine, wipView } from '../../git/wip.js';
import { palette } from '../../output/colour.js';
import type { IO } from '../../output/io.js';
import { printJson } from '../../output/json.js';
import { shortenPath } from '../../output/paths.js';
import { renderTable } from '../../output/table.js';
import type { Registry } from '../../registry/format.js';
import { loadRegistry } from '../../registry/read.js';
import { registrySync } from '../../sync/state.js';
import { timeAgo } from '../../sync/status-view.js';

export interface WipOptions {
  json?: boolean;
  exitCode?: boolean;
}

/**
 * Reads this machine's git states now onto the registry in memory (nothing is written), unless
 * `git.state` is false: "did I leave anything here" is answered by the repositories as they
 * are, not as of the last sync.
 */
export async function readLocalStates(ctx: Context, registry: Registry): Promise<void> {
  const settings = gitSettings(ctx.paths.configFile);
  if (!settings.enabled) return;
  await collectInto(registry.projects, settings, () => ctx.now().toISOString(), ctx.env);
}

/** The view from the registry and, when it belongs to the configured server, the cache. */
export function loadWip(registryFile: string, registry: Registry): WipMachine[] {
  const server = registrySync(registry)?.server;
  const cache = server ? readCache(cacheFileFor(registryFile), server) : undefined;
  return wipView(registry, cache?.records);
}

/** The JSON form (`machines`), shared with `status --git`. */
export function wipJson(machines: readonly WipMachine[]) {
  return machines.map((m) => ({
    id: m.id,
    name: m.name,
    this_machine: m.this_machine,
    projects: m.projects.map((p) => ({ name: p.name, uuid: p.uuid, path: p.path, git: p.git })),
  }));
}

/** The table (every cell escaped by renderTable), or a line saying there is nothing. */
export function renderWip(io: IO, machines: readonly WipMachine[], now: Date): string {
  if (machines.length === 0) return 'No work in progress on any machine.\n';
  const c = palette(io.colour);
  const rows = machines.flatMap((m) =>
    m.projects.map((p) => [
      m.this_machine ? `${m.name} (this)` : m.name,
      p.name,
      branchLabel(p.git),
      workLabel(p.git),
      m.this_machine ? shortenPath(p.path) : p.path,
      [{ text: timeAgo(p.git.taken_at, now), paint: c.dim }],
    ]),
  );
  return renderTable(['MACHINE', 'PROJECT', 'BRANCH', 'WORK', 'PATH', 'REPORTED'], rows, c.bold);
}

/** True when any listed checkout has work in progress (unknown ones do not count). */
export function anyWork(machines: readonly WipMachine[]): boolean {
  return machines.some((m) =>
    m.projects.some((p) => !isUnknownGitState(p.git) && hasWorkInProgress(p.git)),
  );
}

export async function runWip(ctx: Context, options: WipOptions): Promise<void> {
  const { registry } = loadRegistry(ctx.paths.registryFile);
  await readLocalStates(ctx, registry);
  const machines = loadWip(ctx.paths.registryFile, registry);
  if (options.json) printJson(ctx.io, { machines: wipJson(machines) });
  else ctx.io.out(renderWip(ctx.io, machines, ctx.now()));
  if (options.exitCode && anyWork(machines)) ctx.exitCode = 1;
}
