/**
 * The sync state a client keeps (design section 4), as tagged unions: what a project's slot
 * holds before and after its first sync, which server record it stands for, and the
 * registry-wide feed position and pending removals. Decoding from stored JSON lives here too,
 * so that every reader degrades a slot of the wrong shape the same way: to "never synced".
 */
import { isObject } from './json.js';
import { SHARED_FIELD_NAMES, type SharedFieldName } from './project.js';
import type { SharedFields } from './schema/fields.js';
import type { GitState } from './schema/git.js';
import { isGitStateOrNull, isRecordStamps, isSharedFields } from './schema/plain-checks.js';
import type { FreshParts, RecordStamps } from './schema/stamps.js';
import { STAMPED_FIELDS } from './stamps.js';

/** The two ways a client talks to work-prod. */
export type SyncProtocol = 'sync-v1' | 'basic';

/**
 * Which server record a project stands for: sync-v1 records are named by uuid; the original
 * API's by an integer id.
 */
export type RemoteIdentity = { kind: 'sync-v1'; uuid: string } | { kind: 'basic'; id: number };

/** A project that has never synced: what it noted for linking it to a server record later. */
export interface NeverSynced {
  kind: 'never-synced';
  /** Fields the user set with `update` (even to the value they had) before the first sync. */
  edited: string[];
  /** The feed cursor when the project was registered here (0: nothing was known). */
  seen_cursor: number;
  /** uuids this machine had deleted everywhere that `seen_cursor` did not cover yet. */
  seen_deleted: string[];
  /**
   * A project linked again after the server lost its record (core's relinkLost): the base it
   * had synced, which the link merges against (three-way, tags tag by tag) instead of merging
   * without a base, which would take one side's whole tag set.
   */
  base?: SharedFields;
}

/** A project that has synced: both sides agreed on `base` at revision `rev`. */
export interface Synced {
  kind: 'synced';
  /** The server's revision of the fields in `base` (0 in basic mode). */
  rev: number;
  base: SharedFields;
  /** This machine's path as last sent to the server, or null. */
  pushed_path: string | null;
  remote: RemoteIdentity;
  /**
   * The git state this machine last sent with its checkout (null: sent as none); absent
   * when it never sent one. The push plan compares the new state with it (see planPush).
   */
  pushed_git?: GitState | null;
  /**
   * Set when the server holds a tombstone: shown as "deleted remotely", never pushed again
   * unless the user restores it.
   */
  deleted_remotely?: DeletedRemotely;
  /**
   * The stamps of `base` (core's stamps.ts), the later of ours and the server's part by part;
   * absent against a work-prod without stamps. While `deleted_remotely` is set, the
   * tombstone's.
   */
  stamps?: RecordStamps;
  /**
   * Set when the server's record lacks parts of `base` it once had (stamped later here than
   * there: it was restored from a backup): the next push sends the fields with the base's
   * stamps, so the server has them again. On a slot deleted remotely: the server holds the
   * record live from before the deletion, and the push deletes it again.
   */
  behind?: true;
  /**
   * Parts this machine edited to the value the server then turned out to hold already (the
   * merge absorbed the edit): the next push still names them `fresh`, so the server stamps
   * them now. Without it, an older stamp of that value (a copy a restore brought back) would
   * rank the edit below a change it came after. Cleared once a push is applied.
   */
  fresh?: FreshParts;
}

/** What a synced slot knows of the server's tombstone for it. */
export interface DeletedRemotely {
  at: string;
  by?: string;
  /**
   * The tombstone's revision (states written before `restore` lack it): a restore pushes the
   * fields on it, the one base the server revives a tombstone from.
   */
  rev?: number;
  /** Set by `dev-infra restore`: the next push sends the fields, making the project live again. */
  restore?: true;
}

/** A project's sync slot. */
export type ProjectSync = NeverSynced | Synced;

/** A deletion (`remove --everywhere`) waiting to be pushed. */
export interface PendingDelete {
  uuid: string;
  base_rev: number;
  /** Basic mode: the server's integer id. */
  remote_id?: number;
  /** For messages only. */
  name?: string;
  /**
   * The record's last fields, sent with the deletion so that a server that lost the record
   * (restored from a backup) keeps a tombstone of it (sync-v1).
   */
  fields?: SharedFields;
}

