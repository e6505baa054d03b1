/**
 * Per-project sync state for `dev-infra status` and `list --all` (the research's FR-21).
 * Pure: the caller gathers the local entry, the base snapshot and the last known remote
 * record; nothing here touches the network or the disk.
 */
import { changedFields, type EditableFieldName, isEmptyValue } from './merge.js';
import type { Checkout, SharedFields } from './schema/fields.js';

/** The states a project can be in, as shown to the user. */
export const SYNC_STATES = [
  'synced',
  'modified',
  'behind',
  'diverged',
  'new',
  'not local',
  'deleted remotely',
  'missing',
] as const;

export type SyncState = (typeof SYNC_STATES)[number];

/** States that `dev-infra sync` acts on (or must report): "out of sync". */
export const OUT_OF_SYNC_STATES: readonly SyncState[] = [
  'modified',
  'behind',
  'diverged',
  'new',
  'deleted remotely',
];

/** This machine's registry entry for the project. */
export interface LocalEntryInput {
  fields: SharedFields;
  /** This machine's checkout path (compared with the server's record of it). */
  path: string;
  /** Whether the checkout folder exists on disk now. */
  folderExists: boolean;
  /** The user removed it everywhere and the tombstone is not pushed yet. */
  pendingDeletion?: boolean;
}

/** The snapshot kept from the last successful push or pull of this project. */
export interface BaseInput {
  /** The server's revision the snapshot was taken at. */
  rev: number;
  fields: SharedFields;
}

/** The latest record the client knows from the server (a SyncRecord or a basic-mode copy). */
export interface RemoteRecordInput {
  rev: number;
  deleted: boolean;
  fields: SharedFields;
  /** Every machine's checkouts; undefined when the server cannot hold them (basic mode). */
  checkouts?: Checkout[];
  /** Name of the machine that made the last change, when the server told us. */
  changedBy?: string;
}

/** Everything `classifyProject` needs about one project. */
export interface StatusInput {
  /** This machine's entry, or null when it has no checkout here. */
  local: LocalEntryInput | null;
  /** Null when the project was never pushed or pulled on this machine. */
  base: BaseInput | null;
  /** Null when nothing is known from the server about it. */
  remote: RemoteRecordInput | null;
  /** This machine's id, to find its own checkout among the server's. */
  machineId: string;
}

/** One project's sync state and what differs. */
export interface ProjectSyncStatus {
  state: SyncState;
  /** Editable fields changed here that the server does not have yet. */
  localChanges: EditableFieldName[];
  /** Editable fields changed on the server that this machine does not have yet. */
  remoteChanges: EditableFieldName[];
  /** This machine's checkout (its path) is not on the server yet or differs there. */
  checkoutChanged: boolean;
  /** A tombstone made here waits to be pushed. */
  pendingDeletion: boolean;
  /** For behind, diverged and deleted remotely: the machine that last changed it, if known. */
  changedBy?: string;
  /** Other machines holding a checkout (for "not local" and "(+ desktop)" displays). */
  elsewhere: Checkout[];
}

/** The local and remote change lists, with fields both sides agree on left out. */
function sideChanges(
  base: SharedFields | null,
  local: SharedFields,
  remote: SharedFields,
): { localChanges: EditableFieldName[]; remoteChanges: EditableFieldName[] } {
  const differ = new Set(changedFields(local, remote));
  if (base === null) {
    // Without history nobody can say who changed what: each side "brings" the fields
    // where it has a value that the other side differs from (as the merge treats them).
    return {
      localChanges: [...differ].filter((k) => !isEmptyValue(local[k])),
      remoteChanges: [...differ].filter((k) => !isEmptyValue(remote[k])),
    };
  }
  return {
    localChanges: changedFields(base, local).filter((k) => differ.has(k)),
    remoteChanges: changedFields(base, remote).filter((k) => differ.has(k)),
  };
}

