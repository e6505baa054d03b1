/**
 * The sync plan for one project (design section 4), pure: what this machine's entry becomes
 * when the server's side of it arrives, and the events to report. The CLI does the I/O (the
 * feed, the push, the registry file) and applies the outcome.
 */
import { type FieldConflict, mergeFields, type Prefer, sameSharedFields } from './merge.js';
import { fieldEquals, normaliseTags, SHARED_FIELD_NAMES, type SharedFieldName } from './project.js';
import type { SharedFields } from './schema/fields.js';
import type { GitState } from './schema/git.js';
import type { PushStamps, RecordStamps } from './schema/stamps.js';
import type {
  CheckoutChange,
  MachineRef,
  PushChange,
  PushRequest,
  SyncRecord,
} from './schema/sync.js';
import {
  absorbedEdits,
  effectiveRemote,
  joinFresh,
  liveStamp,
  pushStamps,
  STAMPED_FIELDS,
  sameStamps,
  withFresh,
} from './stamps.js';
import type {
  NeverSynced,
  PendingRestore,
  ProjectSync,
  RegistrySync,
  RemoteIdentity,
  Synced,
} from './sync-state.js';
import { neverSynced } from './sync-state.js';

/** Something a sync did or found, for the summary line and `--json`. */
export type SyncEvent =
  | { kind: 'pulled'; project: string }
  | { kind: 'pushed'; project: string }
  | ({ kind: 'conflict'; project: string } & FieldConflict)
  | { kind: 'deleted-remotely'; project: string }
  /**
   * A never-synced project linked to a server record; `renamed_to` when linking gave it the
   * record's name (the name others know it by), which is the link's rule, not a conflict.
   */
  | { kind: 'linked'; project: string; renamed_to?: string }
  | { kind: 'rejected'; project: string; error: string }
  | { kind: 'note'; text: string };

/** This machine's entry for a project, as the plan sees it. */
export interface LocalEntry {
  name: string;
  path: string;
  fields: SharedFields;
  sync: ProjectSync | undefined;
  /**
   * The checkout's git state just collected (null: not a repository); absent when it was not
   * collected (turned off, basic mode): then no git state is pushed.
   */
  git?: GitState | null;
}

/** The server's side of a project, in either protocol. */
export interface RemoteSide {
  rev: number;
  deleted: boolean;
  fields: SharedFields;
  /** This machine's checkout path on the server, null when it has none (sync-v1 only). */
  checkoutPath?: string | null;
  /** Basic mode: the server's integer id (a sync-v1 record is named by the project's uuid). */
  remote?: RemoteIdentity;
  /** When each part was last set, on the server's clock (sync-v1, from a work-prod with stamps). */
  stamps?: RecordStamps;
  /**
   * The fields are more than the server holds: parts it lost, put back from this machine's
   * cache (see linkedSide). The slot is then marked behind, and the next push restores them.
   */
  behind?: boolean;
}

/** The server's side of a sync-v1 record, seen from machine `machineId`. */
export function sideOf(record: SyncRecord, machineId: string): RemoteSide {
  const mine = record.checkouts.find((c) => c.machine_id === machineId);
  return {
    rev: record.rev,
    deleted: record.deleted,
    fields: record.fields,
    checkoutPath: mine ? mine.path : null,
    ...(record.stamps ? { stamps: record.stamps } : {}),
  };
}

/**
 * The side a never-synced project links to: the record, or, when the server lost parts of it
 * that this machine's cache held later (a queued restore, see restoresFromCache), the record
 * with those parts put back, marked behind. The project then merges with the newer values and
 * its first push restores them; the restore itself is no longer needed.
 */
export function linkedSide(
  record: SyncRecord,
  machineId: string,
  restore: PendingRestore | undefined,
): RemoteSide {
  const side = sideOf(record, machineId);
  if (!restore || record.deleted) return side;
  return { ...side, fields: restore.fields, stamps: restore.stamps, behind: true };
}