/**
 * A record to push back to a server that lost parts of it: the fields and stamps this machine
 * knew, on the server's current revision (sync-v1 only).
 */
export interface PendingRestore {
  uuid: string;
  base_rev: number;
  fields: SharedFields;
  stamps: RecordStamps;
}

/** Registry-wide sync state. */
export interface RegistrySync {
  /** The remote URL this state belongs to. */
  server: string;
  protocol: SyncProtocol;
  /** The changes feed cursor (sync-v1). */
  cursor: number;
  last_pull: string | null;
  last_push: string | null;
  /**
   * When this machine last had a successful answer from the server (a feed page, empty ones
   * too, a push's answer, basic mode's list): what `status` shows, since to the user every
   * round trip is a pull. States written before it read last_pull instead.
   */
  last_heard: string | null;
  /**
   * `restores`: records this machine does not hold whose parts the server lost (restored from
   * a backup) while the remote cache had them, to push back (see restoresFromCache).
   */
  pending: {
    deletes: PendingDelete[];
    checkout_removals: string[];
    restores?: PendingRestore[];
  };
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
   * `remove --everywhere` is a new project, not the deleted one.
   */
  deleted_here?: string[];
  /**
   * Basic mode: shared fields this server did not keep when sent (the real v0.3.0 ignores
   * `project_type` on create and update). They stay local: never pushed again, and a pull
   * never overwrites them with the server's value. Absent in older states: none known yet.
   */
  local_only?: SharedFieldName[];
  /**
   * sync-v1: the database id (`server_id`) the cursor belongs to. Absent in states written
   * before work-prod reported it, and for an older work-prod: the first id seen is adopted.
   */
  server_id?: string;
  /**
   * sync-v1: the digest (core's accountDigest) of the remote cache when it last matched the
   * server's, so a sync that received nothing compares without reading the cache. Removed
   * whenever the cache changes otherwise than by a compared pull (a push's answer).
   */
  verified?: { count: number; hash: string };
  /**
   * sync-v1: set when a pull refused records (issue 14): this machine's view lacks them, so it
   * cannot match the server's digest and the check after each pull is skipped. A full pull
   * that refuses none clears it.
   */
  unverifiable?: true;
  /**
   * sync-v1: set while a repair (a restored or replaced server) is under way, with the id of
   * the database it repairs onto: its pull's state is saved before its push is done, so a sync
   * cut short in between repairs again rather than take that cursor and cache for a finished
   * repair (the records the server lost would never be pushed). Cleared once its push is done.
   */
  repairing?: { server_id?: string };
}

const BASIC_PREFIX = 'basic:';

/**
 * The identity behind a record's uuid: the remote cache names a basic-mode project no local
 * project holds `basic:<id>`.
 */
export function recordIdentity(uuid: string): RemoteIdentity {
  if (uuid.startsWith(BASIC_PREFIX)) {
    const id = Number(uuid.slice(BASIC_PREFIX.length));
    if (Number.isInteger(id)) return { kind: 'basic', id };
  }
  return { kind: 'sync-v1', uuid };
}

/** The record uuid the remote cache gives a basic-mode project no local project holds. */
export function basicRecordUuid(id: number): string {
  return `${BASIC_PREFIX}${id}`;
}

/** The basic-mode server id of a synced slot, if it has one. */
export function basicIdOf(sync: ProjectSync | undefined): number | undefined {
  return sync?.kind === 'synced' && sync.remote.kind === 'basic' ? sync.remote.id : undefined;
}

/** A slot for a project that has noted nothing yet. */
export function neverSynced(): NeverSynced {
  return { kind: 'never-synced', edited: [], seen_cursor: 0, seen_deleted: [] };
}

/** A fresh registry-wide state for `server`. */
export function freshSync(server: string, protocol: SyncProtocol): RegistrySync {
  return {
    server,
    protocol,
    cursor: 0,
    last_pull: null,
    last_push: null,
    last_heard: null,
    pending: { deletes: [], checkout_removals: [] },
  };
}

/** How far an answer that changed nothing else must be from `last_heard` to move it. */
const HEARD_STEP_MS = 60_000;

/**
 * Notes an answer from the server at `now` that changed nothing else here (an empty feed
 * page, basic mode's unchanged list). Within a minute of the last one it stays: `status`
 * shows whole minutes, and a sync with nothing to do then writes nothing at all.
 */
