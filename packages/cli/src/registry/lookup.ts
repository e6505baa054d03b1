/** Finding projects in the registry by name or path, and the uniqueness rules. */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { LocalProject, Registry } from './format.js';

/** The project with this exact name, if any. */
export function findByName(registry: Registry, name: string): LocalProject | undefined {
  return registry.projects.find((p) => p.name === name);
}

/** The project registered at this absolute path, if any. */
export function findByPath(registry: Registry, path: string): LocalProject | undefined {
  return registry.projects.find((p) => p.path === path);
}

/** The project named `name`, or a UserError pointing at `dev-infra list`. */
export function requireByName(registry: Registry, name: string): LocalProject {
  const project = findByName(registry, name);
  if (!project)
    throw new UserError(`no project named "${name}" on this machine; see \`dev-infra list\``);
  return project;
}

/** The project named `arg`, else the one at path `arg` (relative to the current folder). */
export function requireByNameOrPath(registry: Registry, arg: string): LocalProject {
  const abs = resolve(arg);
  // Registered paths are real paths; a symlinked spelling of an existing folder matches too.
  const project =
    findByName(registry, arg) ??
    findByPath(registry, abs) ??
    (existsSync(abs) ? findByPath(registry, realpathSync(abs)) : undefined);
  if (!project)
    throw new UserError(`no project named or at "${arg}" on this machine; see \`dev-infra list\``);
  return project;
}

/**
 * Why `candidate` cannot join the registry (path, id or name already taken), or undefined.
 * `nameHint` is appended to a name clash (add suggests --name).
 */
export function registrationConflict(
  registry: Registry,
  candidate: Pick<LocalProject, 'id' | 'name' | 'path'>,
  nameHint = '',
): string | undefined {
  const atPath = findByPath(registry, candidate.path);
  if (atPath) return `${candidate.path} is already registered as "${atPath.name}"`;
  const sameId = registry.projects.find((p) => p.id === candidate.id);
  if (sameId)
    return `project id ${candidate.id} (from .dev-infra.yml) is already registered as "${sameId.name}" at ${sameId.path}; if this folder is a copy, give it a new id in its .dev-infra.yml`;
  const named = findByName(registry, candidate.name);
  if (named) return `the name "${candidate.name}" is already used by ${named.path}${nameHint}`;
  return undefined;
}
