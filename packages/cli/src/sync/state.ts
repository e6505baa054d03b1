/**
 * The sync state kept in registry.json (version 2), typed in core (sync-state.ts) and decoded
 * when the registry is read: registry-wide (which server, the feed cursor, pending deletions)
 * and per project (never synced, or the base snapshot and revision of the last sync).
 */
import { hostname } from 'node:os';
import {
  freshSync,
  type MachineRef,
  type NeverSynced,
  neverSynced,
  type PendingRestore,
  type RegistrySync,
  type RemoteIdentity,
  type SharedFields,
  type Synced,
  stripRemoteCredentials,
} from '@dev-infra/core';
import type { LocalProject, Registry } from '../registry/format.js';

export type { PendingDelete, RegistrySync } from '@dev-infra/core';
export { freshSync };

/** A synced slot as callers give it: the remote identity defaults to the project's uuid. */
export type SyncedInput = Omit<Synced, 'kind' | 'remote'> & { remote?: RemoteIdentity };

/** The project's sync state when it has synced, else undefined ("new"). */
export function projectSync(project: LocalProject): Synced | undefined {
  return project.sync?.kind === 'synced' ? project.sync : undefined;
}

/** Stores a synced slot, or with undefined clears the slot (linking notes included). */
export function setProjectSync(project: LocalProject, state: SyncedInput | undefined): void {
  if (state === undefined) {
    delete project.sync;
    return;
  }
  const { remote, ...rest } = state;
  project.sync = {
    ...rest,
    kind: 'synced',
    remote: remote ?? { kind: 'sync-v1', uuid: project.id },
  };
}

/** What a never-synced project noted for linking (an empty note when it noted nothing). */
export function neverSyncedSlot(project: LocalProject): NeverSynced | undefined {
  if (project.sync?.kind === 'synced') return undefined;
  return project.sync ?? neverSynced();
}

/**
 * Fields the user edited on a never-synced project (kept in its sync slot until it first
 * syncs), so that linking it to a server record tells edits from values `add` chose.
 */
export function localEdits(project: LocalProject): Set<string> {
  return new Set(neverSyncedSlot(project)?.edited ?? []);
}

/** What this machine knew of the server's deletions when a project was registered here. */
export interface SeenAtRegistration {
  /** The feed cursor then: every tombstone with a revision up to it had been pulled. */
  cursor: number;
  /** Deletions made here that the cursor did not cover yet. */
  deleted: Set<string>;
}

/** What a never-synced project noted at registration; cursor 0 when nothing was noted. */
export function seenAtRegistration(project: LocalProject): SeenAtRegistration {
  const slot = neverSyncedSlot(project) ?? neverSynced();
  return { cursor: slot.seen_cursor, deleted: new Set(slot.seen_deleted) };
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
 * Drops the queued checkout removals and deletions of the uuids `cancel` picks; true when a
 * deletion was among them.
 */
export function dropPendingRemovals(
  state: RegistrySync,
  cancel: (uuid: string) => boolean,
): boolean {
  const { pending } = state;
  if (pending.checkout_removals.some(cancel))
    pending.checkout_removals = pending.checkout_removals.filter((uuid) => !cancel(uuid));
  if (!pending.deletes.some((d) => cancel(d.uuid))) return false;
  pending.deletes = pending.deletes.filter((d) => !cancel(d.uuid));
  return true;
}

/** Removes and returns the queued restore of `uuid` (see core's restoresFromCache), if any. */
export function takeQueuedRestore(state: RegistrySync, uuid: string): PendingRestore | undefined {
  const restores = state.pending.restores;
  const at = restores?.findIndex((r) => r.uuid === uuid) ?? -1;
  if (!restores || at < 0) return undefined;
  const [restore] = restores.splice(at, 1);
  if (restores.length === 0) delete state.pending.restores;
  return restore;
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

/** The registry-wide state, or undefined when there is none (never synced). */
export function registrySync(registry: Registry): RegistrySync | undefined {
  return registry.sync;
}

/**
 * The state for `server`, made (or reset, when it belonged to another server or protocol:
 * revisions and server ids mean nothing elsewhere) in place. Returns what it was reset from,
 * so the caller can say so once.
 */
export function ensureSync(
  registry: Registry,
  server: string,
  protocol: RegistrySync['protocol'],
): { state: RegistrySync; reset: string | null } {
  const current = registry.sync;
  if (current && current.server === server && current.protocol === protocol)
    return { state: current, reset: null };
  const state = freshSync(server, protocol);
  registry.sync = state;
  if (current) {
    // Bases and revisions belong to the old server: every project is "new" to this one.
    for (const p of registry.projects) setProjectSync(p, undefined);
  }
  const was = current?.server === server ? `${server}, ${current.protocol}` : current?.server;
  return { state, reset: was ?? null };
}

/** This machine as it names itself to the server (with its incarnation, when it has one). */
export function machineRef(registry: Registry): MachineRef {
  const { id, name, incarnation, next_incarnation } = registry.machine;
  return {
    id,
    name: name ?? hostname(),
    ...(incarnation !== undefined ? { incarnation } : {}),
    ...(incarnation !== undefined && next_incarnation !== undefined ? { next_incarnation } : {}),
  };
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