export function noteHeard(state: RegistrySync, now: string): void {
  const last = state.last_heard === null ? Number.NaN : Date.parse(state.last_heard);
  if (!(Date.parse(now) - last < HEARD_STEP_MS)) state.last_heard = now;
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/**
 * A stored project slot as typed state (`projectId` names the sync-v1 record). A slot with
 * `rev` and a `base` that matches SharedFieldsSchema is synced; anything else is read as
 * never synced, keeping what it noted for linking: the next sync merges without a base
 * rather than trusting a damaged one.
 */
export function decodeProjectSync(raw: unknown, projectId: string): ProjectSync | undefined {
  if (!isObject(raw)) return undefined;
  if (typeof raw.rev === 'number' && isSharedFields(raw.base)) {
    const remote: RemoteIdentity =
      typeof raw.remote_id === 'number'
        ? { kind: 'basic', id: raw.remote_id }
        : { kind: 'sync-v1', uuid: projectId };
    const synced: Synced = {
      kind: 'synced',
      rev: raw.rev,
      base: raw.base,
      pushed_path: typeof raw.pushed_path === 'string' ? raw.pushed_path : null,
      remote,
    };
    if (raw.pushed_git !== undefined && isGitStateOrNull(raw.pushed_git))
      synced.pushed_git = raw.pushed_git;
    const gone = raw.deleted_remotely;
    if (isObject(gone) && typeof gone.at === 'string') {
      const mark: DeletedRemotely = { at: gone.at };
      if (typeof gone.by === 'string') mark.by = gone.by;
      if (typeof gone.rev === 'number') mark.rev = gone.rev;
      if (gone.restore === true) mark.restore = true;
      synced.deleted_remotely = mark;
    }
    if (isRecordStamps(raw.stamps)) synced.stamps = raw.stamps;
    if (raw.behind === true) synced.behind = true;
    const fresh = decodeFresh(raw.fresh);
    if (fresh) synced.fresh = fresh;
    return synced;
  }
  const slot: NeverSynced = {
    kind: 'never-synced',
    edited: strings(raw.edited),
    seen_cursor: typeof raw.seen_cursor === 'number' ? raw.seen_cursor : 0,
    seen_deleted: strings(raw.seen_deleted),
  };
  if (isSharedFields(raw.base)) slot.base = raw.base;
  return slot;
}

/**
 * The stored form of a project slot (registry version 2: no tag, `remote_id` for basic);
 * undefined for a never-synced slot that noted nothing (no slot is written).
 */
export function encodeProjectSync(sync: ProjectSync): Record<string, unknown> | undefined {
  if (sync.kind === 'never-synced') {
    const out: Record<string, unknown> = {};
    if (sync.edited.length > 0) out.edited = sync.edited;
    if (sync.seen_cursor !== 0 || sync.seen_deleted.length > 0) out.seen_cursor = sync.seen_cursor;
    if (sync.seen_deleted.length > 0) out.seen_deleted = sync.seen_deleted;
    if (sync.base) out.base = sync.base;
    return Object.keys(out).length > 0 ? out : undefined;
  }
  const out: Record<string, unknown> = {
    rev: sync.rev,
    base: sync.base,
    pushed_path: sync.pushed_path,
  };
  if (sync.remote.kind === 'basic') out.remote_id = sync.remote.id;
  if (sync.pushed_git !== undefined) out.pushed_git = sync.pushed_git;
  if (sync.deleted_remotely) out.deleted_remotely = sync.deleted_remotely;
  if (sync.stamps) out.stamps = sync.stamps;
  if (sync.behind) out.behind = true;
  if (sync.fresh) out.fresh = sync.fresh;
  return out;
}

/** A stored `fresh`: known field names and string tags only; undefined when none is left. */
function decodeFresh(raw: unknown): FreshParts | undefined {
  if (!isObject(raw)) return undefined;
  const names = Array.isArray(raw.fields) ? strings(raw.fields) : [];
  const fields = STAMPED_FIELDS.filter((f) => names.includes(f));
  const tags = Array.isArray(raw.tags) ? [...new Set(strings(raw.tags))] : [];
  if (fields.length === 0 && tags.length === 0) return undefined;
  return { ...(fields.length > 0 ? { fields } : {}), ...(tags.length > 0 ? { tags } : {}) };
}

function decodePendingDelete(raw: unknown): PendingDelete | undefined {
  if (!isObject(raw) || typeof raw.uuid !== 'string' || typeof raw.base_rev !== 'number')
    return undefined;
  const entry: PendingDelete = { uuid: raw.uuid, base_rev: raw.base_rev };
  if (typeof raw.remote_id === 'number') entry.remote_id = raw.remote_id;
  if (typeof raw.name === 'string') entry.name = raw.name;
  if (isSharedFields(raw.fields)) entry.fields = raw.fields;
  return entry;
}

const isProtocol = (v: unknown): v is SyncProtocol => v === 'sync-v1' || v === 'basic';

/**
 * The stored registry-wide state as typed state, or undefined when it has none or one of
 * the wrong shape (no server, cursor or known protocol): the next sync starts afresh.
 */
export function decodeRegistrySync(raw: unknown): RegistrySync | undefined {
  if (!isObject(raw) || typeof raw.server !== 'string' || typeof raw.cursor !== 'number')
    return undefined;
  if (!isProtocol(raw.protocol)) return undefined;
  const pending = isObject(raw.pending) ? raw.pending : {};
  const deletes = Array.isArray(pending.deletes) ? pending.deletes : [];
  const lastPull = typeof raw.last_pull === 'string' ? raw.last_pull : null;
  const state: RegistrySync = {
    server: raw.server,
    protocol: raw.protocol,
    cursor: raw.cursor,
    last_pull: lastPull,
    last_push: typeof raw.last_push === 'string' ? raw.last_push : null,
    last_heard: typeof raw.last_heard === 'string' ? raw.last_heard : lastPull,
    pending: {
      deletes: deletes.map(decodePendingDelete).filter((d) => d !== undefined),
      checkout_removals: strings(pending.checkout_removals),
    },
  };
  const restores = Array.isArray(pending.restores)
    ? pending.restores.filter(
        (r): r is PendingRestore =>
          isObject(r) &&
          typeof r.uuid === 'string' &&
          typeof r.base_rev === 'number' &&
          isSharedFields(r.fields) &&
          isRecordStamps(r.stamps),
      )
    : [];
  if (restores.length > 0) state.pending.restores = restores;
  if (Array.isArray(raw.known_ids))
    state.known_ids = raw.known_ids.filter((x): x is number => typeof x === 'number');
  if (isObject(raw.echo)) {
    const echo = Object.entries(raw.echo).filter(
      (e): e is [string, number] => typeof e[1] === 'number',
    );
    state.echo = Object.fromEntries(echo);
  }
  if (Array.isArray(raw.deleted_here)) state.deleted_here = strings(raw.deleted_here);
  if (Array.isArray(raw.local_only)) {
    // An unknown name (a field since dropped, a damaged file) is skipped rather than kept.
    const names = strings(raw.local_only);
    state.local_only = SHARED_FIELD_NAMES.filter((f) => names.includes(f));
  }
  if (typeof raw.server_id === 'string') state.server_id = raw.server_id;
  const verified = raw.verified;
  if (isObject(verified) && typeof verified.count === 'number' && typeof verified.hash === 'string')
    state.verified = { count: verified.count, hash: verified.hash };
  if (raw.unverifiable === true) state.unverifiable = true;
  if (isObject(raw.repairing))
    state.repairing =
      typeof raw.repairing.server_id === 'string' ? { server_id: raw.repairing.server_id } : {};
  return state;
}

/** What a feed or push answer says of the server against the state's cursor and id. */
export type ServerChange = 'same' | 'replaced' | 'rolled-back';

/**
 * Whether the database behind the URL is still the one the cursor belongs to: `replaced` when
 * it reports another id (a new database), `rolled-back` when its head is below a revision we
 * know it reached: our cursor, or the seq of one of our accepted pushes not pulled back yet
 * (`echo`). Then it was restored from a backup: revisions we saw are gone, and the cursor
 * would skip the ones it hands out again. A state or server without an id compares by the
 * head alone.
 */
export function serverChange(
  state: Pick<RegistrySync, 'cursor' | 'server_id' | 'echo'>,
  answer: { head: number; server_id?: string | undefined },
): ServerChange {
  if (state.server_id !== undefined && answer.server_id !== undefined) {
    if (state.server_id !== answer.server_id) return 'replaced';
  }
  const reached = Math.max(state.cursor, ...Object.values(state.echo ?? {}));
  return answer.head < reached ? 'rolled-back' : 'same';
}
