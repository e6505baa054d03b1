/**
 * `dev-infra list --all | --remote-only [--long] [--json]`: this machine's projects plus those
 * only other machines hold, from the last pull (the remote cache). No network.
 */
import { type Checkout, redactRemoteUrl } from '@dev-infra/core';
import type { Context } from '../../context.js';
import { palette } from '../../output/colour.js';
import { printJson } from '../../output/json.js';
import { shortenPath } from '../../output/paths.js';
import { isMissing, projectJson } from '../../output/project-view.js';
import { renderTable, renderTsv } from '../../output/table.js';
import type { Registry } from '../../registry/format.js';
import { loadRegistry } from '../../registry/read.js';
import { cacheFileFor, readCache, readCacheSummaries } from '../../sync/cache.js';
import {
  type ListView,
  listViewsFromListing,
  listViewsFromProjectViews,
  listViewsFromSummaries,
} from '../../sync/list-view.js';
import {
  cacheStamp,
  decodeListing,
  encodeListing,
  listingFileFor,
  notLocal,
  readListing,
  remoteCell,
  writeListing,
} from '../../sync/listing.js';
import { registrySync } from '../../sync/state.js';
import { type ProjectView, projectViews } from '../../sync/status-view.js';

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

/**
 * The rows of a plain `list --all` from the listing, which is rebuilt from the cache's
 * summaries when it does not match the cache (the first listing after a pull). Undefined
 * when there is no cache for this server and machine.
 */
function rowsFromListing(
  registry: Registry,
  cacheFile: string,
  server: string,
): { local: ListView[]; remoteOnly: Buffer[] } | undefined {
  const stamp = cacheStamp(cacheFile);
  if (stamp === undefined) return undefined;
  const key = { stamp, server, machine: registry.machine.id };
  const file = listingFileFor(cacheFile);
  const listing = readListing(file, key);
  const rows = listing && listViewsFromListing(registry, listing);
  if (rows) return rows;
  const cache = readCacheSummaries(cacheFile, server, key.machine);
  if (!cache) return undefined;
  const bytes = encodeListing(cache.summaries, key);
  // Kept only if the cache did not change while it was read (a sync running meanwhile).
  if (cacheStamp(cacheFile) === stamp) writeListing(file, bytes);
  return listViewsFromListing(registry, decodeListing(bytes, key)!);
}

export function runListAll(ctx: Context, options: ListAllOptions): void {
  const paths = ctx.paths;
  const { registry } = loadRegistry(paths.registryFile);
  const server = registrySync(registry)?.server;
  const cacheFile = cacheFileFor(paths.registryFile);
  const long = options.long === true;
  let rows: ListView[];
  /** Remote-only rows as the listing holds them (tab-separated lines), after `rows`. */
  let rendered: Buffer[] = [];
  let known: boolean;
  const shown = (v: { local?: unknown }) => !options.remoteOnly || !v.local;
  if (options.json || long) {
    const cache = server ? readCache(cacheFile, server) : undefined;
    const views = projectViews(registry, cache).filter(shown);
    if (options.json) {
      printJson(ctx.io, views.map(toJson));
      return;
    }
    rows = listViewsFromProjectViews(views);
    known = cache !== undefined;
  } else {
    // Only names, machines, type, status and remote are shown: the listing suffices.
    const listed = server ? rowsFromListing(registry, cacheFile, server) : undefined;
    rows = options.remoteOnly ? [] : (listed?.local ?? listViewsFromSummaries(registry, []));
    rendered = listed?.remoteOnly ?? [];
    known = listed !== undefined;
  }
  if (!known)
    ctx.io.err(
      'No projects from other machines known yet: run `dev-infra sync` (with a remote set).\n',
    );
  const colour = ctx.io.colour;
  const c = palette(colour);
  const table = rows.map((v) => {
    const others = v.elsewhere;
    const place = v.local
      ? `here: ${shortenPath(v.local.path)}${others.length > 0 ? ` (+ ${where(others, long)})` : ''}`
      : notLocal(where(others, long));
    return [
      v.name,
      v.local ? place : c.dim(place),
      v.project_type ?? '',
      v.status,
      `${remoteCell(v.remote)}${v.mark ? `  [${v.mark}]` : ''}`,
    ];
  });
  const tty = ctx.io.outIsTTY;
  if (!tty && !colour) {
    // Piped without colour: the listing's rows go out as they are, never decoded.
    if (table.length > 0) rendered.unshift(Buffer.from(renderTsv(table)));
    ctx.io.out(Buffer.concat(rendered));
    return;
  }
  for (const line of Buffer.concat(rendered).toString().split('\n').slice(0, -1)) {
    const [name = '', place = '', ...rest] = line.split('\t');
    table.push([name, c.dim(place), ...rest]);
  }
  if (table.length === 0) return;
  ctx.io.out(
    tty
      ? renderTable(['NAME', 'WHERE', 'TYPE', 'STATUS', 'REMOTE'].map(c.bold), table)
      : renderTsv(table),
  );
}
