/**
 * `dev-infra list --all | --remote-only [--long] [--json]`: this machine's projects plus those
 * only other machines hold, from the last pull (the remote cache). No network.
 */
import { type Checkout, redactRemoteUrl } from '@dev-infra/core';
import { colourEnabled, palette } from '../output/colour.js';
import { printJson } from '../output/json.js';
import { shortenPath } from '../output/paths.js';
import { isMissing, projectJson } from '../output/project-view.js';
import { writeOut } from '../output/stdout.js';
import { renderTable, renderTsv } from '../output/table.js';
import { resolvePaths } from '../registry/paths.js';
import { loadRegistry } from '../registry/read.js';
import { cacheFileFor, readCache, readCacheSummaries } from '../sync/cache.js';
import {
  type ListView,
  listViewsFromProjectViews,
  listViewsFromSummaries,
} from '../sync/list-view.js';
import { registrySync } from '../sync/state.js';
import { type ProjectView, projectViews } from '../sync/status-view.js';

export interface ListAllOptions {
  remoteOnly?: boolean;
  long?: boolean;
  json?: boolean;
}

function where(checkouts: ListView['elsewhere'], long: boolean): string {
  return checkouts
    .map((c) =>
      long && c.path !== undefined ? `${c.machine_name}:${shortenPath(c.path)}` : c.machine_name,
    )
    .join(', ');
}

function checkoutsJson(checkouts: readonly Checkout[]) {
  return checkouts.map((c) => ({ machine: c.machine_name, path: c.path, last_seen: c.last_seen }));
}

function toJson(v: ProjectView) {
  const checkouts = checkoutsJson(v.record?.checkouts ?? []);
  if (v.local)
    return {
      ...projectJson(v.local, isMissing(v.local)),
      local: true,
      state: v.status.state,
      checkouts,
    };
  const f = v.record!.fields;
  return {
    id: v.record!.uuid,
    ...f,
    path: null,
    remote_url: f.remote_url === null ? null : redactRemoteUrl(f.remote_url),
    local: false,
    state: v.status.state,
    checkouts,
  };
}

/** Runs `list --all` or `list --remote-only`. */
export function runListAll(options: ListAllOptions): void {
  const paths = resolvePaths();
  const { registry } = loadRegistry(paths.registryFile);
  const server = registrySync(registry)?.server;
  const cacheFile = cacheFileFor(paths.registryFile);
  const long = options.long === true;
  let rows: ListView[];
  let known: boolean;
  const shown = (v: { local?: unknown }) => !options.remoteOnly || !v.local;
  if (options.json || long) {
    const cache = server ? readCache(cacheFile, server) : undefined;
    const views = projectViews(registry, cache).filter(shown);
    if (options.json) {
      printJson(views.map(toJson));
      return;
    }
    rows = listViewsFromProjectViews(views);
    known = cache !== undefined;
  } else {
    // Only names, machines, type, status and remote are shown: the summaries suffice.
    const cache = server ? readCacheSummaries(cacheFile, server, registry.machine.id) : undefined;
    rows = listViewsFromSummaries(registry, cache?.summaries ?? []).filter(shown);
    known = cache !== undefined;
  }
  if (!known)
    process.stderr.write(
      'No projects from other machines known yet: run `dev-infra sync` (with a remote set).\n',
    );
  const c = palette(colourEnabled());
  const table = rows.map((v) => {
    const others = v.elsewhere;
    const place = v.local
      ? `here: ${shortenPath(v.local.path)}${others.length > 0 ? ` (+ ${where(others, long)})` : ''}`
      : `not local (${where(others, long) || 'server'})`;
    return [
      v.name,
      v.local ? place : c.dim(place),
      v.project_type ?? '',
      v.status,
      `${v.remote ?? '(none)'}${v.mark ? `  [${v.mark}]` : ''}`,
    ];
  });
  if (table.length === 0) return;
  writeOut(
    process.stdout.isTTY === true
      ? renderTable(['NAME', 'WHERE', 'TYPE', 'STATUS', 'REMOTE'].map(c.bold), table)
      : renderTsv(table),
  );
}
