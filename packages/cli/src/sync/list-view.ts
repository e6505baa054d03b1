/**
 * The rows of `list --all` (without `--long` or `--json`), built from the cache's summaries
 * rather than its full records: listing an account of 10,000 projects then parses a tenth of
 * the bytes. It shows what `projectViews` + `classifyProject` would for these columns: a local
 * project is `deleted remotely` (tombstone known), else `missing` (folder gone); a remote-only
 * record is listed when it is alive, held by no local project, and not being deleted here.
 */
import { existsSync } from 'node:fs';
import { normaliseRemoteUrl } from '@dev-infra/core';
import type { LocalProject, Registry } from '../registry/format.js';
import type { RecordSummary } from './cache-format.js';
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

/** Rows from the cache's summaries: local projects first, then remote-only ones, by name. */
export function listViewsFromSummaries(
  registry: Registry,
  summaries: readonly RecordSummary[],
): ListView[] {
  const byUuid = new Map(summaries.map((s) => [s.uuid, s]));
  const others = (s: RecordSummary | undefined) =>
    s && !s.deleted ? s.elsewhere.map((name) => ({ machine_name: name })) : [];
  const views: ListView[] = [];
  const collator = new Intl.Collator();
  const byName = (a: { name: string }, b: { name: string }) => collator.compare(a.name, b.name);
  for (const p of [...registry.projects].sort(byName)) {
    const s = byUuid.get(p.id);
    byUuid.delete(p.id);
    const deleted = projectSync(p)?.deleted_remotely !== undefined || s?.deleted === true;
    views.push({
      name: p.name,
      local: p,
      elsewhere: others(s),
      mark: deleted ? 'deleted remotely' : existsSync(p.path) ? null : 'missing',
      project_type: p.project_type,
      status: p.status,
      remote: normaliseRemoteUrl(p.remote_url),
    });
  }
  const pendingDeletes = new Set(registrySync(registry)?.pending.deletes.map((d) => d.uuid));
  const remoteOnly = [...byUuid.values()].filter((s) => !s.deleted && !pendingDeletes.has(s.uuid));
  for (const s of remoteOnly.sort(byName))
    views.push({
      name: s.name,
      elsewhere: others(s),
      mark: null,
      project_type: s.project_type,
      status: s.status,
      remote: s.remote,
    });
  return views;
}