/** How to apply: which side wins a same-field conflict, and the time to stamp. */
export interface ApplyContext {
  prefer: Prefer;
  now: string;
}

/** What applying a record does to one entry. */
export interface Applied {
  sync: Synced;
  /** The entry's new shared fields, or null when they stay as they are. */
  fields: SharedFields | null;
  /** Whether anything here changed (fields or sync state). */
  changed: boolean;
  events: SyncEvent[];
}

/** True when two sync slots hold the same state. */
export function sameSync(a: ProjectSync | undefined, b: ProjectSync | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'never-synced') {
    const n = b as NeverSynced;
    return (
      a.seen_cursor === n.seen_cursor &&
      a.edited.join('\0') === n.edited.join('\0') &&
      a.seen_deleted.join('\0') === n.seen_deleted.join('\0') &&
      JSON.stringify(a.base) === JSON.stringify(n.base)
    );
  }
  const s = b as Synced;
  return (
    a.rev === s.rev &&
    a.pushed_path === s.pushed_path &&
    sameIdentity(a.remote, s.remote) &&
    a.deleted_remotely?.at === s.deleted_remotely?.at &&
    a.deleted_remotely?.by === s.deleted_remotely?.by &&
    a.deleted_remotely?.rev === s.deleted_remotely?.rev &&
    a.deleted_remotely?.restore === s.deleted_remotely?.restore &&
    a.behind === s.behind &&
    JSON.stringify(a.fresh) === JSON.stringify(s.fresh) &&
    sameStamps(a.stamps, s.stamps) &&
    sameSharedFields(a.base, s.base)
  );
}

function sameIdentity(a: RemoteIdentity, b: RemoteIdentity): boolean {
  if (a.kind === 'basic') return b.kind === 'basic' && a.id === b.id;
  return b.kind === 'sync-v1' && a.uuid === b.uuid;
}

/**
 * Brings `entry` up to date with `remote`; undefined when there is nothing to do (already
 * at that revision, or already shown as deleted remotely). A tombstone marks the entry
 * "deleted remotely" (its fields stay); a live record is fast-forwarded when the entry equals
 * its base, else merged three ways against the base. An entry shown as deleted remotely
 * takes a live record newer than the tombstone the same way: only a restore (`dev-infra
 * restore` on some machine) makes a tombstone live again. `uuid` names the sync-v1 record
 * when the entry had no synced slot yet.
 */
