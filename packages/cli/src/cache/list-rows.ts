/**
 * The rows of `list --all`, each decided by `classifyRow` whatever it is built from: the
 * cache's summaries, its full records (`--long` shows other machines' paths) or the listing.
 * They agree with `projectViews` + `classifyProject` on these columns: a local project is
 * `deleted remotely` (tombstone known), else `missing` (folder gone); a remote-only record is
 * listed when it is alive, held by no local project, and not being deleted here.
 */
import { existsSync } from 'node:fs';
import { type GitState, normaliseRemoteUrl, type SyncRecord } from '@dev-infra/core';
import { byName } from '../output/order.js';
import type { LocalProject, Registry } from '../registry/format.js';
import { projectSync, registrySync } from '../sync/state.js';
import type { RecordSummary } from './record-line.js';

/** Another machine holding a checkout (`path` only from full records). */
export interface Elsewhere {
  machine_name: string;
  path?: string;
  /** Its git state as that machine last pushed it (full records only). */
  git?: GitState | null;
}

/** What the cache holds of a record, as far as `list --all` goes. */
export interface RowRecord {
  uuid: string;
  deleted: boolean;
  name: string;
  project_type: string | null;
  status: string;
  /** Normalised remote URL, or null. */
  remote: string | null;
  /** The machines other than this one holding a checkout. */
  elsewhere: readonly Elsewhere[];
}

/** One row of `list --all`, as data: rendering is output/list-all-view.ts's job. */
export interface ListRow {
  name: string;
  local?: LocalProject;
  elsewhere: readonly Elsewhere[];
  /** The state the row is marked with, if any. */
  mark: 'deleted remotely' | 'missing' | null;
  project_type: string | null;
  status: string;
  remote: string | null;
}

/**
 * The remote-only rows: decoded, or (from the listing, for a piped uncoloured `list --all`)
 * the bytes that output prints, so ten thousand rows are copied rather than decoded.
 */
export type RemoteOnlyRows =
  | { kind: 'rows'; rows: ListRow[] }
  | { kind: 'piped'; bytes: readonly Buffer[] };

/**
 * The row of a local project (`local`) or of a record no local project holds; undefined when
 * it is not shown. `deletingHere`: this machine is deleting the record on the server.
 */
export function classifyRow(
  local: LocalProject | undefined,
  record: RowRecord | undefined,
  deletingHere = false,
): ListRow | undefined {
  if (local) {
    const deleted = projectSync(local)?.deleted_remotely !== undefined || record?.deleted === true;
    return {
      name: local.name,
      local,
      elsewhere: deleted || !record ? [] : record.elsewhere,
      mark: deleted ? 'deleted remotely' : existsSync(local.path) ? null : 'missing',
      project_type: local.project_type,
      status: local.status,
      remote: normaliseRemoteUrl(local.remote_url),
    };
  }
  if (!record || record.deleted || deletingHere) return undefined;
  return {
    name: record.name,
    elsewhere: record.elsewhere,
    mark: null,
    project_type: record.project_type,
    status: record.status,
    remote: record.remote,
  };
}

/** A summary (machine names only) as a row's record. */
export function summaryRecord(s: RecordSummary): RowRecord {
  return { ...s, elsewhere: s.elsewhere.map((machine_name) => ({ machine_name })) };
}

/**
 * A full record as a row's record, for machine `machineId`. In basic mode the server keeps no
 * checkouts, so none is shown (as `classifyProject` does; the summaries keep basic mode's
 * `server` entry, which a plain `list --all` shows).
 */
export function fullRecord(r: SyncRecord, machineId: string, basic: boolean): RowRecord {
  const f = r.fields;
  const others = basic ? [] : r.checkouts.filter((c) => c.machine_id !== machineId);
  return {
    uuid: r.uuid,
    deleted: r.deleted,
    name: f.name,
    project_type: f.project_type,
    status: f.status,
    remote: normaliseRemoteUrl(f.remote_url),
    elsewhere: others.map((c) => ({
      machine_name: c.machine_name,
      path: c.path,
      ...(c.git === undefined ? {} : { git: c.git }),
    })),
  };
}

/** The uuids this machine is deleting on the server (not listed as remote-only meanwhile). */
export const pendingDeletes = (registry: Registry): Set<string> =>
  new Set(registrySync(registry)?.pending.deletes.map((d) => d.uuid));

/** This machine's rows, by name; `recordOf` tells what the cache holds for a uuid. */
export function localRows(
  registry: Registry,
  recordOf: (uuid: string) => RowRecord | undefined,
): ListRow[] {
  const rows: ListRow[] = [];
  for (const p of [...registry.projects].sort(byName)) {
    const row = classifyRow(p, recordOf(p.id));
    if (row) rows.push(row);
  }
  return rows;
}

/** Every row from the cache's records: local projects first, then remote-only ones, by name. */
export function listRows(
  registry: Registry,
  records: Iterable<RowRecord>,
): { local: ListRow[]; remoteOnly: ListRow[] } {
  const byUuid = new Map<string, RowRecord>();
  for (const r of records) byUuid.set(r.uuid, r);
  const local = localRows(registry, (uuid) => {
    const r = byUuid.get(uuid);
    byUuid.delete(uuid);
    return r;
  });
  const deleting = pendingDeletes(registry);
  const remoteOnly: ListRow[] = [];
  for (const r of byUuid.values()) {
    const row = classifyRow(undefined, r, deleting.has(r.uuid));
    if (row) remoteOnly.push(row);
  }
  return { local, remoteOnly: remoteOnly.sort(byName) };
}
