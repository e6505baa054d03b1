/** What a sync did, for the one-line summary and `--json`. */
import type { FieldConflict, SyncEvent } from '@dev-infra/core';
import { safeLine } from '../output/safe-text.js';
import { renderVerify, type VerifyReport } from './verify.js';

/** A same-field conflict, with the project it belongs to. */
export interface ReportedConflict extends FieldConflict {
  project: string;
}

/** The outcome of `sync`, `sync pull` or `sync push`. */
export interface SyncReport {
  protocol: string;
  dry_run: boolean;
  /** Records from the server that changed something here (new, edited, deleted). */
  pulled: number;
  /** Projects whose record or checkout the server accepted (dry run: would be sent). */
  pushed: number;
  /** The names behind `pulled` and `pushed`. */
  pulled_projects: string[];
  pushed_projects: string[];
  conflicts: ReportedConflict[];
  /** Projects the server holds as deleted that are still registered here. */
  deleted_remotely: string[];
  /** Local projects linked to a server record by id or remote URL (by their name before). */
  linked: string[];
  /** Those of `linked` that took the server record's name. */
  renamed: { from: string; to: string }[];
  /** Changes the server refused, with its reason. */
  rejected: { project: string; error: string }[];
  /** One-time notices (server changed, basic mode limits). */
  notes: string[];
  /** `sync --verify`: whether this machine's view is the server's (see verify.ts). */
  verify?: VerifyReport;
}

/**
 * The report of a sync's events. A project counts once as pulled and once as pushed however
 * many records or rounds touched it, and a refusal repeated in a later round is listed once.
 */
export function buildReport(
  protocol: string,
  dryRun: boolean,
  events: readonly SyncEvent[],
): SyncReport {
  const r: SyncReport = {
    protocol,
    dry_run: dryRun,
    pulled: 0,
    pushed: 0,
    pulled_projects: [],
    pushed_projects: [],
    conflicts: [],
    deleted_remotely: [],
    linked: [],
    renamed: [],
    rejected: [],
    notes: [],
  };
  const pulled = new Set<string>();
  const pushed = new Set<string>();
  const rejected = new Set<string>();
  for (const e of events) {
    switch (e.kind) {
      case 'pulled':
        if (!pulled.has(e.project)) r.pulled_projects.push(e.project);
        pulled.add(e.project);
        break;
      case 'pushed':
        if (!pushed.has(e.project)) r.pushed_projects.push(e.project);
        pushed.add(e.project);
        break;
      case 'conflict': {
        const { kind: _kind, ...conflict } = e;
        r.conflicts.push(conflict);
        break;
      }
      case 'deleted-remotely':
        r.deleted_remotely.push(e.project);
        break;
      case 'linked':
        r.linked.push(e.project);
        if (e.renamed_to !== undefined) r.renamed.push({ from: e.project, to: e.renamed_to });
        break;
      case 'rejected': {
        const key = `${e.project}\0${e.error}`;
        if (!rejected.has(key)) r.rejected.push({ project: e.project, error: e.error });
        rejected.add(key);
        break;
      }
      case 'note':
        r.notes.push(e.text);
        break;
    }
  }
  r.pulled = r.pulled_projects.length;
  r.pushed = r.pushed_projects.length;
  return r;
}

const show = (v: unknown) => (Array.isArray(v) ? v.join(',') : v === null ? '(empty)' : String(v));

/**
 * The human summary: notes, then one line such as `pulled 5, pushed 3, 1 conflict (...)`.
 * Names, values and refusals come from other machines and the server: each line is escaped.
 */
export function renderReport(r: SyncReport): string {
  const lines = r.notes.flatMap((note) => note.split('\n'));
  const parts = [`${r.dry_run ? 'would pull' : 'pulled'} ${r.pulled}`];
  parts.push(`${r.dry_run ? 'would push' : 'pushed'} ${r.pushed}`);
  if (r.conflicts.length > 0) {
    const detail = r.conflicts.map((c) => `kept ${c.chosen} ${c.field} of ${c.project}`).join('; ');
    parts.push(`${r.conflicts.length} conflict${r.conflicts.length > 1 ? 's' : ''} (${detail})`);
  }
  if (r.deleted_remotely.length > 0)
    parts.push(`deleted remotely: ${r.deleted_remotely.join(', ')} (files untouched)`);
  const renamed = new Map(r.renamed.map((x) => [x.from, x.to]));
  const kept = r.linked.filter((name) => !renamed.has(name));
  if (kept.length > 0) parts.push(`linked: ${kept.join(', ')}`);
  for (const [from, to] of renamed) parts.push(`linked ${from} to ${to} (renamed)`);
  lines.push(parts.join(', '));
  if (r.dry_run) {
    if (r.pulled > 0) lines.push(`  would pull: ${r.pulled_projects.join(', ')}`);
    if (r.pushed > 0) lines.push(`  would push: ${r.pushed_projects.join(', ')}`);
  }
  for (const c of r.conflicts)
    lines.push(
      `  conflict: ${c.project} ${c.field}: local ${show(c.local)}, remote ${show(c.remote)}`,
    );
  for (const x of r.rejected) lines.push(`  refused by the server: ${x.project}: ${x.error}`);
  if (r.verify) lines.push(...renderVerify(r.verify));
  return `${lines.map(safeLine).join('\n')}\n`;
}
