/** `dev-infra remove <NAME|PATH> [--everywhere]`: drops the entry; files on disk are never touched. */
import { shortenPath } from '../output/paths.js';
import { writeOut } from '../output/stdout.js';
import { requireByNameOrPath } from '../registry/lookup.js';
import { resolvePaths } from '../registry/paths.js';
import { mutateRegistry } from '../registry/store.js';
import { recordRemoval } from '../sync/state.js';

const AFTER = {
  tombstone:
    '; it will be deleted from the server (and shown as deleted on other machines) at the next `dev-infra sync`',
  checkout: "; the server will forget this machine's checkout at the next `dev-infra sync`",
  local: '',
};

/** Runs `remove`. */
export async function runRemove(
  target: string,
  options: { everywhere?: boolean } = {},
): Promise<void> {
  const paths = resolvePaths();
  const { removed, after } = await mutateRegistry(paths.registryFile, paths.dataDir, (registry) => {
    const project = requireByNameOrPath(registry, target);
    const after = recordRemoval(registry, project, options.everywhere === true);
    registry.projects = registry.projects.filter((p) => p !== project);
    return { removed: project, after };
  });
  writeOut(
    `Removed ${removed.name} from the registry; its files at ${shortenPath(removed.path)} were not touched${AFTER[after]}\n`,
  );
}
