/**
 * `dev-infra status`: each project's sync state. Asks the server what changed since the last
 * pull (read-only: the stored cursor and files are left alone), else uses the last pull.
 */
import { hostname } from 'node:os';
import { type ServerChange, type SyncRecord, serverChange, summarise } from '@dev-infra/core';
import { cacheFileFor, readCache } from '../../cache/records.js';
import type { Context } from '../../context.js';
import { palette } from '../../output/colour.js';
import { printJson } from '../../output/json.js';
import { shortenPath } from '../../output/paths.js';
import { safeLine } from '../../output/safe-text.js';
import { renderTable } from '../../output/table.js';
import { loadRegistry } from '../../registry/read.js';
import { RemoteError } from '../../remote/http.js';
import { lastRun } from '../../sync/background.js';
import { driverFor } from '../../sync/protocol.js';
import { keyError } from '../../sync/remote-config.js';
import { registrySync } from '../../sync/state.js';
import { machineNames, projectViews, timeAgo } from '../../sync/status-view.js';
import { loadWip, readLocalStates, renderWip, wipJson } from '../wip/run.js';

export interface StatusOptions {
  offline?: boolean;
  json?: boolean;
  exitCode?: boolean;
  /** Add the work in progress section (`wip`). */
  git?: boolean;
}

function throwIf(error: Error | undefined): void {
  if (error) throw error;
}

export async function runStatus(ctx: Context, options: StatusOptions): Promise<void> {
  const paths = ctx.paths;
  const { registry } = loadRegistry(paths.registryFile);
  if (options.git) await readLocalStates(ctx, registry);
  const remote = await ctx.remote();
  const settings = remote.settings();
  const state = registrySync(registry);
  const sameServer = settings !== undefined && state?.server === settings.url;
  const cache = sameServer ? readCache(cacheFileFor(paths.registryFile), settings.url) : undefined;
  let fresh: SyncRecord[] = [];
  let offline: string | null = null;
  // A server that lost changes (see core's serverChange) makes every "synced" untrue.
  let server: ServerChange = 'same';
  if (!settings) offline = 'no remote set';
  else if (options.offline) offline = 'offline (--offline)';
  else {
    try {
      const http = remote.http(settings, { short: true });
      const driver = driverFor(state?.protocol ?? 'sync-v1', http);
      const peeked = await driver.peek(registry, sameServer ? state.cursor : 0);
      fresh = peeked.records;
      if (sameServer && peeked.first) server = serverChange(state, peeked.first);
      // A repair cut off before its push: the server still lacks what it lost.
      if (sameServer && server === 'same' && state.repairing) server = 'rolled-back';
    } catch (error) {
      if (!(error instanceof RemoteError)) throw error;
      throwIf(keyError(error, settings));
      offline = `offline (${error.message.split(' (')[0]})`;
    }
  }
  // The records since our cursor mean nothing on a server that went back: show the last pull.
  const views = projectViews(registry, cache, server === 'same' ? fresh : []);
  const lost =
    server === 'same'
      ? null
      : server === 'replaced'
        ? 'the server was replaced (its database has another id)'
        : 'the server was restored from a backup (it lost revisions this machine saw)';
  const shown = (s: string) => (lost !== null && s === 'synced' ? 'unverified' : s);
  const summary = summarise(views.map((v) => v.status));
  const asOf = state?.last_pull ?? null;
  const machine = registry.machine.name ?? hostname();
  const background = lastRun(paths);
  if (options.json) {
    printJson(ctx.io, {
      machine: { id: registry.machine.id, name: machine },
      remote: settings?.url ?? null,
      online: offline === null,
      server,
      as_of: offline === null ? ctx.now().toISOString() : asOf,
      last_pull: state?.last_pull ?? null,
      last_push: state?.last_push ?? null,
      last_heard: state?.last_heard ?? null,
      // The last run of `sync --background` (the shell hook), from its log.
      background_sync: background
        ? { at: background.at, ok: background.ok, message: background.message }
        : null,
      counts: summary.counts,
      out_of_sync: summary.outOfSync,
      projects: views.map((v) => ({
        name: v.name,
        id: v.local?.id ?? v.record?.uuid,
        local: v.local !== undefined,
        path: v.local?.path ?? null,
        state: shown(v.status.state),
        local_changes: v.status.localChanges,
        remote_changes: v.status.remoteChanges,
        elsewhere: machineNames(v.status.elsewhere),
      })),
      ...(options.git ? { wip: wipJson(loadWip(paths.registryFile, registry)) } : {}),
    });
  } else {
    const c = palette(ctx.io.colour);
    if (lost !== null) ctx.io.out(`${c.dim(`${lost}: run \`dev-infra sync\` to repair it`)}\n`);
    if (offline !== null && settings)
      ctx.io.out(`${c.dim(safeLine(`${offline}; as of ${asOf ?? 'never (no pull yet)'}`))}\n`);
    const rows = views.map((v) => {
      const changes = [...v.status.localChanges, ...v.status.remoteChanges];
      const where = v.local
        ? shortenPath(v.local.path)
        : `on ${machineNames(v.status.elsewhere).join(', ') || 'the server'}`;
      return [
        v.name,
        shown(v.status.state),
        changes.length > 0 ? [...new Set(changes)].join(',') : '',
        where,
      ];
    });
    if (rows.length > 0) ctx.io.out(renderTable(['NAME', 'STATE', 'CHANGES', 'WHERE'], rows));
    const counts = Object.entries(summary.counts)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${shown(s)}`);
    ctx.io.out(
      `${counts.join(', ') || 'no projects'} · last pull ${state?.last_pull ?? 'never'} · last push ${state?.last_push ?? 'never'} · machine ${safeLine(machine)}\n`,
    );
    if (settings)
      ctx.io.out(
        `Last heard from the server ${timeAgo(sameServer ? state.last_heard : null, ctx.now())}\n`,
      );
    if (background) {
      const when = `${timeAgo(background.at, ctx.now())} (${background.at})`;
      ctx.io.out(
        background.ok
          ? `${safeLine(`Last background sync ${when}: ${background.message || 'ok'}`)}\n`
          : `${c.red(safeLine(`Last background sync ${when} failed: ${background.message}`))}\n`,
      );
    }
    if (options.git) {
      ctx.io.out('\nWork in progress:\n');
      ctx.io.out(renderWip(ctx.io, loadWip(paths.registryFile, registry), ctx.now()));
    }
  }
  if (options.exitCode && (summary.outOfSync > 0 || lost !== null)) ctx.exitCode = 1;
}