export function applyRecord(
  entry: LocalEntry,
  uuid: string,
  remote: RemoteSide,
  ctx: ApplyContext,
): Applied | undefined {
  const sync = entry.sync?.kind === 'synced' ? entry.sync : undefined;
  const gone = sync?.deleted_remotely;
  if (sync && gone) {
    if (remote.deleted) {
      if (sync.behind) {
        // The deletion we were to make again is there (another machine made it first).
        const slot: Synced = { ...sync, deleted_remotely: { ...gone, rev: remote.rev } };
        delete slot.behind;
        if (remote.stamps) slot.stamps = remote.stamps;
        return { sync: slot, fields: null, changed: true, events: [] };
      }
      // A restore must name the tombstone's current revision, or the server answers conflict.
      if (!gone.restore || gone.rev === remote.rev) return undefined;
      return {
        sync: { ...sync, deleted_remotely: { ...gone, rev: remote.rev } },
        fields: null,
        changed: true,
        events: [],
      };
    }
    // A live record from before the deletion (not revived since: its live stamp is not after
    // the tombstone's): the server lost the deletion (restored from a backup). It stays
    // deleted here, and the next push deletes it again.
    if (sync.stamps && remote.stamps) {
      if (liveStamp(remote.stamps) <= liveStamp(sync.stamps)) {
        if (gone.restore) return undefined;
        if (sync.behind && gone.rev === remote.rev) return undefined;
        return {
          sync: { ...sync, behind: true, deleted_remotely: { ...gone, rev: remote.rev } },
          fields: null,
          changed: true,
          events: [],
        };
      }
      // Revived by a restore made after the deletion (stamps, unlike revisions, never repeat).
    } else if (remote.rev <= (gone.rev ?? sync.rev)) {
      // Basic mode's revision is always 0: a hard-deleted id never comes back.
      return undefined;
    }
  }
  const identity = remote.remote ?? sync?.remote ?? { kind: 'sync-v1', uuid };
  if (remote.deleted) {
    const from: Synced = sync ?? {
      kind: 'synced' as const,
      rev: remote.rev,
      base: remote.fields,
      pushed_path: null,
      remote: identity,
    };
    const marked: Synced = { ...from, deleted_remotely: { at: ctx.now, rev: remote.rev } };
    // The tombstone's stamps, to tell a record revived after it from one it outlived.
    delete marked.behind;
    if (remote.stamps) marked.stamps = remote.stamps;
    else delete marked.stamps;
    return {
      sync: marked,
      fields: null,
      changed: true,
      events: [{ kind: 'deleted-remotely', project: entry.name }],
    };
  }
  // The same revision is the same record, unless the server was restored from a backup and
  // handed that revision out again for another change (another machine's push): then the
  // server's record is taken as a change on top of our base, so the two agree again.
  if (
    sync &&
    sync.rev === remote.rev &&
    remote.rev !== 0 &&
    sameSharedFields(sync.base, remote.fields)
  )
    return undefined;
  // With stamps on both sides, the parts our base holds later than the server's copy (which
  // the server lost: restored from a backup) stand, and the rest is the server's (core's
  // effectiveRemote); the slot is then `behind` and the next push restores them. Without
  // stamps, revisions only grow, so a record below our base is an older copy: ours is the
  // newer state and the repair pushes it (see planPush).
  const stamped = sync?.stamps !== undefined && remote.stamps !== undefined;
  if (sync && remote.rev < sync.rev && !stamped) return undefined;
  const effective = sync
    ? effectiveRemote(sync.base, sync.stamps, remote.fields, remote.stamps)
    : { fields: remote.fields, stamps: remote.stamps, behind: false };
  const theirs = effective.fields;
  const local = entry.fields;
  // A project linked again after the server lost its record merges against the base it had.
  const relinked = entry.sync?.kind === 'never-synced' ? entry.sync.base : undefined;
  const base = sync?.base ?? relinked ?? null;
  const events: SyncEvent[] = [];
  let merged: SharedFields;
  // Edits not yet pushed that the server's record holds too still go with the next push.
  let fresh = sync?.fresh;
  if (base !== null && sameSharedFields(local, base)) {
    merged = theirs;
  } else {
    const result = mergeFields(base, local, theirs, ctx.prefer);
    merged = result.merged;
    for (const c of result.conflicts) events.push({ kind: 'conflict', project: entry.name, ...c });
    if (base !== null && remote.stamps)
      fresh = joinFresh(fresh, absorbedEdits(base, local, theirs));
  }
  const pushedPath = sync?.pushed_path ?? (remote.checkoutPath === entry.path ? entry.path : null);
  const next: Synced = {
    kind: 'synced',
    rev: remote.rev,
    base: theirs,
    pushed_path: pushedPath,
    remote: identity,
  };
  if (effective.stamps) next.stamps = effective.stamps;
  if (effective.behind || remote.behind) next.behind = true;
  if (fresh) next.fresh = fresh;
  // What git state the server holds for our checkout does not change with the record's fields.
  if (sync?.pushed_git !== undefined) next.pushed_git = sync.pushed_git;
  const written = keepLocalSpelling(local, merged);
  const fields = sameSharedFields(local, written) ? null : written;
  return { sync: next, fields, changed: fields !== null || !sameSync(sync, next), events };
}

