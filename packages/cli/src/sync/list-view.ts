/**
 * The rows of `list --all` (without `--long` or `--json`), built from the listing (listing.ts)
 * or from the cache's summaries, never from its full records. They show what `projectViews` +
 * `classifyProject` would for these columns: a local project is `deleted remotely` (tombstone
 * known), else `missing` (folder gone); a remote-only record is listed when it is alive, held
 * by no local project, and not being deleted here.
 */
import { existsSync } from 'node:fs';
import { normaliseRemoteUrl } from '@dev-infra/core';
import type { LocalProject, Registry } from '../registry/format.js';
import type { RecordSummary } from './cache-format.js';
import type { Listing } from './listing.js';
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
function localRows(
  registry: Registry,
  note: (uuid: string) => RecordNote | undefined,
  byName: (a: { name: string }, b: { name: string }) => number,
): ListView[] {
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
  const collator = new Intl.Collator();
  const byName = (a: { name: string }, b: { name: string }) => collator.compare(a.name, b.name);
  const views = localRows(
    registry,
    (uuid) => {
      const s = byUuid.get(uuid);
      byUuid.delete(uuid);
      return (
        s && {
          deleted: s.deleted,
          elsewhere: s.elsewhere.map((machine_name) => ({ machine_name })),
        }
      );
    },
    byName,
  );
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

const LIVE = 'L'.charCodeAt(0);
const NEWLINE = 0x0a;

/**
 * Rows from the listing: this machine's projects as views, and the remote-only rows as the
 * listing's bytes (tab-separated lines, in name order), never decoded. Undefined when the
 * listing's rows do not match its index.
 */
export function listViewsFromListing(
  registry: Registry,
  listing: Listing,
): { local: ListView[]; remoteOnly: Buffer[] } | undefined {
  const held = new Map<string, RecordNote>();
  const ids = new Set(registry.projects.map((p) => p.id));
  const deleting = pendingDeletes(registry);
  const { bytes } = listing;
  const remoteOnly: Buffer[] = [];
  // Rows are copied in runs: only those of records a local project holds, or this machine is
  // deleting, are cut out.
  let row = listing.rowsStart;
  let run = row;
  for (const line of listing.index) {
    const tab = line.indexOf('\t');
    const uuid = line.slice(0, tab);
    const live = line.charCodeAt(tab + 1) === LIVE;
    const next = live ? bytes.indexOf(NEWLINE, row) + 1 : row;
    if (next === 0) return undefined;
    if (ids.has(uuid)) {
      const machines = live ? line.slice(tab + 3) : '';
      held.set(uuid, {
        deleted: !live,
        elsewhere:
          machines === '' ? [] : machines.split(', ').map((machine_name) => ({ machine_name })),
      });
    }
    if (live && (ids.has(uuid) || deleting.has(uuid))) {
      if (row > run) remoteOnly.push(bytes.subarray(run, row));
      run = next;
    }
    row = next;
  }
  if (row !== bytes.length) return undefined;
  if (row > run) remoteOnly.push(bytes.subarray(run, row));
  const collator = new Intl.Collator();
  const local = localRows(
    registry,
    (uuid) => held.get(uuid),
    (a, b) => collator.compare(a.name, b.name),
  );
  return { local, remoteOnly };
}
