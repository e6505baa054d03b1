/** `dev-infra remove <NAME|PATH>`: drops the entry; files on disk are never touched. */
import { shortenPath } from '../output/paths.js';
import { requireByNameOrPath } from '../registry/lookup.js';
import { resolvePaths } from '../registry/paths.js';
import { mutateRegistry } from '../registry/store.js';

/** Runs `remove`. */
export async function runRemove(target: string): Promise<void> {
  const paths = resolvePaths();
  const removed = await mutateRegistry(paths.registryFile, paths.dataDir, (registry) => {
    const project = requireByNameOrPath(registry, target);
    registry.projects = registry.projects.filter((p) => p !== project);
    return project;
  });
  process.stdout.write(
    `Removed ${removed.name} from the registry; its files at ${shortenPath(removed.path)} were not touched\n`,
  );
}