/**
 * `merged` with local's value of every field where the two are equal as the merge compares
 * them (`fieldEquals`): this machine keeps its git's spelling of the remote URL
 * (`git@github.com:acme/one` for `https://github.com/acme/one.git`) and its order of the tags
 * when another field's change is taken from the server (issue 13 §4).
 */
export function keepLocalSpelling(local: SharedFields, merged: SharedFields): SharedFields {
  let out = merged;
  for (const f of SHARED_FIELD_NAMES) {
    if (local[f] === merged[f] || !fieldEquals(f, local[f], merged[f])) continue;
    if (out === merged) out = { ...merged };
    (out as Record<SharedFieldName, SharedFields[SharedFieldName]>)[f] = local[f];
  }
  return out;
}

/**
 * Before a never-synced entry is first merged with its record: a field the user did not
 * edit here (a value `add` chose) takes the server's value when both are set and differ,
 * reported as a conflict resolved for the remote, but for the name: taking the record's name
 * is what linking does (the caller reports it as a rename on the `linked` event). Edited
 * fields merge as usual later.
 */
export function adoptUnedited(
  name: string,
  local: SharedFields,
  edited: ReadonlySet<string>,
  remote: SharedFields,
): { fields: SharedFields; events: SyncEvent[] } {
  const adopted = { ...local, tags: [...local.tags] };
  const events: SyncEvent[] = [];
  for (const c of mergeFields(null, local, remote, 'remote').conflicts) {
    if (edited.has(c.field)) continue;
    if (c.field !== 'name') events.push({ kind: 'conflict', project: name, ...c });
    // The conflict names a field of this same record, so the value fits it.
    (adopted as Record<string, unknown>)[c.field] = c.remote;
  }
  return { fields: adopted, events };
}

/** What a page of the changes feed does here: each local entry's outcome, and the events. */
export interface PagePlan {
  /** The outcome per uuid of a local entry that changed (the last record of a uuid wins). */
  updates: Map<string, Applied>;
  events: SyncEvent[];
}

/**
 * Plans one page of the feed: each record is applied to the local entry with its uuid (a
 * later record of the same uuid sees the earlier one's outcome), and counted as pulled when
 * it changed something here or is not the echo of this machine's own push (`echo`: the seq
 * each accepted push produced). O(records): nothing is done per local project.
 */
export function planPage(
  records: readonly SyncRecord[],
  machineId: string,
  local: (uuid: string) => LocalEntry | undefined,
  echo: Readonly<Record<string, number>> | undefined,
  ctx: ApplyContext,
): PagePlan {
  const updates = new Map<string, Applied>();
  const events: SyncEvent[] = [];
  for (const record of records) {
    const prior = updates.get(record.uuid);
    const found = local(record.uuid);
    const entry = found && prior ? withApplied(found, prior) : found;
    let changedHere = false;
    let name = entry?.name;
    if (entry) {
      const applied = applyRecord(entry, record.uuid, sideOf(record, machineId), ctx);
      if (applied) {
        events.push(...applied.events);
        changedHere = applied.changed;
        const fields = applied.fields ?? prior?.fields ?? null;
        updates.set(record.uuid, { ...applied, fields, changed: applied.changed || !!prior });
        name = fields?.name ?? name;
      }
    }
    const mine = echo?.[record.uuid];
    if (changedHere || mine === undefined || record.seq > mine)
      events.push({ kind: 'pulled', project: name ?? record.fields.name });
  }
  return { updates, events };
}

/** An entry as it is once `applied` has been written to it. */
export function withApplied(entry: LocalEntry, applied: Applied): LocalEntry {
  const fields = applied.fields ?? entry.fields;
  return { ...entry, name: fields.name, fields, sync: applied.sync };
}

/** The echo entries a pull's cursor has not passed yet; undefined when none is left. */
export function echoAfter(
  echo: Readonly<Record<string, number>> | undefined,
  cursor: number,
): Record<string, number> | undefined {
  if (!echo) return undefined;
  const left = Object.entries(echo).filter(([, seq]) => seq > cursor);
  return left.length > 0 ? Object.fromEntries(left) : undefined;
}

