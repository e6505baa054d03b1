/**
 * Applying what the server holds for a project to this machine's entry: a tombstone marks it
 * "deleted remotely", a newer revision is fast-forwarded or merged three ways against the
 * base. Used by pull and by push (on a compare-and-swap conflict). Never touches files.
 */
import {
  mergeFields,
  normaliseRemoteUrl,
  type Prefer,
  type SharedFields,
  type SyncRecord,
  sameSharedFields,
} from '@dev-infra/core';
import type { LocalProject, Registry } from '../registry/format.js';
import type { RecordIndex } from './cache.js';
import type { SyncReport } from './report.js';
import {
  assignShared,
  cancelRemovalsOfHeld,
  localEdits,
  projectSync,
  pruneDeletedHere,
  registrySync,
  seenAtRegistration,
  setProjectSync,
  sharedFields,
} from './state.js';

/** The records linking reads: the cache, or the cache with newer records over it. */
export type RecordLookup = Pick<RecordIndex, 'get' | 'all'>;

/** The server's side of a project, in either protocol. */
export interface RemoteSide {
  rev: number;
  deleted: boolean;
  fields: SharedFields;
  /** Whether this machine's checkout on the server is at `path` (sync-v1 only). */
  checkoutPath?: string | null;
  remote_id?: number;
}

/** The remote side of a sync-v1 record, seen from machine `machineId`. */
export function sideOf(record: SyncRecord, machineId: string): RemoteSide {
  const mine = record.checkouts.find((c) => c.machine_id === machineId);
  return {
    rev: record.rev,
    deleted: record.deleted,
    fields: record.fields,
    checkoutPath: mine ? mine.path : null,
  };
}

/**
 * Brings `project` up to date with `remote`. Returns true when anything changed here.
 * Conflicts and remote deletions are added to `report`.
 */
export function applyRemote(
  project: LocalProject,
  remote: RemoteSide,
  prefer: Prefer,
  report: SyncReport,
  now: string,
): boolean {
  const sync = projectSync(project);
  if (sync?.deleted_remotely) return false;
  if (remote.deleted) {
    const base = sync ?? {
      rev: remote.rev,
      base: remote.fields,
      pushed_path: null,
    };
    setProjectSync(project, { ...base, deleted_remotely: { at: now } });
    report.deleted_remotely.push(project.name);
    return true;
  }
  if (sync && sync.rev === remote.rev && remote.rev !== 0) return false;
  const local = sharedFields(project);
  const base = sync?.base ?? null;
  let merged: SharedFields;
  if (base !== null && sameSharedFields(local, base)) {
    merged = remote.fields;
  } else {
    const result = mergeFields(base, local, remote.fields, prefer);
    merged = result.merged;
    for (const c of result.conflicts) report.conflicts.push({ project: project.name, ...c });
  }
  const pushedPath =
    sync?.pushed_path ?? (remote.checkoutPath === project.path ? project.path : null);
  const next = { rev: remote.rev, base: remote.fields, pushed_path: pushedPath };
  const remoteId = remote.remote_id ?? sync?.remote_id;
  setProjectSync(project, remoteId === undefined ? next : { ...next, remote_id: remoteId });
  if (sameSharedFields(local, merged)) return true;
  assignShared(project, merged);
  return true;
}

/**
 * Before a never-synced project is first merged with its record: a field the user did not
 * edit here (a value `add` chose) takes the server's value when both are set and differ,
 * reported as a conflict resolved for the remote. Edited fields merge as usual.
 */
function adoptUnedited(project: LocalProject, remote: SharedFields, report: SyncReport): void {
  const edited = localEdits(project);
  const local = sharedFields(project);
  const adopted = { ...local, tags: [...local.tags] };
  for (const c of mergeFields(null, local, remote, 'remote').conflicts) {
    if (edited.has(c.field)) continue;
    report.conflicts.push({ project: project.name, ...c });
    (adopted as Record<string, unknown>)[c.field] = c.remote;
  }
  assignShared(project, adopted);
}

/**
 * The record a never-synced project with remote URL `url` stands for, when none has its
 * uuid: a live record with that URL that no local project holds and that has no checkout on
 * this machine (but for one a plain `remove` here is taking away: the repo is back); else the newest tombstone with that URL that this machine had not seen when
 * the project was registered here (the user could not have known it was deleted, so it is
 * that project, deleted: never a new one). A tombstone already seen then means the user
 * registered the repo again knowing: a new project. Revisions, not clocks, give the order.
 */
function recordForUrl(
  project: LocalProject,
  url: string,
  index: RecordLookup,
  machineId: string,
  unavailable: ReadonlySet<string>,
  leaving: ReadonlySet<string>,
): SyncRecord | undefined {
  const candidates = index
    .all()
    .filter((r) => !unavailable.has(r.uuid) && normaliseRemoteUrl(r.fields.remote_url) === url);
  const live = candidates.find(
    (r) =>
      !r.deleted && (leaving.has(r.uuid) || !r.checkouts.some((c) => c.machine_id === machineId)),
  );
  if (live) return live;
  const seen = seenAtRegistration(project);
  let newest: SyncRecord | undefined;
  for (const r of candidates) {
    // A tombstone's rev is the revision of its deletion; the feed cursor counts the same
    // revisions, so rev <= cursor means the machine had pulled the deletion.
    if (!r.deleted || r.rev <= seen.cursor || seen.deleted.has(r.uuid)) continue;
    if (!newest || r.rev > newest.rev) newest = r;
  }
  return newest;
}

/**
 * Links never-synced local projects to server records: by uuid (a `.dev-infra.yml` id or a
 * clone), else by normalised remote URL (see recordForUrl). Linked to a live record, the
 * local entry adopts the server's uuid and the server's value of every field the user did
 * not edit here (see adoptUnedited); linked to a tombstone, it shows as deleted remotely and
 * is never pushed. Records this machine is deleting are never linked.
 */
export function linkNewProjects(
  registry: Registry,
  index: RecordLookup,
  machineId: string,
  prefer: Prefer,
  report: SyncReport,
  now: string,
): void {
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
      record = recordForUrl(project, url, index, machineId, unavailable, leaving);
      if (!record) continue;
      unavailable.add(record.uuid);
      project.id = record.uuid;
    }
    // The same uuid (or a deletion the user could not have known of): the tombstone stands.
    if (record.deleted) {
      applyRemote(project, sideOf(record, machineId), prefer, report, now);
      continue;
    }
    report.linked.push(project.name);
    adoptUnedited(project, record.fields, report);
    applyRemote(project, sideOf(record, machineId), prefer, report, now);
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
  prefer: Prefer,
  report: SyncReport,
  now: string,
): void {
  if (hasUnlinked(registry)) {
    linkNewProjects(registry, records(), registry.machine.id, prefer, report, now);
    return;
  }
  const state = registrySync(registry);
  if (state) cancelRemovalsOfHeld(registry, state);
}

const deletionRev = (record: SyncRecord | undefined) => (record?.deleted ? record.rev : undefined);
