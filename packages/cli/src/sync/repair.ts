/**
 * A repair of a server that lost changes (restored from a backup, replaced, or holding other
 * records than this machine saw): its start (the cache emptied, the cursor at 0, noted in
 * `registry.sync.repairing` until its push is done), what its full pull queues for the push
 * once the cache is the server's whole state, and its abandon when a refused identity makes
 * the sync run again. The pull (pull.ts) and the push (push.ts) drive it.
 */
import {
  type ChangesResponse,
  digestDifference,
  lostRecordSuperseded,
  normaliseRemoteUrl,
  relinkLost,
  relinkRestore,
  remakesFromCache,
  repairCheckoutRemovals,
  repairDeletes,
  repairPendingDeletes,
  restoresFromCache,
  type ServerChange,
  type SharedFields,
  type SyncEvent,
  type SyncRecord,
} from '@dev-infra/core';
import type { SyncSession } from './session.js';
import { projectSync, type RegistrySync, sharedFields } from './state.js';

/**
 * Starts the repair of a server that lost changes or holds other records than this machine
 * saw: says why in one line, keeps the cache's records (its tombstones, to delete again what
 * the server brought back; all of them, to name what the repair changed), and empties the
 * cache and the cursor so the pull rebuilds this machine's view from 0. The new id is stored
 * only once the repair has pushed (see pushSyncV1), so a repair cut short by a replaced
 * server starts again on the next sync.
 */
export function startRepair(session: SyncSession, why: string, serverId: string | undefined): void {
  const { state, cache } = session;
  const before = cache.index().all();
  const note: SyncEvent = {
    kind: 'note',
    text: `${why}: pulling everything again and pushing what it lost.`,
  };
  const undo = { cursor: state.cursor, ...pick(state, 'echo', 'verified', 'repairing') };
  session.repair = { serverId, seen: before.filter((r) => r.deleted), before, undo, note };
  session.events.push(note);
  state.repairing = serverId === undefined ? {} : { server_id: serverId };
  cache.replaceAll([]);
  state.cursor = 0;
  delete state.echo;
  delete state.verified;
}

/** The keys of `state` among `keys` that are set, for putting back as they were. */
function pick<K extends keyof RegistrySync>(
  state: RegistrySync,
  ...keys: K[]
): Partial<Pick<RegistrySync, K>> {
  const out: Partial<Pick<RegistrySync, K>> = {};
  for (const key of keys) if (state[key] !== undefined) out[key] = state[key];
  return out;
}

/**
 * Puts back what startRepair emptied, before its pull got anything: a request refused for the
 * machine's identity (protocol.ts) is retried after the recovery saves, and a save must not
 * store a repair's empty cache and cursor 0 (the next sync would take them for a first one and
 * never push what the server lost). The retry finds the restore again and starts over.
 */
export function abandonRepair(session: SyncSession): void {
  const { repair, state } = session;
  if (!repair) return;
  session.cache.replaceAll(repair.before);
  for (const key of ['echo', 'verified', 'repairing'] as const) delete state[key];
  Object.assign(state, repair.undo);
  session.events.splice(session.events.indexOf(repair.note), 1);
  delete session.repair;
}

/**
 * After the repair's full pull (the cache is the server's whole state): the deletions, restores
 * and checkout removals to push, and the synced projects to link again (see core's
 * repairPendingDeletes, repairDeletes, restoresFromCache, remakesFromCache,
 * repairCheckoutRemovals and relinkLostProjects below). Notes what the repair found changed.
 */
export function queueRepairChanges(
  session: SyncSession,
  repair: NonNullable<SyncSession['repair']>,
): void {
  const { registry, state, cache } = session;
  const ids = new Set(registry.projects.map((p) => p.id));
  const held = (uuid: string) => ids.has(uuid);
  const index = cache.index();
  const get = (uuid: string) => index.get(uuid);
  const byRemote = recordsByRemote(index.all());
  const sameRemote = (f: SharedFields) =>
    byRemote.get(normaliseRemoteUrl(f.remote_url) ?? '') ?? [];
  // Deleted projects the restored server holds live again: delete them again, never adopt.
  state.pending.deletes = repairPendingDeletes(state.pending.deletes, get, sameRemote, held);
  state.pending.deletes.push(...repairDeletes(repair.seen, get, state.pending, sameRemote, held));
  const lastSeen = new Map(repair.before.map((r) => [r.uuid, r]));
  const fromCache = restoresFromCache(index.all(), (u) => lastSeen.get(u), held, state.pending);
  const heldUrls = new Set(registry.projects.map((p) => normaliseRemoteUrl(p.remote_url)));
  const restores = remakesFromCache(
    repair.before,
    get,
    sameRemote,
    held,
    (f) => {
      const url = normaliseRemoteUrl(f.remote_url);
      return url !== null && heldUrls.has(url);
    },
    state.pending,
    fromCache,
  );
  if (restores.length > 0) state.pending.restores = restores;
  else delete state.pending.restores;
  state.pending.checkout_removals.push(
    ...repairCheckoutRemovals(index.all(), registry.machine.id, ids, state.pending),
  );
  relinkLostProjects(session);
  const { before } = repair;
  session.repaired ??= { before, difference: digestDifference(before, index.all()) };
}

/**
 * In a repair (the cache is the server's whole state): synced projects the server lost while
 * another machine made the same project anew under another uuid (same remote URL), live or
 * deleted everywhere since (core's lostRecordSuperseded), go back to never synced (relinkLost),
 * for the link step that follows to join them to it (a tombstone: deleted remotely).
 */
function relinkLostProjects(session: SyncSession): void {
  const { state } = session;
  const index = session.cache.index();
  const byRemote = recordsByRemote(index.all());
  for (const project of session.registry.projects) {
    const sync = projectSync(project);
    if (sync?.remote.kind !== 'sync-v1' || sync.deleted_remotely) continue;
    if (index.get(project.id)) continue;
    const url = normaliseRemoteUrl(project.remote_url);
    const same = (url === null ? undefined : byRemote.get(url)) ?? [];
    if (!lostRecordSuperseded(sync, same)) continue;
    project.sync = relinkLost(sync, sharedFields(project));
    // What our base holds later than the record made anew comes with the link (linkedSide).
    const live = same.find((r) => !r.deleted);
    const restore = live && relinkRestore(sync, live);
    if (restore) {
      const others = (state.pending.restores ?? []).filter((r) => r.uuid !== restore.uuid);
      state.pending.restores = [...others, restore];
    }
  }
}

/** Records by normalised remote URL (those without one left out). */
function recordsByRemote(records: Iterable<SyncRecord>): Map<string, SyncRecord[]> {
  const out = new Map<string, SyncRecord[]>();
  for (const r of records) {
    const url = normaliseRemoteUrl(r.fields.remote_url);
    if (url === null) continue;
    const same = out.get(url);
    if (same) same.push(r);
    else out.set(url, [r]);
  }
  return out;
}

/** The one line that says how the server changed (from a feed page or a push's answer). */
export function rollbackWhy(
  change: Exclude<ServerChange, 'same'>,
  page: Pick<ChangesResponse, 'head'>,
): string {
  return change === 'replaced'
    ? 'The server was replaced (its database has another id)'
    : `The server was restored from a backup (its head ${page.head} is below revisions this machine saw)`;
}
