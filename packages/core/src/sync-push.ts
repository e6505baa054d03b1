/**
 * What the server's answer to one pushed batch does here, pure: accepted records become the
 * new base (and the cache's copy, and the echo the next pull ignores), conflicts are merged
 * with the server's current record for the next round, refusals are reported. The CLI
 * writes the outcome and saves.
 */
import { isUnknownProjectError, UNKNOWN_CHECKOUT_ERROR, UNKNOWN_DELETE_ERROR } from './protocol.js';
import type { Checkout, SharedFields } from './schema/fields.js';
import type { GitState } from './schema/git.js';
import type { RecordStamps } from './schema/stamps.js';
import type {
  MachineRef,
  PushChange,
  PushRequest,
  PushResponse,
  SyncRecord,
} from './schema/sync.js';
import { effectiveRemote } from './stamps.js';
import {
  type ApplyContext,
  applyRecord,
  type LocalEntry,
  type SyncEvent,
  sideOf,
} from './sync-plan.js';
import type { ProjectSync, RegistrySync, Synced } from './sync-state.js';

/** What planning a batch's results reads. */
export interface PushResultsInput {
  /** The batch that was sent. */
  batch: PushRequest;
  response: PushResponse;
  /** This machine's entry for a uuid, undefined when it holds no project of that uuid. */
  local: (uuid: string) => LocalEntry | undefined;
  pending: RegistrySync['pending'];
  echo: RegistrySync['echo'];
  /** The cached record of a uuid (only the batch's uuids are asked for). */
  cached: (uuid: string) => SyncRecord | undefined;
  machine: MachineRef;
  ctx: ApplyContext;
}

/** A local entry's new slot, and its new shared fields (null when they stay as they are). */
export interface EntryUpdate {
  sync: Synced;
  fields: SharedFields | null;
}

/** What a batch's results do here. */
export interface PushResultsPlan {
  /** Per uuid of a local entry that changed. */
  entries: Map<string, EntryUpdate>;
  pending: RegistrySync['pending'];
  echo: RegistrySync['echo'];
  /** The records the cache should hold afterwards, in the order they were decided. */
  records: SyncRecord[];
  events: SyncEvent[];
  /** uuids whose record or checkout the server accepted. */
  pushed: string[];
  /** How many changes were conflicts: only those merit another round. */
  conflicts: number;
  /**
   * uuids of records we synced that the server no longer has (it was restored from a
   * backup): the caller repairs (full pull, then the repair push re-creates or links them).
   */
  lost: string[];
}

/** The record the cache should hold after our change was applied. */
function afterApply(
  known: SyncRecord | undefined,
  change: PushChange,
  result: { rev: number; seq: number; stamps?: RecordStamps | undefined },
): SyncRecord {
  const deleted = 'deleted' in change;
  // A deletion of a record the cache does not hold carries its fields (or it was refused).
  const fields = !deleted ? change.fields : (known?.fields ?? change.fields)!;
  const record: SyncRecord = {
    uuid: change.uuid,
    rev: result.rev,
    seq: Math.max(result.seq, known?.seq ?? 0),
    deleted,
    fields,
    checkouts: known?.checkouts ?? [],
  };
  if (result.stamps) record.stamps = result.stamps;
  return record;
}

