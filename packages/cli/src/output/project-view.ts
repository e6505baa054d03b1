/** How projects look: the table and tab-separated rows of `list`, `show`'s lines, and JSON. */
import { existsSync } from 'node:fs';
import { isUnknownGitState, normaliseRemoteUrl, redactRemoteUrl } from '@dev-infra/core';
import { branchLabel, workLabel } from '../git/summary.js';
import { type LocalProject, orderProject } from '../registry/format.js';
import type { Palette } from './colour.js';
import { shortenPath } from './paths.js';
import { type Cell, paintCell, renderTable, renderTsv } from './table.js';

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
  // This machine's last collected git state, null when none (not a repository, never read).
  return { ...fields, remote_url, missing, git: p.git ?? null };
}

/** A project ready to render: the record and whether its folder is gone. */
export interface ProjectRow {
  project: LocalProject;
  missing: boolean;
}

/** The `list` table for a terminal: paths with `~`, remotes normalised, missing marked. */
export function renderProjectTable(rows: readonly ProjectRow[], c: Palette, home?: string): string {
  const header = ['NAME', 'PATH', 'TYPE', 'STATUS', 'TAGS', 'REMOTE'];
  const body = rows.map(({ project: p, missing }): Cell[] => {
    const remote = normaliseRemoteUrl(p.remote_url);
    return [
      p.name,
      [{ text: shortenPath(p.path, home), ...(missing ? { paint: c.red } : {}) }],
      p.project_type ?? '',
      [{ text: p.status, ...(p.status === 'active' ? {} : { paint: c.dim }) }],
      p.tags.join(','),
      [
        remote === null ? { text: '(none)', paint: c.dim } : { text: remote },
        ...(missing ? [{ text: '  ' }, { text: '[missing]', paint: c.red }] : []),
      ],
    ];
  });
  return renderTable(header, body, c.bold);
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
  // Every value is a table cell, so it is escaped like one (the fields may come from a pull).
  const lines: [string, Cell][] = [
    ['name', p.name],
    ['id', p.id],
    [
      'path',
      [
        { text: shortenPath(p.path, home) },
        ...(row.missing
          ? [{ text: '  ' }, { text: '[missing: folder not found]', paint: c.red }]
          : []),
      ],
    ],
    [
      'remote',
      [
        p.remote_url === null
          ? { text: '(none)', paint: c.dim }
          : { text: redactRemoteUrl(p.remote_url) },
      ],
    ],
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
  // This machine's last collected state (sync or refresh), with when it was read.
  if (p.git)
    lines.push([
      'git',
      [
        { text: isUnknownGitState(p.git) ? '' : `${branchLabel(p.git)}  ` },
        { text: workLabel(p.git) },
        { text: `  (as of ${p.git.taken_at})`, paint: c.dim },
      ],
    ]);
  const width = Math.max(...lines.map(([k]) => k.length)) + 1;
  const text = lines.map(([k, v]) => `${c.bold(`${k}:`.padEnd(width))} ${paintCell(v)}`.trimEnd());
  return `${text.join('\n')}\n`;
}
