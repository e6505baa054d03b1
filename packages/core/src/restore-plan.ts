/**
 * What a server that went back (restored from a backup, or a record lost) is owed, pure: the
 * deletions to make again, the parts to restore or records to make again from the cache, the
 * projects to link again to a record made anew, the checkouts to remove again, and what a
 * project removed here still owes. The repair (cli/src/sync/repair.ts) and each feed page
 * (cli/src/sync/pull.ts) queue them; planPush (sync-plan.ts) sends them.
 */
import { fieldEquals, SHARED_FIELD_NAMES } from './project.js';
import type { SharedFields } from './schema/fields.js';
import type { SyncRecord } from './schema/sync.js';
import { effectiveRemote, liveStamp } from './stamps.js';
import type {
  NeverSynced,
  PendingDelete,
  PendingRestore,
  ProjectSync,
  RegistrySync,
  Synced,
} from './sync-state.js';

/**
 * What a synced project still owes the server when this machine stops holding it (a plain
 * `remove`): a slot marked `behind` holds parts the server lost (a restore), and nowhere else
 * may still have them. A live one becomes a queued restore of its base with its stamps (as
 * restoresFromCache queues one), a deleted one the deletion again; nothing for the rest.
 */
export function owedOnRemoval(
  uuid: string,
  name: string,
  sync: Synced,
): { restore: PendingRestore } | { delete: PendingDelete } | undefined {
  if (!sync.behind || sync.remote.kind !== 'sync-v1' || !sync.stamps) return undefined;
  const gone = sync.deleted_remotely;
  if (gone) {
    if (gone.restore) return undefined;
    return { delete: { uuid, base_rev: gone.rev ?? sync.rev, name, fields: sync.base } };
  }
  return { restore: { uuid, base_rev: sync.rev, fields: sync.base, stamps: sync.stamps } };
}

/**
 * After a repair's full pull: the restore to link a lost project's record over `record`, the
 * live record of its remote made anew meanwhile (see relinkLost): the parts our base holds
 * stamped later than that record's, which the project's first push after linking restores.
 * Undefined when the record holds everything of ours it should, or without stamps.
 */
export function relinkRestore(sync: Synced, record: SyncRecord): PendingRestore | undefined {
  const eff = effectiveRemote(sync.base, sync.stamps, record.fields, record.stamps);
  if (!eff.behind || !eff.stamps) return undefined;
  return { uuid: record.uuid, base_rev: record.rev, fields: eff.fields, stamps: eff.stamps };
}

/**
 * The first record of a page that is older than what this machine synced of it (its `rev`
 * below the slot's): revisions only grow, so the server went back (restored from a backup)
 * even if its head and digest no longer show it (other machines have pushed since). The pull
 * then repairs, as for a rollback.
 */
export function recordBehind(
  records: readonly SyncRecord[],
  slotOf: (uuid: string) => ProjectSync | undefined,
): { record: SyncRecord; rev: number } | undefined {
  for (const record of records) {
    const sync = slotOf(record.uuid);
    if (sync?.kind !== 'synced' || sync.remote.kind !== 'sync-v1' || sync.deleted_remotely)
      continue;
    if (record.rev < sync.rev) return { record, rev: sync.rev };
  }
  return undefined;
}

/**
 * The checkout removals to send again, for records (a repair's full pull, or a page of the
 * feed) that hold a checkout of this machine (`machineId`) no local project stands for. A
 * restore brought back checkouts this machine had removed; left there, they would also keep a
 * project registered here again from linking to its record (see recordForUrl).
 */
export function repairCheckoutRemovals(
  records: readonly SyncRecord[],
  machineId: string,
  held: ReadonlySet<string>,
  pending: RegistrySync['pending'],
): string[] {
  const queued = new Set(pending.checkout_removals);
  return records
    .filter((r) => !held.has(r.uuid) && !queued.has(r.uuid))
    .filter((r) => r.checkouts.some((c) => c.machine_id === machineId))
    .map((r) => r.uuid);
}

/**
 * After a repair's full pull: the slot for a synced project the server no longer has at all
 * while it holds another live record of the same remote (made anew on another machine while
 * the server lacked ours): never synced again, the fields changed since the base noted as
 * edited and the base kept (the link merges against it: three-way, tags tag by tag), so the
 * link step joins it to that record (the unedited fields take the record's values) instead of
 * the repair pushing a second record of the same project.
 */
export function relinkLost(sync: Synced, fields: SharedFields): NeverSynced {
  const edited = SHARED_FIELD_NAMES.filter((f) => !fieldEquals(f, fields[f], sync.base[f]));
  return { kind: 'never-synced', edited, seen_cursor: 0, seen_deleted: [], base: sync.base };
}

/**
 * After a repair's full pull: whether a synced project whose record the server no longer has
 * at all is to be linked again (see relinkLost) rather than pushed back as its own record, given
 * the server's records of the same remote (`sameRemote`): another live record of it (made anew
 * elsewhere while the server lacked ours), or a tombstone of one deleted after our record was
 * made (stamps): the project was deleted everywhere while the server had lost ours, and would
 * have been ours had the server kept it. A tombstone from before ours leaves it a project of
 * its own (registered again after that deletion).
 */
