/**
 * `dev-infra list --all | --remote-only [--long] [--json]`: this machine's projects plus those
 * only other machines hold, from the last pull (the remote cache). No network.
 */
import { RemoteCacheView } from '../../cache/remote-cache.js';
import type { Context } from '../../context.js';
import { palette } from '../../output/colour.js';
import { printJson } from '../../output/json.js';
import { listAllJson } from '../../output/list-all-json.js';
import { NOTHING_KNOWN, pipedNamesShared, renderListAll } from '../../output/list-all-view.js';
import { loadRegistry } from '../../registry/read.js';

export interface ListAllOptions {
  remoteOnly?: boolean;
  long?: boolean;
  json?: boolean;
}

export function runListAll(ctx: Context, options: ListAllOptions): void {
  const { registry } = loadRegistry(ctx.paths.registryFile);
  const cache = new RemoteCacheView(ctx.paths.registryFile, registry);
  if (options.json) {
    const { views } = cache.projectViews();
    printJson(ctx.io, views.filter((v) => !options.remoteOnly || !v.local).map(listAllJson));
    return;
  }
  const long = options.long === true;
  const tty = ctx.io.outIsTTY;
  const colour = ctx.io.colour;
  let rows = cache.listAll({ long, piped: !tty && !colour });
  const local = options.remoteOnly ? [] : rows.local;
  // Rows sharing a name are labelled NAME@MACHINE, which needs them decoded (rare).
  if (rows.remoteOnly.kind === 'piped' && pipedNamesShared(rows.local, rows.remoteOnly.bytes))
    rows = cache.listAll({ long, piped: false });
  if (!rows.known) ctx.io.err(NOTHING_KNOWN);
  ctx.io.out(
    renderListAll(local, rows.remoteOnly, {
      long,
      tty,
      c: palette(colour),
      labelShared: { local: rows.local },
    }),
  );
}
