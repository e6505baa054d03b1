/** Finding projects in the registry by name or path, and the uniqueness rules. */
import { existsSync, realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { SyncRecord } from '@dev-infra/core';
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

/** The shortest id prefix a NAME argument may be (shorter ones match too much by chance). */
export const MIN_ID_PREFIX = 4;

/** What a NAME argument may be: a name, `NAME@MACHINE`, or the start of an id. */
export interface ProjectRef {
  name: string;
  machine?: string;
  idPrefix?: string;
}

/** The readings of `arg`; a name may itself hold `@`, so the caller tries each in turn. */
export function readRef(arg: string): ProjectRef[] {
  const refs: ProjectRef[] = [{ name: arg }];
  const at = arg.lastIndexOf('@');
  if (at > 0 && at < arg.length - 1)
    refs.push({ name: arg.slice(0, at), machine: arg.slice(at + 1) });
  if (arg.length >= MIN_ID_PREFIX && /^[0-9a-f-]+$/i.test(arg))
    refs.push({ name: arg, idPrefix: arg.toLowerCase() });
  return refs;
}

/** This machine's name as other machines see it. */
export function machineName(registry: Registry): string {
  return registry.machine.name ?? hostname();
}

/** Whether `machine` (from `NAME@MACHINE`) names this machine: its name or its id's start. */
export function isThisMachine(registry: Registry, machine: string): boolean {
  return (
    machine === machineName(registry) ||
    (machine.length >= MIN_ID_PREFIX && registry.machine.id.startsWith(machine.toLowerCase()))
  );
}

/** The error for an argument that fits several projects, listing each as it can be named. */
export function ambiguous(arg: string, choices: readonly string[]): UserError {
  return new UserError(`"${arg}" could be any of: ${choices.join(', ')}; name one of them`);
}

/**
 * The project on this machine that `arg` names (its name, `NAME@THIS-MACHINE` or an id
 * prefix), undefined when none does; a UserError when `arg` names a project elsewhere or
 * fits several ids.
 */
export function findLocal(
  registry: Registry,
  arg: string,
  options: { elsewhere?: 'error' | 'none' } = {},
): LocalProject | undefined {
  for (const ref of readRef(arg)) {
    if (ref.idPrefix !== undefined) {
      const prefix = ref.idPrefix;
      const found = registry.projects.filter((p) => p.id.startsWith(prefix));
      if (found.length > 1)
        throw ambiguous(
          arg,
          found.map((p) => `${p.name} (id ${p.id})`),
        );
      if (found[0]) return found[0];
      continue;
    }
    if (ref.machine !== undefined && !isThisMachine(registry, ref.machine)) {
      if (options.elsewhere === 'none') continue;
      throw new UserError(
        `"${arg}" names a project on ${ref.machine}, not on this machine (${machineName(registry)})`,
      );
    }
    const named = findByName(registry, ref.name);
    if (named) return named;
  }
  return undefined;
}

/** The project `arg` names here (see findLocal), or a UserError pointing at `dev-infra list`. */
export function requireByName(registry: Registry, name: string): LocalProject {
  const project = findLocal(registry, name);
  if (!project)
    throw new UserError(`no project named "${name}" on this machine; see \`dev-infra list\``);
  return project;
}

/** The project `arg` names (see findLocal), else the one at path `arg` (relative to `cwd`). */
export function requireByNameOrPath(
  registry: Registry,
  arg: string,
  cwd: string = process.cwd(),
): LocalProject {
  const project = findByNameOrPath(registry, arg, cwd);
  if (!project)
    throw new UserError(`no project named or at "${arg}" on this machine; see \`dev-infra list\``);
  return project;
}

/** As requireByNameOrPath, but undefined when nothing matches. */
export function findByNameOrPath(
  registry: Registry,
  arg: string,
  cwd: string = process.cwd(),
  elsewhere: 'error' | 'none' = 'error',
): LocalProject | undefined {
  const abs = resolve(cwd, arg);
  // Registered paths are real paths; a symlinked spelling of an existing folder matches too.
  return (
    findByName(registry, arg) ??
    findByPath(registry, abs) ??
    (existsSync(abs) ? findByPath(registry, realpathSync(abs)) : undefined) ??
    findLocal(registry, arg, { elsewhere })
  );
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

/** How a record other machines hold can be named on the command line: `NAME@MACHINE`, else its id. */
export function recordLabel(record: SyncRecord, among: readonly SyncRecord[]): string {
  const name = record.fields.name;
  const machine = record.checkouts[0]?.machine_name;
  const label = machine === undefined ? undefined : `${name}@${machine}`;
  const unique =
    label !== undefined &&
    among.every(
      (r) => r === record || r.fields.name !== name || r.checkouts[0]?.machine_name !== machine,
    );
  return unique ? label : `${name} (id ${record.uuid.slice(0, 8)})`;
}

/**
 * The live records no project here holds that `arg` names: by name, by `NAME@MACHINE` (a machine
 * holding a checkout, by name or id prefix) or by id prefix. Several when the name is shared.
 */
export function remoteMatches(
  registry: Registry,
  records: readonly SyncRecord[],
  arg: string,
): SyncRecord[] {
  const held = new Set(registry.projects.map((p) => p.id));
  const candidates = records.filter((r) => !r.deleted && !held.has(r.uuid));
  for (const ref of readRef(arg)) {
    const { machine, idPrefix } = ref;
    const found = candidates.filter((r) => {
      if (idPrefix !== undefined) return r.uuid.startsWith(idPrefix);
      if (r.fields.name !== ref.name) return false;
      return (
        machine === undefined ||
        r.checkouts.some(
          (c) =>
            c.machine_name === machine ||
            (machine.length >= MIN_ID_PREFIX && c.machine_id.startsWith(machine.toLowerCase())),
        )
      );
    });
    if (found.length > 0) return found;
  }
  return [];
}
