/**
 * The sync state kept in registry.json (version 2): registry-wide (which server, the feed
 * cursor, pending deletions) and per project (the base snapshot and revision of the last
 * sync). Slots of the wrong shape read as absent, so a hand-edited file degrades to "never
 * synced" rather than failing.
 */
import { hostname } from 'node:os';
import {
  type MachineRef,
  type SharedFields,
  type SyncRecord,
  stripRemoteCredentials,
} from '@dev-infra/core';
import type { LocalProject, Registry } from '../registry/format.js';
import type { RemoteProtocol } from '../remote/capabilities.js';

/** A deletion (`remove --everywhere`) waiting to be pushed. */
export interface PendingDelete {
  uuid: string;
  base_rev: number;
  /** Basic mode: the server's integer id. */
  remote_id?: number;
  /** For messages only. */
  name?: string;
}

/** Registry-wide sync state. */
export interface RegistrySync {
  /** The remote URL this state belongs to. */
  server: string;
  protocol: RemoteProtocol;
  /** The changes feed cursor (sync-v1). */
  cursor: number;
  last_pull: string | null;
  last_push: string | null;
  pending: { deletes: PendingDelete[]; checkout_removals: string[] };
  /** Basic mode: server ids this machine has seen, to tell a deletion from a new project. */
  known_ids?: number[];
  /**
   * sync-v1: the `seq` each of this machine's accepted pushes produced, by uuid, so the next
   * pull does not report our own changes as pulled. Cleared by a pull that passes them.
   */
  echo?: Record<string, number>;
  /**
   * uuids this machine asked to delete everywhere whose tombstone the cursor may not cover yet
   * (queued, or pushed and not pulled back): a repo registered again here after its own
   * `remove --everywhere` is a new project, not the deleted one (see linkNewProjects).
   */
  deleted_here?: string[];
}

