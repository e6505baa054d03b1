/** `dev-infra add [PATH]`: registers a folder. */
import { resolve } from 'node:path';
import { normaliseRemoteUrl } from '@dev-infra/core';
import type { Context } from '../../context.js';
import { UserError } from '../../errors.js';
import { shortenPath } from '../../output/paths.js';
import type { LocalProject } from '../../registry/format.js';
import { registrationConflict } from '../../registry/lookup.js';
import { buildProject, type NewProjectOptions, resolveFolder } from '../../registry/new-project.js';
import { registerProject } from '../../registry/operations.js';
import { mutateRegistry } from '../../registry/store.js';

export interface AddOptions extends NewProjectOptions {
  tag?: string[];
}

/** Registers `dir` (already resolved) and returns the new record; refuses clashes. */
export async function registerFolder(
  ctx: Context,
  dir: string,
  options: AddOptions,
): Promise<LocalProject> {
  // git runs here, before the lock is taken, so the lock is held only for the write.
  const project = buildProject(
    dir,
    { ...options, tags: options.tag ?? [] },
    ctx.now().toISOString(),
  );
  const paths = ctx.paths;
  await mutateRegistry(paths.registryFile, paths.dataDir, (registry) => {
    const hint = options.name ? '' : '; choose another name with --name';
    const conflict = registrationConflict(registry, project, hint);
    if (conflict) throw new UserError(conflict);
    registerProject(registry, project);
  });
  return project;
}

/** The confirmation line after registering. */
export function registeredLine(project: LocalProject): string {
  const remote = normaliseRemoteUrl(project.remote_url);
  return `Registered ${project.name} at ${shortenPath(project.path)}${remote ? ` (${remote})` : ''}\n`;
}

export async function runAdd(ctx: Context, path: string, options: AddOptions): Promise<void> {
  const project = await registerFolder(ctx, resolveFolder(resolve(ctx.cwd, path)), options);
  ctx.io.out(registeredLine(project));
}
