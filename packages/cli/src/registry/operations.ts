/**
 * What registering, editing, cloning and removing a project does to the registry, sync
 * bookkeeping included, so that commands never touch sync state themselves. Each operation
 * changes the registry in memory; the caller holds the lock and writes it.
 */
import {
  changedFields,
  type EditableFieldName,
  effectiveRemote,
  owedOnRemoval,
  type PendingDelete,
  type RegistrySync,
  recordIdentity,
  type SharedFields,
  type SyncRecord,
} from '@dev-infra/core';
import {
  dropPendingRemovals,
  neverSyncedSlot,
  projectSync,
  registrySync,
  setProjectSync,
  sharedFields,
  takeQueuedRestore,
} from '../sync/state.js';
import type { LocalProject, Registry } from './format.js';

/**
 * Adds a new project (`add`, `init`, `scan`), noting in its sync slot what this machine knew
 * of the server then (for telling a deletion it could not have known of from one it had
 * seen, see docs/sync-internals.md) and cancelling what a `remove` queued for its id.
 */
export function registerProject(registry: Registry, project: LocalProject): void {
  registry.projects.push(project);
  cancelRemovalsOf(registry, project.id);
  const state = registrySync(registry);
  const slot = neverSyncedSlot(project);
  if (!state || !slot) return;
  project.sync = {
    ...slot,
    seen_cursor: state.cursor,
    seen_deleted: state.deleted_here?.length ? [...state.deleted_here] : slot.seen_deleted,
  };
}

/**
 * Adds a project cloned from a server record: it holds the record's uuid and is synced at
 * its revision (a basic-mode record, named by the server's integer id, gets a new uuid).
 */
export function registerClone(
  registry: Registry,
  record: SyncRecord,
  path: string,
  newUuid: () => string,
): LocalProject {
  const identity = recordIdentity(record.uuid);
  // Parts the server lost that a queued restore holds (from the cache, or from this machine's
  // own slot when it stopped holding the project) come with the clone, marked behind: its
  // first push restores them.
  const state = registrySync(registry);
  const restore =
    identity.kind === 'basic' || !state ? undefined : takeQueuedRestore(state, record.uuid);
  const side = restore
    ? effectiveRemote(restore.fields, restore.stamps, record.fields, record.stamps)
    : { fields: record.fields, stamps: record.stamps, behind: false };
  const project: LocalProject = {
    id: identity.kind === 'basic' ? newUuid() : record.uuid,
    path,
    ...side.fields,
    tags: [...side.fields.tags],
  };
  if (identity.kind === 'basic')
    setProjectSync(project, { rev: 0, base: record.fields, pushed_path: null, remote: identity });
  else
    setProjectSync(project, {
      rev: record.rev,
      base: side.fields,
      pushed_path: null,
      ...(side.stamps ? { stamps: side.stamps } : {}),
      ...(side.behind ? { behind: true as const } : {}),
    });
  registry.projects.push(project);
  cancelRemovalsOf(registry, project.id);
  return project;
}

/**
 * Notes the fields `update` changed, or set explicitly (even to the value they had), as the
 * user's edits, when the project has never synced: linking it to a server record later keeps
 * those and takes the server's value for the rest (values `add` chose).
 */
export function recordEdits(
  project: LocalProject,
  before: SharedFields,
  setExplicitly: readonly EditableFieldName[],
): void {
  const slot = neverSyncedSlot(project);
  const fields = [...setExplicitly, ...changedFields(before, sharedFields(project))];
  if (!slot || fields.length === 0) return;
  project.sync = { ...slot, edited: [...new Set([...slot.edited, ...fields])].sort() };
}

/** What `remove` will do on the server at the next sync. */
export type RemovalEffect = 'tombstone' | 'checkout' | 'local';

/**
 * Removes `project` from the registry: `everywhere` queues a tombstone for a synced project;
 * otherwise only this machine's checkout is dropped on the next push.
 */
export function removeProject(
  registry: Registry,
  project: LocalProject,
  everywhere: boolean,
): RemovalEffect {
  const effect = queueRemoval(registry, project, everywhere);
  registry.projects = registry.projects.filter((p) => p !== project);
  return effect;
}

