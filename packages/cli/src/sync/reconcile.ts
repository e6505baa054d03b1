/**
 * Applying what the server holds for a project to this machine's entry (the plan itself is
 * core's `applyRecord`), and linking never-synced projects to server records. Used by pull
 * and by push (on a compare-and-swap conflict). Never touches files.
 */
import {
  type Applied,
  adoptUnedited,
  applyRecord,
  type LocalEntry,
  linkedSide,
  normaliseRemoteUrl,
  type Prefer,
  type RemoteSide,
  recordForUrl,
  type SyncEvent,
  type SyncRecord,
} from '@dev-infra/core';
import type { RecordIndex } from '../cache/records.js';
import type { LocalProject, Registry } from '../registry/format.js';
import {
  assignShared,
  cancelRemovalsOfHeld,
  localEdits,
  projectSync,
  pruneDeletedHere,
  registrySync,
  seenAtRegistration,
  sharedFields,
  takeQueuedRestore,
} from './state.js';

export { type RemoteSide, sideOf } from '@dev-infra/core';

/** The records linking reads: the cache, or the cache with newer records over it. */
export type RecordLookup = Pick<RecordIndex, 'get' | 'all'>;

/** What applying needs: the side that wins a conflict, the time, and where events go. */
export interface ApplyOptions {
  prefer: Prefer;
  now: string;
  events: SyncEvent[];
}

/** What linking needs besides: the records to link against and this machine's id. */
export interface LinkOptions extends ApplyOptions {
  index: RecordLookup;
  machineId: string;
  /** In a repair: the cache before it (see core's LinkCandidates.before). */
  before?: (uuid: string) => SyncRecord | undefined;
}

/**
 * Brings `project` up to date with `remote` (see core's applyRecord). Returns true when
 * anything changed here; conflicts and remote deletions go to `options.events`.
 */
export function applyRemote(
  project: LocalProject,
  remote: RemoteSide,
  options: ApplyOptions,
): boolean {
  const applied = applyRecord(localEntry(project), project.id, remote, options);
  if (!applied) return false;
  options.events.push(...applied.events);
  writeApplied(project, applied);
  return applied.changed;
}

/** A local project as the plan sees it. */
export function localEntry(project: LocalProject): LocalEntry {
  return {
    name: project.name,
    path: project.path,
    fields: sharedFields(project),
    sync: project.sync,
    ...(project.git === undefined ? {} : { git: project.git }),
  };
}

/** Writes a planned outcome onto the local project. */
export function writeApplied(project: LocalProject, applied: Applied): void {
  project.sync = applied.sync;
  if (applied.fields) assignShared(project, applied.fields);
}

/**
 * Links never-synced local projects to server records: by uuid (a `.dev-infra.yml` id or a
 * clone), else by normalised remote URL (see core's recordForUrl). Linked to a live record, the
 * local entry adopts the server's uuid and the server's value of every field the user did
 * not edit here (see core's adoptUnedited); linked to a tombstone, it shows as deleted
 * remotely and is never pushed. Records this machine is deleting are never linked.
 */
export function linkNewProjects(registry: Registry, options: LinkOptions): void {
  const { index, machineId, events, before } = options;
  const state = registrySync(registry);
  if (state) pruneDeletedHere(state, (uuid) => deletionRev(index.get(uuid)));
  const unavailable = new Set([
    ...registry.projects.map((p) => p.id),
    ...(state?.pending.deletes.map((d) => d.uuid) ?? []),
  ]);
  const leaving = new Set(state?.pending.checkout_removals ?? []);
  for (const project of registry.projects) {
    if (projectSync(project)) continue;
    let record = index.get(project.id);
    if (!record) {
      const url = normaliseRemoteUrl(project.remote_url);
      if (url === null) continue;
      const seen = seenAtRegistration(project);
      record = recordForUrl(index.all(), {
        url,
        machineId,
        unavailable,
        leaving,
        seenCursor: seen.cursor,
        seenDeleted: seen.deleted,
        ...(before ? { before } : {}),
      });
      if (!record) continue;
      unavailable.add(record.uuid);
      project.id = record.uuid;
    }
    // Parts of the record the server lost and the cache held later come with it (the queued
    // restore goes with the project's first push).
    const restore = state && takeQueuedRestore(state, record.uuid);
    const side = linkedSide(record, machineId, restore);
    // The same uuid (or a deletion the user could not have known of): the tombstone stands.
    if (!record.deleted) {
      const adopted = adoptUnedited(
        project.name,
        sharedFields(project),
        localEdits(project),
        side.fields,
      );
      const renamed = adopted.fields.name !== project.name;
      events.push({
        kind: 'linked',
        project: project.name,
        ...(renamed ? { renamed_to: adopted.fields.name } : {}),
      });
      events.push(...adopted.events);
      assignShared(project, adopted.fields);
    }
    applyRemote(project, side, options);
  }
  if (state) cancelRemovalsOfHeld(registry, state);
}

/** True when a project here has never synced (so the link step has something to match). */
export function hasUnlinked(registry: Registry): boolean {
  return registry.projects.some((p) => projectSync(p) === undefined);
}

/**
 * The link step as sync commands run it: `linkNewProjects` when a project here has never
 * synced, reading the records (`records()`, O(account)) only then; otherwise only the pending
 * removals of projects registered here again are cancelled.
 */
export function linkIfNeeded(
  registry: Registry,
  records: () => RecordLookup,
  options: ApplyOptions & Pick<LinkOptions, 'before'>,
): void {
  if (hasUnlinked(registry)) {
    linkNewProjects(registry, { ...options, index: records(), machineId: registry.machine.id });
    return;
  }
  const state = registrySync(registry);
  if (state) cancelRemovalsOfHeld(registry, state);
}

const deletionRev = (record: SyncRecord | undefined) => (record?.deleted ? record.rev : undefined);