/** How long a pushed git state stands before it is sent again unchanged (its age stays true). */
export const GIT_STATE_REFRESH_MS = 60 * 60 * 1000;

/** Two git states say the same, whenever they were taken. */
export function sameGitState(a: GitState | null, b: GitState | null): boolean {
  if (a === null || b === null) return a === b;
  const { taken_at: _a, ...restA } = a;
  const { taken_at: _b, ...restB } = b;
  const keys = new Set([...Object.keys(restA), ...Object.keys(restB)]);
  for (const k of keys)
    if ((restA as Record<string, unknown>)[k] !== (restB as Record<string, unknown>)[k])
      return false;
  return true;
}

/**
 * The state to keep after collecting `collected` where `stored` was: the stored one while it
 * says the same and is younger than `GIT_STATE_REFRESH_MS` at `now` (so a sync with nothing
 * new writes nothing and sends nothing), else the collected one.
 */
export function keptGitState(
  stored: GitState | null | undefined,
  collected: GitState | null,
  now: string,
): GitState | null {
  if (stored === undefined || stored === null || collected === null) return collected;
  if (!sameGitState(stored, collected)) return collected;
  const age = Date.parse(now) - Date.parse(stored.taken_at);
  return Number.isNaN(age) || age < 0 || age >= GIT_STATE_REFRESH_MS ? collected : stored;
}

/**
 * The git state a checkout change should carry: the collected state when it differs from the
 * one last pushed (taken_at aside) or that one is older than `GIT_STATE_REFRESH_MS` at `now`;
 * null once a repository that had a state is no longer one; undefined (leave the server's as
 * it is) otherwise, and when nothing was collected.
 */
export function gitToPush(
  current: GitState | null | undefined,
  pushed: GitState | null | undefined,
  now: string,
): GitState | null | undefined {
  if (current === undefined) return undefined;
  if (current === null) return pushed === undefined || pushed === null ? undefined : null;
  if (pushed === undefined || pushed === null || !sameGitState(current, pushed)) return current;
  const age = Date.parse(now) - Date.parse(pushed.taken_at);
  return Number.isNaN(age) || age >= GIT_STATE_REFRESH_MS ? current : undefined;
}

/**
 * The push this machine has to make: every entry never synced (base revision 0) or changed
 * since its base, every checkout path not yet sent, and the pending deletions and checkout
 * removals. An entry shown as deleted remotely is never pushed again, unless the user
 * restores it: then its fields go on the tombstone's revision, which revives it. A checkout
 * change carries the entry's git state when `gitToPush` says so (at `now`, the push's time).
 */