/**
 * Classifies one project. Precedence, first match wins:
 * 1. no local entry: `not local` when the server has it alive, else null (nothing to show);
 * 2. the server holds a tombstone: `deleted remotely` (wins over every local change; null
 *    when a local deletion of our own is pending, as both sides agree it is gone);
 * 3. a pending local deletion: `modified`;
 * 4. the checkout folder is gone: `missing` (wins over modified/behind, since sync cannot fix
 *    it; the change lists are still filled so the caller can say more);
 * 5. never synced and unknown to the server: `new`;
 * 6. by the change lists: both sides `diverged`, local only (or this machine's checkout not
 *    on the server) `modified`, remote only `behind`, none `synced`.
 * Without a remote record (e.g. right after a push, before any pull) the base stands in
 * for it. Fields both sides already agree on are no change on either side.
 * Fields decide, not revisions: a newer remote rev whose fields equal the base (a change
 * made and undone elsewhere) is no remote change, and basic mode has no revisions at all.
 */
export function classifyProject(input: StatusInput): ProjectSyncStatus | null {
  const { local, base, remote, machineId } = input;
  const alive = remote !== null && !remote.deleted;
  const checkouts = alive ? (remote.checkouts ?? []) : [];
  const elsewhere = checkouts.filter((c) => c.machine_id !== machineId);
  const changedBy = remote?.changedBy;
  const result = (
    state: SyncState,
    extra: Partial<Omit<ProjectSyncStatus, 'state' | 'elsewhere'>> = {},
  ): ProjectSyncStatus => ({
    state,
    localChanges: [],
    remoteChanges: [],
    checkoutChanged: false,
    pendingDeletion: false,
    elsewhere,
    ...extra,
  });

  if (local === null) return alive ? result('not local') : null;
  if (remote?.deleted) {
    if (local.pendingDeletion) return null;
    const localChanges = base === null ? [] : changedFields(base.fields, local.fields);
    return result('deleted remotely', { localChanges, ...(changedBy ? { changedBy } : {}) });
  }
  if (local.pendingDeletion) {
    return remote === null && base === null ? null : result('modified', { pendingDeletion: true });
  }
  if (remote === null && base === null) return result(local.folderExists ? 'new' : 'missing');

  const remoteFields = remote?.fields ?? (base as BaseInput).fields;
  const changes = sideChanges(base?.fields ?? null, local.fields, remoteFields);
  const mine = remote?.checkouts?.find((c) => c.machine_id === machineId);
  const checkoutChanged = remote?.checkouts !== undefined && mine?.path !== local.path;
  const detail = { ...changes, checkoutChanged };
  if (!local.folderExists) return result('missing', detail);

  const localSide = changes.localChanges.length > 0 || checkoutChanged;
  const remoteSide = changes.remoteChanges.length > 0;
  const by = changedBy ? { changedBy } : {};
  if (localSide && remoteSide) return result('diverged', { ...detail, ...by });
  if (localSide) return result('modified', detail);
  if (remoteSide) return result('behind', { ...detail, ...by });
  return result('synced', detail);
}

/** Counts of states, for the summary line of `status` and `list --all`. */
export interface StatusSummary {
  counts: Record<SyncState, number>;
  total: number;
  /** Projects in OUT_OF_SYNC_STATES (what `status --exit-code` fails on). */
  outOfSync: number;
  /** Projects that are `synced`. */
  inSync: number;
}

/** Counts projects per state. */
export function summarise(states: readonly (SyncState | { state: SyncState })[]): StatusSummary {
  const counts = Object.fromEntries(SYNC_STATES.map((s) => [s, 0])) as Record<SyncState, number>;
  for (const s of states) counts[typeof s === 'string' ? s : s.state] += 1;
  return {
    counts,
    total: states.length,
    outOfSync: OUT_OF_SYNC_STATES.reduce((n, s) => n + counts[s], 0),
    inSync: counts.synced,
  };
}