function queueRemoval(
  registry: Registry,
  project: LocalProject,
  everywhere: boolean,
): RemovalEffect {
  const sync = projectSync(project);
  const state = registrySync(registry);
  if (!sync || !state) return 'local';
  if (everywhere && !sync.deleted_remotely) {
    const entry: PendingDelete = { uuid: project.id, base_rev: sync.rev, name: project.name };
    if (sync.remote.kind === 'basic') entry.remote_id = sync.remote.id;
    // The fields last synced: a server that lost the record keeps a tombstone of them.
    else entry.fields = sync.base;
    state.pending.deletes.push(entry);
    noteDeletedHere(registry, project.id);
    // This machine no longer holds it either: without this, its checkout would stay on the
    // tombstone and come back with the project if another machine restores it.
    queueCheckoutRemoval(state, sync.pushed_path, project.id);
    return 'tombstone';
  }
  // Parts the server lost that only this slot may still hold go on without the project.
  const owed = owedOnRemoval(project.id, project.name, sync);
  if (owed && 'restore' in owed) {
    const others = (state.pending.restores ?? []).filter((r) => r.uuid !== project.id);
    state.pending.restores = [...others, owed.restore];
  } else if (owed && !state.pending.deletes.some((d) => d.uuid === project.id))
    state.pending.deletes.push(owed.delete);
  return queueCheckoutRemoval(state, sync.pushed_path, project.id) ? 'checkout' : 'local';
}

/** Queues the removal of this machine's checkout on the server, if it ever pushed one. */
function queueCheckoutRemoval(
  state: RegistrySync,
  pushedPath: string | null,
  uuid: string,
): boolean {
  if (pushedPath === null || state.pending.checkout_removals.includes(uuid)) return false;
  state.pending.checkout_removals.push(uuid);
  return true;
}

/**
 * `remove NAME --everywhere` for a project this machine does not hold: queues the tombstone
 * from what the last pull said about it. Returns the queued deletion, or undefined when the
 * last pull knows no live project of that name.
 */
export function removeRemoteOnly(
  registry: Registry,
  records: readonly SyncRecord[],
  name: string,
): PendingDelete | undefined {
  const state = registrySync(registry);
  const record = records.find((r) => !r.deleted && r.fields.name === name);
  if (!state || !record) return undefined;
  if (state.pending.deletes.some((d) => d.uuid === record.uuid)) return undefined;
  const identity = recordIdentity(record.uuid);
  const entry: PendingDelete =
    identity.kind === 'basic'
      ? { uuid: record.uuid, base_rev: 0, remote_id: identity.id, name }
      : { uuid: record.uuid, base_rev: record.rev, name, fields: record.fields };
  state.pending.deletes.push(entry);
  noteDeletedHere(registry, record.uuid);
  return entry;
}

/** Remembers that this machine asked for `uuid` to be deleted everywhere. */
function noteDeletedHere(registry: Registry, uuid: string): void {
  const state = registrySync(registry);
  if (state) state.deleted_here = [...new Set([...(state.deleted_here ?? []), uuid])];
}

/**
 * Cancels at once what a `remove` queued for `uuid`, when a project with that uuid is
 * registered here again (cloned, or re-added with its `.dev-infra.yml` id) before the removal
 * was pushed: the later command wins. Waiting for the next sync to notice (as
 * `cancelRemovalsOfHeld` does for projects linked back by URL) is not enough: a plain `remove`
 * of the clone before that sync would bring the queued deletion everywhere back (seed
 * 881327534 of the convergence test). A deletion never pushed is also no longer one made here.
 */
function cancelRemovalsOf(registry: Registry, uuid: string): void {
  const state = registrySync(registry);
  if (!state) return;
  const cancelled = dropPendingRemovals(state, (u) => u === uuid);
  if (cancelled && state.deleted_here?.includes(uuid)) {
    state.deleted_here = state.deleted_here.filter((u) => u !== uuid);
    if (state.deleted_here.length === 0) delete state.deleted_here;
  }
}

/**
 * Records that a project's folder is now at `path` (an absolute, real path no other project
 * holds). The id and fields stay; the next push sends the new path as this machine's checkout,
 * since it differs from the one pushed.
 */
export function moveProject(project: LocalProject, path: string): void {
  project.path = path;
}