export function lostRecordSuperseded(sync: Synced, sameRemote: readonly SyncRecord[]): boolean {
  const ours = liveStamp(sync.stamps);
  return sameRemote.some(
    (r) =>
      !r.deleted ||
      (sync.stamps !== undefined && r.stamps !== undefined && liveStamp(r.stamps) > ours),
  );
}

/**
 * After a repair's full pull (`server` is the server's whole state): the queued deletions,
 * each on the server's current revision, but those already done and those whose record the
 * server no longer has: a deletion carrying the record's fields goes on revision 0 (the server
 * keeps a tombstone made of them), one without is dropped (nothing is left to delete; the
 * server would refuse it). A lost record's deletion also deletes the live records of the same
 * remote that this machine does not hold (`sameRemote`, `held`): made anew on another machine
 * while the server lacked ours, they are the project this machine deleted everywhere (had the
 * server kept ours, they would have linked to it and gone with it).
 */
export function repairPendingDeletes(
  deletes: readonly PendingDelete[],
  server: (uuid: string) => SyncRecord | undefined,
  sameRemote: (fields: SharedFields) => readonly SyncRecord[] = () => [],
  held: (uuid: string) => boolean = () => false,
): PendingDelete[] {
  const out: PendingDelete[] = [];
  const queued = new Set(deletes.map((d) => d.uuid));
  for (const d of deletes) {
    const now = server(d.uuid);
    if (now?.deleted) continue;
    if (now) out.push({ ...d, base_rev: now.rev });
    else if (d.fields) {
      out.push({ ...d, base_rev: 0 });
      out.push(...deleteTwins(sameRemote(d.fields), held, queued));
    }
  }
  return out;
}

/**
 * The deletions of `same` (the records of a deleted record's remote) that are live, not held
 * here (`held`) nor queued (`queued`, which takes them), and, given `before` (the deletion's
 * stamp), made before it: made on a copy of the server that lacked the deleted record, they
 * are the deleted project.
 */
function deleteTwins(
  same: readonly SyncRecord[],
  held: (uuid: string) => boolean,
  queued: Set<string>,
  before?: number,
): PendingDelete[] {
  const out: PendingDelete[] = [];
  for (const other of same) {
    if (other.deleted || held(other.uuid) || queued.has(other.uuid)) continue;
    if (before !== undefined && (!other.stamps || liveStamp(other.stamps) >= before)) continue;
    queued.add(other.uuid);
    out.push(deleteAgain(other, other.rev));
  }
  return out;
}

/**
 * Records this machine does not hold (`held`) whose parts the server lost: the remote cache
 * (`cached`, before these records came in, or before a repair emptied it) had them stamped
 * later than the records now say (core's effectiveRemote). Each is queued (replacing an
 * older entry of the same uuid) to be pushed back on the record's revision, with the stamps it
 * had, so that an edit a restore took away comes back even when no machine still holding the
 * project saw it. A record gone from the server altogether is for a repair to make again, or
 * to put onto the record made anew since (remakesFromCache).
 */
export function restoresFromCache(
  records: readonly SyncRecord[],
  cached: (uuid: string) => SyncRecord | undefined,
  held: (uuid: string) => boolean,
  pending: RegistrySync['pending'],
): PendingRestore[] {
  const deleting = new Set(pending.deletes.map((d) => d.uuid));
  const out = new Map((pending.restores ?? []).map((r) => [r.uuid, r]));
  for (const record of records) {
    const old = cached(record.uuid);
    if (!old?.stamps || old.deleted || record.deleted || !record.stamps) continue;
    if (held(record.uuid) || deleting.has(record.uuid)) continue;
    const eff = effectiveRemote(old.fields, old.stamps, record.fields, record.stamps);
    if (!eff.behind || !eff.stamps) continue;
    out.set(record.uuid, {
      uuid: record.uuid,
      base_rev: record.rev,
      fields: eff.fields,
      stamps: eff.stamps,
    });
  }
  return [...out.values()];
}

/**
 * After a repair's full pull (`server`, the server's whole state): live records the cache held
 * before the repair (`before`) that the server lost altogether, for projects this machine does
 * not hold (`held`; a holder pushes its own copy back), so that an edit that only this cache
 * still has outlives the restore. Each is queued as a restore: on revision 0, making the record
 * again with its stamps, unless the server holds another record of the same remote
 * (`sameRemote`): a live one was made anew meanwhile and gets the parts the cache holds later
 * (a second record would be a duplicate), and a tombstone deleted after the cache's record was
 * made stands (the project was deleted everywhere). A project registered here again under
 * the same remote (`heldRemote`) links by its own rules and is left to them. Appended to the
 * restores already queued (`queued`: a later entry for a uuid is applied onto the earlier).
 */
