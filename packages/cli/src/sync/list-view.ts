/**
 * The rows of `list --all` (without `--long` or `--json`), built from the listing (listing.ts)
 * or from the cache's summaries, never from its full records. They show what `projectViews` +
 * `classifyProject` would for these columns: a local project is `deleted remotely` (tombstone
 * known), else `missing` (folder gone); a remote-only record is listed when it is alive, held
 * by no local project, and not being deleted here.
 */
import { existsSync } from 'node:fs';
import { normaliseRemoteUrl } from '@dev-infra/core';
import { byName } from '../output/order.js';
import type { LocalProject, Registry } from '../registry/format.js';
import type { RecordSummary } from './cache-format.js';
import { DamagedListing, type Listing, splitMachines } from './listing.js';
import { projectSync, registrySync } from './state.js';
import type { ProjectView } from './status-view.js';

/** One row of `list --all`. */
export interface ListView {
  name: string;
  local?: LocalProject;
  /** Other machines holding a checkout (`path` only from full records). */
  elsewhere: { machine_name: string; path?: string }[];
  /** The state `list --all` marks a row with, if any. */
  mark: 'deleted remotely' | 'missing' | null;
  project_type: string | null;
  status: string;
  /** Normalised remote URL, or null. */
  remote: string | null;
}

/** Rows from full views (for `--long`, which shows other machines' paths). */
export function listViewsFromProjectViews(views: readonly ProjectView[]): ListView[] {
  return views.map((v) => {
    const f = v.local ?? v.record!.fields;
    return {
      name: v.name,
      ...(v.local ? { local: v.local } : {}),
      elsewhere: v.status.elsewhere,
      mark:
        v.status.state === 'deleted remotely' || v.status.state === 'missing'
          ? v.status.state
          : null,
      project_type: f.project_type,
      status: f.status,
      remote: normaliseRemoteUrl(f.remote_url),
    };
  });
}

/** What the cache says of a local project's record. */
interface RecordNote {
  deleted: boolean;
  elsewhere: { machine_name: string }[];
}

/** This machine's rows, by name; `note` tells what the cache holds for a project's uuid. */
function localRows(registry: Registry, note: (uuid: string) => RecordNote | undefined): ListView[] {
  return [...registry.projects].sort(byName).map((p) => {
    const n = note(p.id);
    const deleted = projectSync(p)?.deleted_remotely !== undefined || n?.deleted === true;
    return {
      name: p.name,
      local: p,
      elsewhere: n && !n.deleted ? n.elsewhere : [],
      mark: deleted ? 'deleted remotely' : existsSync(p.path) ? null : 'missing',
      project_type: p.project_type,
      status: p.status,
      remote: normaliseRemoteUrl(p.remote_url),
    };
  });
}

/** The uuids this machine is deleting on the server (not listed as remote-only meanwhile). */
const pendingDeletes = (registry: Registry) =>
  new Set(registrySync(registry)?.pending.deletes.map((d) => d.uuid));

/** Rows from the cache's summaries: local projects first, then remote-only ones, by name. */
export function listViewsFromSummaries(
  registry: Registry,
  summaries: readonly RecordSummary[],
): ListView[] {
  const byUuid = new Map(summaries.map((s) => [s.uuid, s]));
  const views = localRows(registry, (uuid) => {
    const s = byUuid.get(uuid);
    byUuid.delete(uuid);
    return (
      s && {
        deleted: s.deleted,
        elsewhere: s.elsewhere.map((machine_name) => ({ machine_name })),
      }
    );
  });
  const deleting = pendingDeletes(registry);
  const remoteOnly = [...byUuid.values()].filter((s) => !s.deleted && !deleting.has(s.uuid));
  for (const s of remoteOnly.sort(byName))
    views.push({
      name: s.name,
      elsewhere: s.elsewhere.map((machine_name) => ({ machine_name })),
      mark: null,
      project_type: s.project_type,
      status: s.status,
      remote: s.remote,
    });
  return views;
}

/**
 * Rows from the listing: this machine's projects as views, and the remote-only rows as the
 * listing's bytes (tab-separated lines, in name order), never decoded: only the rows of
 * records a local project holds, or this machine is deleting, are found (by uuid) and cut
 * out. Undefined when the listing turns out damaged.
 */
export function listViewsFromListing(
  registry: Registry,
  listing: Listing,
): { local: ListView[]; remoteOnly: Buffer[] } | undefined {
  const held = new Map<string, RecordNote>();
  const cuts: { start: number; end: number }[] = [];
  try {
    for (const p of registry.projects) {
      const entry = listing.find(p.id);
      if (!entry) continue;
      held.set(p.id, {
        deleted: !entry.live,
        elsewhere: splitMachines(entry.machines).map((machine_name) => ({ machine_name })),
      });
      if (entry.row) cuts.push(entry.row);
    }
    for (const uuid of pendingDeletes(registry)) {
      const row = held.has(uuid) ? undefined : listing.find(uuid)?.row;
      if (row) cuts.push(row);
    }
  } catch (error) {
    if (error instanceof DamagedListing) return undefined;
    throw error;
  }
  const { bytes } = listing;
  const remoteOnly: Buffer[] = [];
  let run = listing.rowsStart;
  for (const cut of cuts.sort((a, b) => a.start - b.start)) {
    if (cut.start > run) remoteOnly.push(bytes.subarray(run, cut.start));
    run = Math.max(run, cut.end);
  }
  if (bytes.length > run) remoteOnly.push(bytes.subarray(run));
  const local = localRows(registry, (uuid) => held.get(uuid));
  return { local, remoteOnly };
}