/** Per-project sync state; absent = never pushed or pulled ("new"). */
export interface ProjectSync {
  /** The server's revision of the fields in `base` (0 in basic mode). */
  rev: number;
  /** The shared fields as both sides last agreed on them. */
  base: SharedFields;
  /** This machine's path as last sent to the server, or null. */
  pushed_path: string | null;
  /** Basic mode: the server's integer id. */
  remote_id?: number;
  /** Set when the server holds a tombstone: shown as "deleted remotely", never pushed again. */
  deleted_remotely?: { at: string; by?: string };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The project's sync state, or undefined when it has none (or an unreadable one). */
export function projectSync(project: LocalProject): ProjectSync | undefined {
  const s = project.sync;
  if (!isObject(s) || typeof s.rev !== 'number' || !isObject(s.base)) return undefined;
  return s as unknown as ProjectSync;
}

/** Stores (or, with undefined, clears) a project's sync state. */
export function setProjectSync(project: LocalProject, state: ProjectSync | undefined): void {
  if (state === undefined) delete project.sync;
  else project.sync = state as unknown as Record<string, unknown>;
}

/**
 * Fields the user edited on a never-synced project (kept in its sync slot until it first
 * syncs), so that linking it to a server record tells edits from values `add` chose.
 */
export function localEdits(project: LocalProject): Set<string> {
  const edited = isObject(project.sync) ? project.sync.edited : undefined;
  return new Set(Array.isArray(edited) ? edited.filter((f) => typeof f === 'string') : []);
}

/** Notes `fields` as edited by the user when the project has never synced. */
export function noteLocalEdits(project: LocalProject, fields: readonly string[]): void {
  if (projectSync(project) || fields.length === 0) return;
  const edited = localEdits(project);
  for (const f of fields) edited.add(f);
  project.sync = { ...(isObject(project.sync) ? project.sync : {}), edited: [...edited].sort() };
}

/** What this machine knew of the server's deletions when a project was registered here. */
export interface SeenAtRegistration {
  /** The feed cursor then: every tombstone with a revision up to it had been pulled. */
  cursor: number;
  /** Deletions made here that the cursor did not cover yet. */
  deleted: Set<string>;
}

/**
 * Notes in a new project's sync slot what this machine knew of the server at registration
 * (nothing is noted without sync state: it knew nothing, cursor 0), after cancelling what a
 * `remove` queued for its id (see `cancelRemovalsOf`).
 */
export function noteRegistration(registry: Registry, project: LocalProject): void {
  cancelRemovalsOf(registry, project.id);
  const state = registrySync(registry);
  if (!state) return;
  const slot: Record<string, unknown> = { seen_cursor: state.cursor };
  if (state.deleted_here?.length) slot.seen_deleted = [...state.deleted_here];
  project.sync = { ...(isObject(project.sync) ? project.sync : {}), ...slot };
}

/** What a never-synced project noted at registration; cursor 0 when nothing was noted. */
export function seenAtRegistration(project: LocalProject): SeenAtRegistration {
  const slot = isObject(project.sync) ? project.sync : {};
  const cursor = typeof slot.seen_cursor === 'number' ? slot.seen_cursor : 0;
  const deleted = Array.isArray(slot.seen_deleted) ? slot.seen_deleted : [];
  return { cursor, deleted: new Set(deleted.filter((u) => typeof u === 'string')) };
}

/** Remembers that this machine asked for `uuid` to be deleted everywhere. */
function noteDeletedHere(state: RegistrySync, uuid: string): void {
  state.deleted_here = [...new Set([...(state.deleted_here ?? []), uuid])];
}

/**
 * Forgets deletions made here once they can no longer matter: the cursor covers the
 * tombstone (`tombstoneRev` gives its revision, or undefined when the server never made one,
 * e.g. the deletion was refused) and it is no longer waiting to be pushed.
 */
export function pruneDeletedHere(
  state: RegistrySync,
  tombstoneRev: (uuid: string) => number | undefined,
): void {
  if (!state.deleted_here) return;
  const queued = new Set(state.pending.deletes.map((d) => d.uuid));
  const kept = state.deleted_here.filter((uuid) => {
    if (queued.has(uuid)) return true;
    const rev = tombstoneRev(uuid);
    return rev !== undefined && rev > state.cursor;
  });
  if (kept.length > 0) state.deleted_here = kept;
  else delete state.deleted_here;
}

/**
 * Cancels at once what a `remove` queued for `uuid`, when a project with that uuid is
 * registered here again (cloned, or re-added with its `.dev-infra.yml` id) before the removal
 * was pushed: the later command wins. Waiting for the next sync to notice (as
 * `cancelRemovalsOfHeld` does for projects linked back by URL) is not enough: a plain `remove`
 * of the clone before that sync would bring the queued deletion everywhere back (seed
 * 881327534 of the convergence test). A deletion never pushed is also no longer one made here.
 */
export function cancelRemovalsOf(registry: Registry, uuid: string): void {
  const state = registrySync(registry);
  if (!state) return;
  const cancelled = dropPendingRemovals(state, (u) => u === uuid);
  if (cancelled && state.deleted_here?.includes(uuid)) {
    state.deleted_here = state.deleted_here.filter((u) => u !== uuid);
    if (state.deleted_here.length === 0) delete state.deleted_here;
  }
}

/**
 * Drops the queued checkout removals and deletions of the uuids `cancel` picks; true when a
 * deletion was among them.
 */
function dropPendingRemovals(state: RegistrySync, cancel: (uuid: string) => boolean): boolean {
  const { pending } = state;
  if (pending.checkout_removals.some(cancel))
    pending.checkout_removals = pending.checkout_removals.filter((uuid) => !cancel(uuid));
  if (!pending.deletes.some((d) => cancel(d.uuid))) return false;
  pending.deletes = pending.deletes.filter((d) => !cancel(d.uuid));
  return true;
}

/**
 * Cancels what a `remove` queued for a project registered here again before the removal was
 * pushed (linked back by remote URL, cloned, or re-added with its `.dev-infra.yml` id): the
 * later command wins. A pending checkout removal would drop the new checkout from the server;
 * a pending deletion would delete the project the user just asked for (and both would go in
 * one push with the project's own change).
 */
export function cancelRemovalsOfHeld(registry: Registry, state: RegistrySync): void {
  const held = new Set(registry.projects.map((p) => p.id));
  dropPendingRemovals(state, (uuid) => held.has(uuid));
}

/** A fresh registry-wide state for `server`. */
export function freshSync(server: string, protocol: RemoteProtocol): RegistrySync {
  return {
    server,
    protocol,
    cursor: 0,
    last_pull: null,
    last_push: null,
    pending: { deletes: [], checkout_removals: [] },
  };
}

/** The registry-wide state, or undefined when there is none (never synced). */
export function registrySync(registry: Registry): RegistrySync | undefined {
  const s = registry.sync;
  if (!isObject(s) || typeof s.server !== 'string' || typeof s.cursor !== 'number')
    return undefined;
  const state = s as unknown as RegistrySync;
  if (!isObject(state.pending)) state.pending = { deletes: [], checkout_removals: [] };
  state.pending.deletes ??= [];
  state.pending.checkout_removals ??= [];
  return state;
}

/**
 * The state for `server`, made (or reset, when it belonged to another server or protocol:
 * revisions and server ids mean nothing elsewhere) in place. Returns what it was reset from,
 * so the caller can say so once.
 */
export function ensureSync(
  registry: Registry,
  server: string,
  protocol: RemoteProtocol,
): { state: RegistrySync; reset: string | null } {
  const current = registrySync(registry);
  if (current && current.server === server && current.protocol === protocol)
    return { state: current, reset: null };
  const state = freshSync(server, protocol);
  registry.sync = state as unknown as Record<string, unknown>;
  if (current) {
    // Bases and revisions belong to the old server: every project is "new" to this one.
    for (const p of registry.projects) setProjectSync(p, undefined);
  }
  const was = current?.server === server ? `${server}, ${current.protocol}` : current?.server;
  return { state, reset: was ?? null };
}

/** This machine as it names itself to the server. */
export function machineRef(registry: Registry): MachineRef {
  return { id: registry.machine.id, name: registry.machine.name ?? hostname() };
}

/**
 * The shared fields of a local project (without id, path and sync state), as they may leave
 * this machine: credentials in the remote URL are stripped.
 */
export function sharedFields(p: LocalProject): SharedFields {
  return {
    name: p.name,
    description: p.description,
    remote_url: p.remote_url === null ? null : stripRemoteCredentials(p.remote_url),
    project_type: p.project_type,
    status: p.status,
    classification: p.classification,
    organization: p.organization,
    tags: [...p.tags],
    template: p.template,
    template_version: p.template_version,
    created_at: p.created_at,
    updated_at: p.updated_at,
  };
}

/** Writes shared fields onto a local project (id, path and sync state stay). */
export function assignShared(p: LocalProject, fields: SharedFields): void {
  Object.assign(p, { ...fields, tags: [...fields.tags] });
}

/**
 * Records `remove` of a synced project: `everywhere` queues a tombstone; otherwise only this
 * machine's checkout is dropped on the next push. Returns what will happen, for the message.
 */
export function recordRemoval(
  registry: Registry,
  project: LocalProject,
  everywhere: boolean,
): 'tombstone' | 'checkout' | 'local' {
  const sync = projectSync(project);
  const state = registrySync(registry);
  if (!sync || !state) return 'local';
  if (everywhere && !sync.deleted_remotely) {
    const entry: PendingDelete = { uuid: project.id, base_rev: sync.rev, name: project.name };
    if (sync.remote_id !== undefined) entry.remote_id = sync.remote_id;
    state.pending.deletes.push(entry);
    noteDeletedHere(state, project.id);
    return 'tombstone';
  }
  if (sync.pushed_path !== null && !state.pending.checkout_removals.includes(project.id)) {
    state.pending.checkout_removals.push(project.id);
    return 'checkout';
  }
  return 'local';
}

/**
 * `remove NAME --everywhere` for a project this machine does not hold: queues the tombstone
 * from what the last pull said about it. Returns the queued deletion, or undefined when the
 * last pull knows no live project of that name.
 */
export function queueRemoteDeletion(
  registry: Registry,
  records: readonly SyncRecord[],
  name: string,
): PendingDelete | undefined {
  const state = registrySync(registry);
  const record = records.find((r) => !r.deleted && r.fields.name === name);
  if (!state || !record) return undefined;
  if (state.pending.deletes.some((d) => d.uuid === record.uuid)) return undefined;
  const entry: PendingDelete = record.uuid.startsWith('basic:')
    ? { uuid: record.uuid, base_rev: 0, remote_id: Number(record.uuid.slice(6)), name }
    : { uuid: record.uuid, base_rev: record.rev, name };
  state.pending.deletes.push(entry);
  noteDeletedHere(state, record.uuid);
  return entry;
}