/** Plans the record and checkout results of one batch (records first, as the server did). */
export function planPushResults(input: PushResultsInput): PushResultsPlan {
  const { batch, response, machine, ctx } = input;
  const entries = new Map<string, EntryUpdate>();
  // Later results see earlier ones: the overlays below hold what this batch decided so far.
  const written = new Map<string, SyncRecord>();
  const deletes = input.pending.deletes.map((d) => ({ ...d }));
  const removals = [...input.pending.checkout_removals];
  const restores = new Map((input.pending.restores ?? []).map((r) => [r.uuid, r]));
  let echo = input.echo;
  const events: SyncEvent[] = [];
  const pushed: string[] = [];
  let conflicts = 0;
  const lost: string[] = [];

  const recordOf = (uuid: string) => written.get(uuid) ?? input.cached(uuid);
  const putRecord = (record: SyncRecord) => {
    // Re-inserted so the order is that of the last decision, as sequential puts would give.
    written.delete(record.uuid);
    written.set(record.uuid, record);
  };
  const entryOf = (uuid: string): LocalEntry | undefined => {
    const found = input.local(uuid);
    const update = entries.get(uuid);
    if (!found || !update) return found;
    const fields = update.fields ?? found.fields;
    return { ...found, name: fields.name, fields, sync: update.sync };
  };
  const update = (uuid: string, next: EntryUpdate) => {
    const prior = entries.get(uuid);
    entries.set(uuid, { sync: next.sync, fields: next.fields ?? prior?.fields ?? null });
  };
  const noteEcho = (uuid: string, seq: number) => {
    echo = { ...echo, [uuid]: Math.max(seq, echo?.[uuid] ?? 0) };
  };
  const dropDelete = (uuid: string) => {
    const at = deletes.findIndex((d) => d.uuid === uuid);
    if (at >= 0) deletes.splice(at, 1);
  };

  const sent = new Map(batch.changes.map((c) => [c.uuid, c]));
  // The git state each sent checkout carried (absent: the server kept the one it had).
  const sentGit = new Map<string, GitState | null>();
  for (const c of batch.checkouts ?? [])
    if ('path' in c && c.git !== undefined) sentGit.set(c.uuid, c.git);
  for (const r of response.results) {
    const change = sent.get(r.uuid);
    const restore = restores.get(r.uuid);
    // A restore of a record held here went with its entry instead (see planPush).
    if (restore && entryOf(r.uuid)) restores.delete(r.uuid);
    else if (restore) {
      // A record the server had lost parts of, pushed back (see restoresFromCache).
      restores.delete(r.uuid);
      if (r.status === 'applied' && change) {
        pushed.push(r.uuid);
        noteEcho(r.uuid, r.seq);
        putRecord(afterApply(recordOf(r.uuid), change, r));
      } else if (r.status === 'conflict') {
        noteEcho(r.uuid, r.current.seq);
        putRecord(r.current);
        const again = r.current.deleted
          ? undefined
          : effectiveRemote(restore.fields, restore.stamps, r.current.fields, r.current.stamps);
        if (again?.behind && again.stamps)
          restores.set(r.uuid, {
            uuid: r.uuid,
            base_rev: r.current.rev,
            fields: again.fields,
            stamps: again.stamps,
          });
        conflicts += 1;
      }
      continue;
    }
    const entry = entryOf(r.uuid);
    const pending = deletes.find((d) => d.uuid === r.uuid);
    if (r.status === 'applied' && change) {
      pushed.push(r.uuid);
      noteEcho(r.uuid, r.seq);
      putRecord(afterApply(recordOf(r.uuid), change, r));
      dropDelete(r.uuid);
      const sync = entry?.sync?.kind === 'synced' ? entry.sync : undefined;
      if (entry && !('deleted' in change)) {
        const slot: Synced = {
          kind: 'synced',
          pushed_path: null,
          remote: { kind: 'sync-v1', uuid: r.uuid },
          ...sync,
          rev: r.rev,
          base: change.fields,
        };
        // Fields accepted onto a tombstone (a restore) made the project live again.
        delete slot.deleted_remotely;
        // The server holds our base again, at the stamps it answered, edits named fresh too.
        delete slot.behind;
        delete slot.fresh;
        if (r.stamps) slot.stamps = r.stamps;
        else delete slot.stamps;
        update(r.uuid, { sync: slot, fields: null });
      } else if (sync?.deleted_remotely && sync.behind) {
        // A deletion the server had lost, made again (see applyRecord).
        const slot: Synced = {
          ...sync,
          deleted_remotely: { ...sync.deleted_remotely, rev: r.rev },
        };
        delete slot.behind;
        if (r.stamps) slot.stamps = r.stamps;
        update(r.uuid, { sync: slot, fields: null });
      }
    } else if (r.status === 'conflict') {
      noteEcho(r.uuid, r.current.seq);
      putRecord(r.current);
      if (pending) {
        // The user asked to delete it everywhere: delete the current revision (or
        // stop, when someone else already did).
        if (r.current.deleted) dropDelete(r.uuid);
        else pending.base_rev = r.current.rev;
      } else if (entry && olderThanSynced(entry.sync, r.current) && !r.current.stamps) {
        // The server holds an older copy than we synced: it went back (restored from a
        // backup) and ours is the newer state. The next round pushes our fields on its
        // revision, as a repair does (see serverBehind in sync-plan.ts). With stamps,
        // applyRecord below tells part by part which side is newer.
        const sync = entry.sync as Synced;
        update(r.uuid, {
          sync: { ...sync, rev: r.current.rev, base: r.current.fields },
          fields: null,
        });
      } else if (entry) {
        const applied = applyRecord(entry, r.uuid, sideOf(r.current, machine.id), ctx);
        if (applied) {
          events.push(...applied.events);
          update(r.uuid, { sync: applied.sync, fields: applied.fields });
        }
      }
      conflicts += 1;
    } else if (r.status === 'rejected') {
      dropDelete(r.uuid);
      const project = entry?.name ?? pending?.name ?? r.uuid;
      // A deletion of a record the server lost (a restore): done, in effect.
      const synced = entry?.sync?.kind === 'synced' ? entry.sync : undefined;
      if (entry && synced && change && !('deleted' in change) && isUnknownProjectError(r.error)) {
        // The server lost a record we synced (restored from a backup): the caller repairs.
        lost.push(r.uuid);
      } else if (pending && change && 'deleted' in change && r.error === UNKNOWN_DELETE_ERROR)
        events.push({
          kind: 'note',
          text: `${project}: the server no longer has it (nothing to delete)`,
        });
      else events.push({ kind: 'rejected', project: entry?.name ?? r.uuid, error: r.error });
    }
  }

  for (const c of response.checkouts ?? []) {
    const removal = removals.indexOf(c.uuid);
    const entry = entryOf(c.uuid);
    if (c.status === 'applied') {
      noteEcho(c.uuid, c.seq);
      // The feed's echo of our own push is then recognised as nothing new.
      const record = recordOf(c.uuid);
      if (record) {
        const others = record.checkouts.filter((k) => k.machine_id !== machine.id);
        const before = record.checkouts.find((k) => k.machine_id === machine.id);
        const git = sentGit.has(c.uuid) ? sentGit.get(c.uuid) : before?.git;
        const mine: Checkout[] = entry
          ? [
              {
                machine_id: machine.id,
                machine_name: machine.name,
                path: entry.path,
                last_seen: ctx.now,
                ...(git === undefined ? {} : { git }),
              },
            ]
          : [];
        putRecord({ ...record, checkouts: [...others, ...mine] });
      }
    }
    if (removal >= 0 && !entry) {
      removals.splice(removal, 1);
      if (c.status === 'applied') pushed.push(c.uuid);
      continue;
    }
    const sync = entry?.sync?.kind === 'synced' ? entry.sync : undefined;
    if (c.status === 'applied' && entry && sync) {
      const next: Synced = { ...sync, pushed_path: entry.path };
      if (sentGit.has(c.uuid)) next.pushed_git = sentGit.get(c.uuid) ?? null;
      update(c.uuid, { sync: next, fields: null });
      // A new git state alone is bookkeeping, not a change the user made: not "pushed".
      if (sync.pushed_path !== entry.path || !sentGit.has(c.uuid)) pushed.push(c.uuid);
    } else if (c.status === 'rejected' && entry && sync && c.error === UNKNOWN_CHECKOUT_ERROR) {
      // The server lost a record we synced (restored from a backup): the caller repairs.
      if (!lost.includes(c.uuid)) lost.push(c.uuid);
    } else if (c.status === 'rejected' && entry) {
      events.push({ kind: 'rejected', project: entry.name, error: `checkout: ${c.error}` });
    }
  }

  return {
    entries,
    pending: {
      deletes,
      checkout_removals: removals,
      ...(restores.size > 0 ? { restores: [...restores.values()] } : {}),
    },
    echo,
    records: [...written.values()],
    events,
    pushed,
    conflicts,
    lost,
  };
}

/** True when `record` is live and below the revision `sync` was synced at (sync-v1). */
function olderThanSynced(sync: ProjectSync | undefined, record: SyncRecord): boolean {
  if (sync?.kind !== 'synced' || sync.remote.kind !== 'sync-v1' || sync.deleted_remotely)
    return false;
  return !record.deleted && record.rev < sync.rev;
}
