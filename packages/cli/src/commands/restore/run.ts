/**
 * `dev-infra restore <NAME|PATH> [--json]`: marks a project shown "deleted remotely" for
 * restore. Nothing is sent here: the next sync's push plan (core's planPush) sends its fields
 * on the tombstone's revision, which the server takes as making it live again.
 */
import type { Context } from '../../context.js';
import { UserError } from '../../errors.js';
import { printJson } from '../../output/json.js';
import { requireByNameOrPath } from '../../registry/lookup.js';
import { mutateRegistry } from '../../registry/store.js';
import { projectSync } from '../../sync/state.js';

export async function runRestore(
  ctx: Context,
  target: string,
  options: { json?: boolean } = {},
): Promise<void> {
  const paths = ctx.paths;
  const restored = await mutateRegistry(paths.registryFile, paths.dataDir, (registry) => {
    const project = requireByNameOrPath(registry, target, ctx.cwd);
    const sync = projectSync(project);
    const gone = sync?.deleted_remotely;
    if (!sync || !gone)
      throw new UserError(`${project.name} is not deleted remotely: nothing to restore`);
    if (sync.remote.kind === 'basic')
      // The original API deletes for good: there is no record left to make live again.
      throw new UserError(
        `${project.name} cannot be restored: the server (basic mode) deleted it for good; \`dev-infra remove ${project.name}\` then \`dev-infra add\` its folder to register it as a new project`,
      );
    sync.deleted_remotely = { ...gone, restore: true };
    return { name: project.name, id: project.id, path: project.path };
  });
  if (options.json) {
    printJson(ctx.io, { ...restored, restore: 'at next sync' });
    return;
  }
  ctx.io.out(
    `Marked ${restored.name} for restore; it will be live again on the server (and on other machines) at the next \`dev-infra sync\`\n`,
  );
}
