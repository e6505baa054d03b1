/**
 * `dev-infra list --all | --remote-only [--long] [--json]`: this machine's projects plus those
 * only other machines hold, from the last pull (remote.json). No network.
 */
import { type Checkout, normaliseRemoteUrl, redactRemoteUrl } from '@dev-infra/core';
import { colourEnabled, palette } from '../output/colour.js';
import { printJson } from '../output/json.js';
import { shortenPath } from '../output/paths.js';
import { isMissing, projectJson } from '../output/project-view.js';
import { writeOut } from '../output/stdout.js';
import { renderTable, renderTsv } from '../output/table.js';
import { resolvePaths } from '../registry/paths.js';
import { loadRegistry } from '../registry/read.js';
import { cacheFileFor, readCache } from '../sync/cache.js';
import { registrySync } from '../sync/state.js';
import { type ProjectView, projectViews } from '../sync/status-view.js';

export interface ListAllOptions {
  remoteOnly?: boolean;
  long?: boolean;
  json?: boolean;
}

function where(checkouts: readonly Checkout[], long: boolean): string {
  return checkouts
    .map((c) => (long ? `${c.machine_name}:${shortenPath(c.path)}` : c.machine_name))
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
  const cache = server ? readCache(cacheFileFor(paths.registryFile), server) : undefined;
  const views = projectViews(registry, cache).filter((v) => !options.remoteOnly || !v.local);
  if (options.json) {
    printJson(views.map(toJson));
    return;
  }
  if (!cache)
    process.stderr.write(
      'No projects from other machines known yet: run `dev-infra sync` (with a remote set).\n',
    );
  const long = options.long === true;
  const c = palette(colourEnabled());
  const rows = views.map((v) => {
    const f = v.local ?? v.record!.fields;
    const others = v.status.elsewhere;
    const place = v.local
      ? `here: ${shortenPath(v.local.path)}${others.length > 0 ? ` (+ ${where(others, long)})` : ''}`
      : `not local (${where(others, long) || 'server'})`;
    const state =
      v.status.state === 'deleted remotely' || v.status.state === 'missing'
        ? `  [${v.status.state}]`
        : '';
    return [
      v.name,
      v.local ? place : c.dim(place),
      f.project_type ?? '',
      f.status,
      `${normaliseRemoteUrl(f.remote_url) ?? '(none)'}${state}`,
    ];
  });
  if (rows.length === 0) return;
  writeOut(
    process.stdout.isTTY === true
      ? renderTable(['NAME', 'WHERE', 'TYPE', 'STATUS', 'REMOTE'].map(c.bold), rows)
      : renderTsv(rows),
  );
}
