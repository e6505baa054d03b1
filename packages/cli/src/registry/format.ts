/**
 * The registry file's format (version 2): types, validation of what was read (each project
 * against core's RegistryProjectSchema, the shared fields' schema plus the local parts; sync
 * slots are decoded into typed state: one of the wrong shape reads as never synced), and the
 * stable pretty-printed form that is written. jq-friendly: a top-level `projects` array.
 */
import {
  badRegistryProjectField,
  decodeProjectSync,
  decodeRegistrySync,
  encodeProjectSync,
  type GitState,
  isGitStateOrNull,
  isObject,
  isRegistryProject,
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
  /** The checkout's last collected git state (null: not a repository; absent: never read). */
  git?: GitState | null;
}

/**
 * This machine: a uuid made once and an optional user-set name (hostname otherwise), and the
 * registry's incarnation: a random token made with the id (or by the first sync of a registry
 * older than it), sent with the id so that work-prod can tell a copy of this registry (a
 * restored backup, a cloned VM) from this one. See docs/sync-internals.md.
 */
export interface MachineInfo {
  id: string;
  name: string | null;
  incarnation?: string;
  /** The token this registry will hold once the server accepts the push that sent it. */
  next_incarnation?: string;
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

/** Fields older writers (and hand edits) may leave out or null: null, tags []. */
const OPTIONAL_FIELDS = [
  'tags',
  'project_type',
  'classification',
  'description',
  'remote_url',
  'organization',
  'template',
  'template_version',
] as const;

/**
 * `raw` with the values its left-out fields mean; copied only when one is left out, since
 * `list` reads every project on every run and allocation shows in its start-up time.
 */
function withDefaults(raw: Record<string, unknown>): Record<string, unknown> {
  let out = raw;
  for (const key of OPTIONAL_FIELDS) {
    const v = raw[key];
    if (v === undefined || (v === null && key === 'tags')) {
      if (out === raw) out = { ...raw };
      out[key] = key === 'tags' ? [] : null;
    }
  }
  return out;
}

function parseProject(raw: unknown, where: string): LocalProject {
  if (!isObject(raw)) throw new ShapeError(`${where} must be an object`);
  let candidate = withDefaults(raw);
  // A damaged git state is derived data: dropped (collected again), never an unreadable registry.
  if (candidate.git !== undefined && !isGitStateOrNull(candidate.git)) {
    candidate = { ...candidate };
    delete candidate.git;
  }
  if (!isRegistryProject(candidate)) {
    const bad = badRegistryProjectField(candidate);
    throw new ShapeError(bad ? fieldMessage(where, bad, candidate) : `${where} is invalid`);
  }
  const project: LocalProject = {
    id: candidate.id,
    name: candidate.name,
    path: candidate.path,
    remote_url: candidate.remote_url,
    description: candidate.description,
    tags: candidate.tags,
    project_type: candidate.project_type,
    status: candidate.status,
    classification: candidate.classification,
    organization: candidate.organization,
    template: candidate.template,
    template_version: candidate.template_version,
    created_at: candidate.created_at,
    updated_at: candidate.updated_at,
  };
  const sync = decodeProjectSync(candidate.sync, project.id);
  if (sync) project.sync = sync;
  if (candidate.git !== undefined) project.git = candidate.git;
  return project;
}

/** The parts of a property's JSON schema a message is worded from. */
interface FieldSchema {
  type?: string | string[];
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  items?: FieldSchema;
}

/**
 * The one-line message for the first field that does not match its schema, worded from that
 * schema (`projects[3].tags must be an array of strings`), as the hand checks said it before.
 */
function fieldMessage(
  where: string,
  bad: { key: string; schema: object },
  project: Record<string, unknown>,
): string {
  if (bad.key === '') return `${where} must be an object`;
  const at = `${where}.${bad.key}`;
  const s: FieldSchema = bad.schema;
  const v = project[bad.key];
  const types = Array.isArray(s.type) ? s.type : [s.type];
  const nullable = types.includes('null');
  if (s.enum) {
    const values = s.enum.filter((e) => e !== null).join(', ');
    return `${at} must be ${nullable ? 'null or ' : ''}one of ${values}`;
  }
  if (types.includes('object')) return `${at} must be an object`;
  if (types.includes('array')) {
    const limits = [
      s.maxItems === undefined ? undefined : `at most ${s.maxItems}`,
      s.items?.maxLength === undefined ? undefined : `each at most ${s.items.maxLength} characters`,
    ].filter((l) => l !== undefined);
    return `${at} must be an array of strings${limits.length ? ` (${limits.join(', ')})` : ''}`;
  }
  if (typeof v === 'string' && s.maxLength !== undefined && [...v].length > s.maxLength)
    return `${at} must be at most ${s.maxLength} characters`;
  if (typeof v === 'string' && v.length > 0 && s.pattern === '^/')
    return `${at} must be an absolute path`;
  if (nullable) return `${at} must be a string or null`;
  return `${at} must be a non-empty string`;
}

/** The `machine` object, checked. */
function machineInfo(machine: Record<string, unknown>): MachineInfo {
  const info: MachineInfo = {
    id: str(machine, 'id', 'machine'),
    name: strOrNull(machine, 'name', 'machine'),
  };
  if (machine.incarnation !== undefined) info.incarnation = str(machine, 'incarnation', 'machine');
  if (machine.next_incarnation !== undefined)
    info.next_incarnation = str(machine, 'next_incarnation', 'machine');
  return info;
}

/** Checks a current-version document and returns it typed; throws ShapeError naming the field. */
export function toRegistry(doc: RawDocument): Registry {
  const machine = doc.machine;
  if (!isObject(machine)) throw new ShapeError('machine must be an object');
  if (!Array.isArray(doc.projects)) throw new ShapeError('projects must be an array');
  const registry: Registry = {
    version: REGISTRY_VERSION,
    machine: machineInfo(machine),
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
  if (p.git !== undefined) out.git = p.git;
  return out;
}

/** The file's text: pretty-printed, keys in a stable order, ending in a newline. */
export function serializeRegistry(registry: Registry): string {
  const doc: Omit<Registry, 'projects'> & { projects: StoredProject[] } = {
    version: REGISTRY_VERSION,
    machine: {
      id: registry.machine.id,
      name: registry.machine.name,
      ...(registry.machine.incarnation !== undefined
        ? { incarnation: registry.machine.incarnation }
        : {}),
      ...(registry.machine.next_incarnation !== undefined
        ? { next_incarnation: registry.machine.next_incarnation }
        : {}),
    },
    projects: registry.projects.map(orderProject),
  };
  if (registry.sync) doc.sync = registry.sync;
  return `${JSON.stringify(doc, null, 2)}\n`;
}