export function planPush(
  entries: readonly { uuid: string; entry: LocalEntry }[],
  pending: RegistrySync['pending'],
  machine: MachineRef,
  server?: (uuid: string) => SyncRecord | undefined,
  now?: string,
): PushRequest {
  const changes: PushChange[] = [];
  const checkouts: CheckoutChange[] = [];
  for (const { uuid, entry } of entries) {
    const sync = entry.sync?.kind === 'synced' ? entry.sync : undefined;
    const gone = sync?.deleted_remotely;
    if (sync && gone && !gone.restore) {
      // The server holds the record live from before the deletion, or (seen by a repair's full
      // pull) no longer has it at all: delete it again, with its fields for a tombstone.
      const lost = server !== undefined && sync.stamps !== undefined && !server(uuid);
      if (sync.behind || lost)
        changes.push({
          uuid,
          base_rev: lost ? 0 : (gone.rev ?? sync.rev),
          deleted: true,
          fields: sync.base,
        });
      continue;
    }
    const { fields } = entry;
    // The base's stamps of the parts not changed here: the server keeps them where it lost
    // the base's values (see pushStamps). Not on a restore: reviving is a new act.
    const stamps: { stamps?: PushStamps } = {};
    const given =
      sync && !gone ? withFresh(pushStamps(fields, sync.base, sync.stamps), sync.fresh) : undefined;
    if (given) stamps.stamps = given;
    const git = now === undefined ? undefined : gitToPush(entry.git, sync?.pushed_git, now);
    const checkout = (force: boolean) => {
      if (!force && git === undefined) return;
      checkouts.push(
        git === undefined ? { uuid, path: entry.path } : { uuid, path: entry.path, git },
      );
    };
    // A restore is pushed on the tombstone's revision, never as a repair of a lost record.
    const behind =
      sync && !gone && server
        ? serverBehind(sync, server(uuid), machine.id, entry.path)
        : undefined;
    if (behind) {
      changes.push({ uuid, base_rev: behind.rev, fields, ...stamps });
      // The server lost our checkout: its git state goes again with it.
      if (behind.checkout) {
        const state = now === undefined ? undefined : gitToPush(entry.git, undefined, now);
        checkouts.push(
          state === undefined ? { uuid, path: entry.path } : { uuid, path: entry.path, git: state },
        );
      } else checkout(false);
      continue;
    }
    if (sync && gone) changes.push({ uuid, base_rev: gone.rev ?? sync.rev, fields });
    else if (!sync) {
      // A new project names the fields the user set here: the rest are `add`'s defaults, set
      // by no one, which any value a restore took away outlives (see stampWrite).
      // No slot at all is never synced too (nothing was noted at registration).
      const first = createStamps(
        fields,
        entry.sync?.kind === 'never-synced' ? entry.sync : neverSynced(),
      );
      changes.push({ uuid, base_rev: 0, fields, ...first });
    } else if (!sameSharedFields(fields, sync.base) || sync.behind || sync.fresh)
      changes.push({ uuid, base_rev: sync.rev, fields, ...stamps });
    checkout(sync?.pushed_path !== entry.path);
  }
  for (const d of pending.deletes)
    changes.push({
      uuid: d.uuid,
      base_rev: d.base_rev,
      deleted: true,
      ...(d.fields ? { fields: d.fields } : {}),
    });
  for (const uuid of pending.checkout_removals) checkouts.push({ uuid, removed: true });
  // A record held here goes with its entry (a project linked to it took the restore over).
  const held = new Set(entries.map((e) => e.uuid));
  for (const r of pending.restores ?? [])
    if (!held.has(r.uuid))
      changes.push({ uuid: r.uuid, base_rev: r.base_rev, fields: r.fields, stamps: r.stamps });
  return { machine, changes, checkouts };
}

/** The stamps a new project's first push sends: its edited fields and tags as `fresh`. */
function createStamps(fields: SharedFields, never: NeverSynced): { stamps?: PushStamps } {
  const edited = new Set(never.edited);
  const fresh = {
    fields: STAMPED_FIELDS.filter((f) => edited.has(f)),
    tags: edited.has('tags') ? normaliseTags(fields.tags) : [],
  };
  return { stamps: { fresh } };
}

/**
 * When the server's record is older than a synced slot (absent, or below its revision: the
 * server lost changes we saw, see serverChange): the revision to push our fields on (0 makes
 * the record again under the same uuid) and whether our checkout must be sent again. Only
 * meaningful against a complete view of the server (the cache rebuilt by a repair's full
 * pull); undefined when the server is not behind.
 */
export function serverBehind(
  sync: Synced,
  record: SyncRecord | undefined,
  machineId: string,
  path: string,
): { rev: number; checkout: boolean } | undefined {
  if (sync.remote.kind !== 'sync-v1') return undefined;
  if (record && (record.deleted || record.rev >= sync.rev)) return undefined;
  const mine = record?.checkouts.find((c) => c.machine_id === machineId);
  return { rev: record?.rev ?? 0, checkout: mine?.path !== path };
}
