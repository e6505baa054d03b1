/**
 * Every project this machine knows of, local or remote-only, with its sync state: the
 * registry joined with the remote cache (plus, for `status`, the records fetched just now).
 */
import { existsSync } from 'node:fs';
import {
  type Checkout,
  classifyProject,
  type ProjectSyncStatus,
  type RemoteRecordInput,
  type SyncRecord,
} from '@dev-infra/core';
import type { RemoteCache } from '../cache/records.js';
import { byName, compareText } from '../output/order.js';
import type { LocalProject, Registry } from '../registry/format.js';
import { projectSync, registrySync, sharedFields } from './state.js';

/** One row of `status` / `list --all`. */
export interface ProjectView {
  /** The local entry, or undefined for a remote-only project. */
  local?: LocalProject;
  record?: SyncRecord;
  status: ProjectSyncStatus;
  name: string;
}

function remoteInput(
  record: SyncRecord | undefined,
  local: LocalProject | undefined,
  basic: boolean,
): RemoteRecordInput | null {
  const deleted = local ? projectSync(local)?.deleted_remotely : undefined;
  if (deleted) {
    const fields = record?.fields ?? projectSync(local!)!.base;
    return { rev: record?.rev ?? 0, deleted: true, fields };
  }
  if (!record) return null;
  const input: RemoteRecordInput = {
    rev: record.rev,
    deleted: record.deleted,
    fields: record.fields,
  };
  if (!basic) input.checkouts = record.checkouts;
  return input;
}

/** Builds the rows, local projects first (by name), then remote-only ones (by name). */
export function projectViews(
  registry: Registry,
  cache: RemoteCache | undefined,
  fresh: readonly SyncRecord[] = [],
): ProjectView[] {
  const records = new Map<string, SyncRecord>();
  for (const r of cache?.records ?? []) records.set(r.uuid, r);
  for (const r of fresh) records.set(r.uuid, r);
  const basic = cache?.protocol === 'basic';
  const pendingDeletes = new Set(registrySync(registry)?.pending.deletes.map((d) => d.uuid));
  const machineId = registry.machine.id;
  const views: ProjectView[] = [];
  for (const p of [...registry.projects].sort(byName)) {
    const sync = projectSync(p);
    const record = records.get(p.id);
    records.delete(p.id);
    const status = classifyProject({
      local: { fields: sharedFields(p), path: p.path, folderExists: existsSync(p.path) },
      // A slot `behind` holds values the server lost (a restore): against the server's copy
      // they show as this machine's changes to push, not as synced.
      base: sync
        ? { rev: sync.rev, fields: sync.behind && record ? record.fields : sync.base }
        : null,
      remote: remoteInput(record, p, basic),
      machineId,
    });
    if (status) views.push({ local: p, ...(record ? { record } : {}), status, name: p.name });
  }
  const remoteOnly = [...records.values()]
    .filter((r) => !pendingDeletes.has(r.uuid))
    .sort((a, b) => compareText(a.fields.name, b.fields.name));
  for (const r of remoteOnly) {
    const status = classifyProject({
      local: null,
      base: null,
      remote: remoteInput(r, undefined, basic),
      machineId,
    });
    if (status) views.push({ record: r, status, name: r.fields.name });
  }
  return views;
}

/** Machine names holding a checkout, for display. */
export function machineNames(checkouts: readonly Checkout[]): string[] {
  return checkouts.map((c) => c.machine_name);
}

/**
 * How long ago `at` was, in the largest whole unit ("just now" under a minute, "never" for
 * null): status's "last heard from the server" line.
 */
export function timeAgo(at: string | null, now: Date): string {
  if (at === null) return 'never';
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(at)) / 1000));
  if (Number.isNaN(seconds)) return 'at an unknown time';
  const units: [number, string][] = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of units) {
    const n = Math.floor(seconds / size);
    if (n >= 1) return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  }
  return 'just now';
}