export function remakesFromCache(
  before: readonly SyncRecord[],
  server: (uuid: string) => SyncRecord | undefined,
  sameRemote: (fields: SharedFields) => readonly SyncRecord[],
  held: (uuid: string) => boolean,
  heldRemote: (fields: SharedFields) => boolean,
  pending: RegistrySync['pending'],
  queued: readonly PendingRestore[],
): PendingRestore[] {
  const deleting = new Set(pending.deletes.map((d) => d.uuid));
  const out = new Map(queued.map((r) => [r.uuid, r]));
  for (const old of before) {
    if (old.deleted || !old.stamps || server(old.uuid)) continue;
    if (held(old.uuid) || deleting.has(old.uuid) || heldRemote(old.fields)) continue;
    const same = sameRemote(old.fields).filter((r) => r.uuid !== old.uuid);
    const live = same.find((r) => !r.deleted);
    const ours = liveStamp(old.stamps);
    if (!live && same.some((r) => r.stamps !== undefined && liveStamp(r.stamps) > ours)) continue;
    if (!live) {
      out.set(old.uuid, { uuid: old.uuid, base_rev: 0, fields: old.fields, stamps: old.stamps });
      continue;
    }
    if (!live.stamps) continue;
    // Onto what is already queued for that record, if anything: both are put back.
    const onto = out.get(live.uuid) ?? {
      uuid: live.uuid,
      base_rev: live.rev,
      fields: live.fields,
      stamps: live.stamps,
    };
    const eff = effectiveRemote(old.fields, old.stamps, onto.fields, onto.stamps);
    if (!eff.behind || !eff.stamps) continue;
    out.set(live.uuid, { ...onto, fields: eff.fields, stamps: eff.stamps });
  }
  return [...out.values()];
}

/**
 * Whether a live record is the life a tombstone ended, not a later one: the server lost the
 * deletion (restored from a backup). By stamps when both have them (the record's `live` not
 * after the tombstone's: no restore revived it since); without, a record the server holds
 * live where the tombstone was is taken as lost when `assume` says so.
 */
function outlivedTombstone(record: SyncRecord, tomb: SyncRecord, assume: boolean): boolean {
  if (record.stamps && tomb.stamps) return liveStamp(record.stamps) <= liveStamp(tomb.stamps);
  return assume;
}

/** A deletion to send again for `tomb`, on `rev`, with its fields for a tombstone. */
const deleteAgain = (tomb: SyncRecord, rev: number): PendingDelete => ({
  uuid: tomb.uuid,
  base_rev: rev,
  name: tomb.fields.name,
  fields: tomb.fields,
});

/**
 * The deletions a page of the feed shows the server lost: a live record of a uuid whose
 * tombstone this machine holds (`cached`, the remote cache before the page) and that no
 * restore revived since (stamps), for a project this machine does not hold (`held`: a held
 * one is told by its own slot, see applyRecord). Each goes on the record's revision.
 */
export function revivedTombstones(
  records: readonly SyncRecord[],
  cached: (uuid: string) => SyncRecord | undefined,
  held: (uuid: string) => boolean,
  pending: RegistrySync['pending'],
): PendingDelete[] {
  const queued = new Set(pending.deletes.map((d) => d.uuid));
  const out: PendingDelete[] = [];
  for (const record of records) {
    const tomb = cached(record.uuid);
    if (record.deleted || !tomb?.deleted || queued.has(record.uuid) || held(record.uuid)) continue;
    if (!outlivedTombstone(record, tomb, false)) continue;
    queued.add(record.uuid);
    out.push(deleteAgain(tomb, record.rev));
  }
  return out;
}

/**
 * The deletions to send again after the server went back: every tombstone this machine had
 * seen (`seen`, from the cache before the repair) whose record the server now holds live from
 * before the deletion (see outlivedTombstone; without stamps, any live record), at its current
 * revision, so a deleted project is never resurrected. A record the server no longer has gets
 * its tombstone back (revision 0, with its fields) when the server has stamps, so that a
 * machine still holding the project cannot push it as new; an older server would refuse it.
 * One already pending is not queued twice.
 */
export function repairDeletes(
  seen: readonly SyncRecord[],
  server: (uuid: string) => SyncRecord | undefined,
  pending: RegistrySync['pending'],
  sameRemote: (fields: SharedFields) => readonly SyncRecord[] = () => [],
  held: (uuid: string) => boolean = () => false,
): PendingDelete[] {
  const queued = new Set(pending.deletes.map((d) => d.uuid));
  const out: PendingDelete[] = [];
  for (const tomb of seen) {
    if (!tomb.deleted || queued.has(tomb.uuid)) continue;
    const now = server(tomb.uuid);
    if (now?.deleted) continue;
    if (now ? !outlivedTombstone(now, tomb, true) : !tomb.stamps) continue;
    queued.add(tomb.uuid);
    out.push(deleteAgain(tomb, now?.rev ?? 0));
    if (now) continue;
    // The server lost the record altogether: a live record of its remote made before the
    // deletion (by the stamps), on a copy of the server that lacked ours, is the project that
    // was deleted (as in repairPendingDeletes); one made after it was registered again.
    out.push(...deleteTwins(sameRemote(tomb.fields), held, queued, liveStamp(tomb.stamps)));
  }
  return out;
}
