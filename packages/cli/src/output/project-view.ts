/** How projects look: the table and tab-separated rows of `list`, `show`'s lines, and JSON. */
import { existsSync } from 'node:fs';
import { normaliseRemoteUrl, redactRemoteUrl } from '@dev-infra/core';
import { type LocalProject, orderProject } from '../registry/format.js';
import type { Palette } from './colour.js';
import { shortenPath } from './paths.js';
import { renderTable, renderTsv } from './table.js';

/** A project as `--json` prints it: the registry fields (no sync state) plus `missing`. */
export interface ProjectJson extends Omit<LocalProject, 'sync'> {
  missing: boolean;
}

/** True when the project's folder is gone. */
export function isMissing(project: LocalProject): boolean {
  return !existsSync(project.path);
}

/** The JSON form, with stable field names in a stable order. */
export function projectJson(p: LocalProject, missing: boolean): ProjectJson {
  const { sync: _reserved, ...fields } = orderProject(p);
  // Credentials in a remote URL (https://user:token@host/...) never reach output.
  const remote_url = p.remote_url === null ? null : redactRemoteUrl(p.remote_url);
  return { ...fields, remote_url, missing };
}

/** A project ready to render: the record and whether its folder is gone. */
export interface ProjectRow {
  project: LocalProject;
  missing: boolean;
}

/** The `list` table for a terminal: paths with `~`, remotes normalised, missing marked. */
export function renderProjectTable(rows: readonly ProjectRow[], c: Palette, home?: string): string {
  const header = ['NAME', 'PATH', 'TYPE', 'STATUS', 'TAGS', 'REMOTE'].map(c.bold);
  const body = rows.map(({ project: p, missing }) => [
    p.name,
    missing ? c.red(shortenPath(p.path, home)) : shortenPath(p.path, home),
    p.project_type ?? '',
    p.status === 'active' ? p.status : c.dim(p.status),
    p.tags.join(','),
    `${normaliseRemoteUrl(p.remote_url) ?? c.dim('(none)')}${missing ? `  ${c.red('[missing]')}` : ''}`,
  ]);
  return renderTable(header, body);
}

/** `list` when piped: tab-separated NAME PATH TYPE STATUS TAGS REMOTE MISSING, no header. */
export function renderProjectTsv(rows: readonly ProjectRow[]): string {
  return renderTsv(
    rows.map(({ project: p, missing }) => [
      p.name,
      p.path,
      p.project_type ?? '',
      p.status,
      p.tags.join(','),
      normaliseRemoteUrl(p.remote_url) ?? '',
      missing ? 'missing' : '',
    ]),
  );
}

/** `show`: one `field: value` line per field. */
export function renderProjectDetails(row: ProjectRow, c: Palette, home?: string): string {
  const p = row.project;
  const lines: [string, string][] = [
    ['name', p.name],
    ['id', p.id],
    [
      'path',
      `${shortenPath(p.path, home)}${row.missing ? `  ${c.red('[missing: folder not found]')}` : ''}`,
    ],
    ['remote', p.remote_url === null ? c.dim('(none)') : redactRemoteUrl(p.remote_url)],
    ['description', p.description ?? ''],
    ['tags', p.tags.join(', ')],
    ['type', p.project_type ?? ''],
    ['status', p.status],
    ['classification', p.classification ?? ''],
    ['organization', p.organization ?? ''],
    ['template', p.template ? `${p.template} ${p.template_version ?? ''}`.trim() : ''],
    ['created', p.created_at],
    ['updated', p.updated_at],
  ];
  const width = Math.max(...lines.map(([k]) => k.length)) + 1;
  const text = lines.map(([k, v]) => `${c.bold(`${k}:`.padEnd(width))} ${v}`.trimEnd());
  return `${text.join('\n')}\n`;
}
