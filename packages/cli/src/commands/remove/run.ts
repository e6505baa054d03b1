/** `dev-infra remove <NAME|PATH> [--everywhere]`: drops the entry; files on disk are never touched. */
import { resolve } from 'node:path';
import { cacheFileFor, readCache } from '../../cache/records.js';
import type { Context } from '../../context.js';
import { shortenPath } from '../../output/paths.js';
import { findByName, findByPath, requireByNameOrPath } from '../../registry/lookup.js';
import { removeProject, removeRemoteOnly } from '../../registry/operations.js';
import { mutateRegistry } from '../../registry/store.js';

const AFTER = {
  tombstone:
    '; it will be deleted from the server (and shown as deleted on other machines) at the next `dev-infra sync`',
  checkout: "; the server will forget this machine's checkout at the next `dev-infra sync`",
  local: '',
};

export async function runRemove(
  ctx: Context,
  target: string,
  options: { everywhere?: boolean } = {},
): Promise<void> {
  const paths = ctx.paths;
  const done = await mutateRegistry(paths.registryFile, paths.dataDir, (registry) => {
    const project = findByName(registry, target) ?? findByPath(registry, resolve(ctx.cwd, target));
    if (!project && options.everywhere) {
      // Not on this machine: delete it on the server, from what the last pull knew.
      const records = readCache(cacheFileFor(paths.registryFile))?.records ?? [];
      if (removeRemoteOnly(registry, records, target)) return undefined;
    }
    const found = project ?? requireByNameOrPath(registry, target);
    const after = removeProject(registry, found, options.everywhere === true);
    return { removed: found, after };
  });
  if (!done) {
    ctx.io.out(`${target} is not on this machine${AFTER.tombstone}\n`);
    return;
  }
  ctx.io.out(
    `Removed ${done.removed.name} from the registry; its files at ${shortenPath(done.removed.path)} were not touched${AFTER[done.after]}\n`,
  );
}
