/**
 * `dev-infra list --all | --remote-only [--long] [--json]`: this machine's projects plus those
 * only other machines hold, from the last pull (the remote cache). No network.
 */
import { RemoteCacheView } from '../cache/remote-cache.js';
import { colourEnabled, palette } from '../output/colour.js';
import { printJson } from '../output/json.js';
import { listAllJson } from '../output/list-all-json.js';
import { NOTHING_KNOWN, renderListAll } from '../output/list-all-view.js';
import { stdoutIsTerminal, writeOut } from '../output/stdout.js';
import { resolvePaths } from '../registry/paths.js';
import { loadRegistry } from '../registry/read.js';

export interface ListAllOptions {
  remoteOnly?: boolean;
  long?: boolean;
  json?: boolean;
}

/** Runs `list --all` or `list --remote-only`. */
export function runListAll(options: ListAllOptions): void {
  const paths = resolvePaths();
  const { registry } = loadRegistry(paths.registryFile);
  const cache = new RemoteCacheView(paths.registryFile, registry);
  if (options.json) {
    const { views } = cache.projectViews();
    printJson(views.filter((v) => !options.remoteOnly || !v.local).map(listAllJson));
    return;
  }
  const long = options.long === true;
  const tty = stdoutIsTerminal();
  const colour = colourEnabled();
  const rows = cache.listAll({ long, piped: !tty && !colour });
  if (!rows.known) process.stderr.write(NOTHING_KNOWN);
  const local = options.remoteOnly ? [] : rows.local;
  writeOut(renderListAll(local, rows.remoteOnly, { long, tty, c: palette(colour) }));
}
