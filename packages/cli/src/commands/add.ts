/** `dev-infra add [PATH]`: registers a folder. */
import { normaliseRemoteUrl } from '@dev-infra/core';
import { UserError } from '../errors.js';
import { shortenPath } from '../output/paths.js';
import { writeOut } from '../output/stdout.js';
import type { LocalProject } from '../registry/format.js';
import { registrationConflict } from '../registry/lookup.js';
import { buildProject, type NewProjectOptions, resolveFolder } from '../registry/new-project.js';
import { registerProject } from '../registry/operations.js';
import { resolvePaths } from '../registry/paths.js';
import { mutateRegistry } from '../registry/store.js';

export interface AddOptions extends NewProjectOptions {
  tag?: string[];
}

/** Registers `dir` (already resolved) and returns the new record; refuses clashes. */
export async function registerFolder(dir: string, options: AddOptions): Promise<LocalProject> {
  // git runs here, before the lock is taken, so the lock is held only for the write.
  const project = buildProject(dir, { ...options, tags: options.tag ?? [] });
  const paths = resolvePaths();
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

/** Runs `add`. */
export async function runAdd(path: string, options: AddOptions): Promise<void> {
  const project = await registerFolder(resolveFolder(path), options);
  writeOut(registeredLine(project));
}
