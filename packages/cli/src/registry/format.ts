/**
 * The registry file's format (version 2): types, validation of what was read (sync slots are
 * decoded into typed state: one of the wrong shape reads as never synced), and the stable
 * pretty-printed form that is written. jq-friendly: a top-level `projects` array.
 */
import {
  CLASSIFICATIONS,
  decodeProjectSync,
  decodeRegistrySync,
  encodeProjectSync,
  isClassification,
  isObject,
  isProjectStatus,
  isProjectType,
  PROJECT_STATUSES,
  PROJECT_TYPES,
  type ProjectSync,
  type RegistrySync,
  type SharedFields,
} from '@dev-infra/core';

/** The newest registry schema version this build reads and writes. */
export const REGISTRY_VERSION = 2;

/** A project on this machine: the shared fields plus its uuid and this machine's path. */
export interface LocalProject extends SharedFields {
  id: string;
  /** Absolute path of the checkout on this machine (unique in the registry). */
  path: string;
  sync?: ProjectSync;
}

/** This machine: a uuid made once and an optional user-set name (hostname otherwise). */
export interface MachineInfo {
  id: string;
  name: string | null;
}

/** The whole registry file. */
export interface Registry {
  version: number;
  machine: MachineInfo;
  projects: LocalProject[];
  sync?: RegistrySync;
}

/** The registry's document after JSON parsing but before its shape is checked. */
export type RawDocument = Record<string, unknown>;

/** Thrown when a document is not a registry; the message names the field. */
export class ShapeError extends Error {}

function str(obj: Record<string, unknown>, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.length === 0)
    throw new ShapeError(`${where}.${key} must be a non-empty string`);
  return v;
}

function strOrNull(obj: Record<string, unknown>, key: string, where: string): string | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new ShapeError(`${where}.${key} must be a string or null`);
  return v;
}

function slot(obj: Record<string, unknown>, where: string): Record<string, unknown> | undefined {
  const v = obj.sync;
  if (v === undefined) return undefined;
  if (!isObject(v)) throw new ShapeError(`${where}.sync must be an object`);
  return v;
}

function parseProject(raw: unknown, where: string): LocalProject {
  if (!isObject(raw)) throw new ShapeError(`${where} must be an object`);
  const tags = raw.tags ?? [];
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string'))
    throw new ShapeError(`${where}.tags must be an array of strings`);
  const projectType = raw.project_type ?? null;
  if (projectType !== null && !isProjectType(projectType))
    throw new ShapeError(
      `${where}.project_type must be null or one of ${PROJECT_TYPES.join(', ')}`,
    );
  if (!isProjectStatus(raw.status))
    throw new ShapeError(`${where}.status must be one of ${PROJECT_STATUSES.join(', ')}`);
  const classification = raw.classification ?? null;
  if (classification !== null && !isClassification(classification))
    throw new ShapeError(
      `${where}.classification must be null or one of ${CLASSIFICATIONS.join(', ')}`,
    );
  const path = str(raw, 'path', where);
  if (!path.startsWith('/')) throw new ShapeError(`${where}.path must be an absolute path`);
  const project: LocalProject = {
    id: str(raw, 'id', where),
    name: str(raw, 'name', where),
    path,
    remote_url: strOrNull(raw, 'remote_url', where),
    description: strOrNull(raw, 'description', where),
    tags: tags as string[],
    project_type: projectType,
    status: raw.status,
    classification,
    organization: strOrNull(raw, 'organization', where),
    template: strOrNull(raw, 'template', where),
    template_version: strOrNull(raw, 'template_version', where),
    created_at: str(raw, 'created_at', where),
    updated_at: str(raw, 'updated_at', where),
  };
  const sync = decodeProjectSync(slot(raw, where), project.id);
  if (sync) project.sync = sync;
  return project;
}

/** Checks a current-version document and returns it typed; throws ShapeError naming the field. */
export function toRegistry(doc: RawDocument): Registry {
  const machine = doc.machine;
  if (!isObject(machine)) throw new ShapeError('machine must be an object');
  if (!Array.isArray(doc.projects)) throw new ShapeError('projects must be an array');
  const registry: Registry = {
    version: REGISTRY_VERSION,
    machine: { id: str(machine, 'id', 'machine'), name: strOrNull(machine, 'name', 'machine') },
    projects: doc.projects.map((p, i) => parseProject(p, `projects[${i}]`)),
  };
  const sync = decodeRegistrySync(slot(doc, 'registry'));
  if (sync) registry.sync = sync;
  return registry;
}

/** A project as written: keys in the stable order, the sync slot in its stored form. */
export type StoredProject = Omit<LocalProject, 'sync'> & { sync?: Record<string, unknown> };

/** One project with its keys in the stable written order. */
export function orderProject(p: LocalProject): StoredProject {
  const out: StoredProject = {
    id: p.id,
    name: p.name,
    path: p.path,
    remote_url: p.remote_url,
    description: p.description,
    tags: p.tags,
    project_type: p.project_type,
    status: p.status,
    classification: p.classification,
    organization: p.organization,
    template: p.template,
    template_version: p.template_version,
    created_at: p.created_at,
    updated_at: p.updated_at,
  };
  const sync = p.sync && encodeProjectSync(p.sync);
  if (sync) out.sync = sync;
  return out;
}

/** The file's text: pretty-printed, keys in a stable order, ending in a newline. */
export function serializeRegistry(registry: Registry): string {
  const doc: Omit<Registry, 'projects'> & { projects: StoredProject[] } = {
    version: REGISTRY_VERSION,
    machine: { id: registry.machine.id, name: registry.machine.name },
    projects: registry.projects.map(orderProject),
  };
  if (registry.sync) doc.sync = registry.sync;
  return `${JSON.stringify(doc, null, 2)}\n`;
}
