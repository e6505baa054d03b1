/** `dev-infra remove <NAME|PATH> [--everywhere]`: drops the entry; files on disk are never touched. */
import { cacheFileFor, readCache } from '../../cache/records.js';
import type { Context } from '../../context.js';
import { shortenPath } from '../../output/paths.js';
import {
  ambiguous,
  findByNameOrPath,
  recordLabel,
  remoteMatches,
  requireByNameOrPath,
} from '../../registry/lookup.js';
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
    const project = options.everywhere
      ? findByNameOrPath(registry, target, ctx.cwd, 'none')
      : findByNameOrPath(registry, target, ctx.cwd);
    if (!project && options.everywhere) {
      // Not on this machine: delete it on the server, from what the last pull knew.
      const records = readCache(cacheFileFor(paths.registryFile))?.records ?? [];
      const found = remoteMatches(registry, records, target);
      if (found.length > 1)
        throw ambiguous(
          target,
          found.map((r) => recordLabel(r, found)),
        );
      const record = found[0];
      if (record && removeRemoteOnly(registry, [record], record.fields.name)) return undefined;
    }
    const found = project ?? requireByNameOrPath(registry, target, ctx.cwd);
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
