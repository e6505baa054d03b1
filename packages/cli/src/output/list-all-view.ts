/**
 * How `list --all` looks: its cells, its table for a terminal and its tab-separated lines for
 * a pipe. The rows come decoded from the remote cache (cache/list-rows.ts); the listing stores
 * remote-only rows as `pipedRemoteRow` renders them, so a piped listing can copy them as bytes.
 */
import type { ListRow, RemoteOnlyRows } from '../cache/list-rows.js';
import { compactLabel } from '../git/summary.js';
import { type Palette, palette } from './colour.js';
import { shortenPath } from './paths.js';
import { type Cell, renderTable, renderTsv } from './table.js';

/** Printed (to stderr) when no cache for this server and machine exists. */
export const NOTHING_KNOWN =
  'No projects from other machines known yet: run `dev-infra sync` (with a remote set).\n';

const HEADER = ['NAME', 'WHERE', 'TYPE', 'STATUS', 'REMOTE'];
/** `--long` adds each checkout's git state. */
const LONG_HEADER = [...HEADER, 'GIT'];

/** The GIT cell of `--long`: `here: main ~2, laptop: main +3` (states known only). */
export function gitCell(row: ListRow): string {
  const parts: string[] = [];
  const here = compactLabel(row.local?.git);
  if (here !== '') parts.push(`here: ${here}`);
  for (const c of row.elsewhere) {
    const label = compactLabel(c.git);
    if (label !== '') parts.push(`${c.machine_name}: ${label}`);
  }
  return parts.join(', ');
}

/** The other machines holding a project; with `long`, each with its path where known. */
function machines(row: ListRow, long: boolean): string {
  return row.elsewhere
    .map((c) =>
      long && c.path !== undefined ? `${c.machine_name}:${shortenPath(c.path)}` : c.machine_name,
    )
    .join(', ');
}

/** The WHERE cell: `here: PATH (+ MACHINES)` or `not local (MACHINES)`. */
export function whereCell(row: ListRow, long: boolean): string {
  const others = machines(row, long);
  if (!row.local) return `not local (${others || 'server'})`;
  return `here: ${shortenPath(row.local.path)}${others ? ` (+ ${others})` : ''}`;
}

/** The REMOTE cell, with the row's mark (`[missing]`, `[deleted remotely]`) after it. */
export function remoteCell(row: ListRow): string {
  return `${row.remote ?? '(none)'}${row.mark ? `  [${row.mark}]` : ''}`;
}

function cells(row: ListRow, long: boolean, c: Palette, label = row.name): Cell[] {
  const where = whereCell(row, long);
  return [
    label,
    row.local ? where : [{ text: where, paint: c.dim }],
    row.project_type ?? '',
    row.status,
    remoteCell(row),
    ...(long ? [gitCell(row)] : []),
  ];
}

const plain = palette(false);

/** A remote-only row as a piped, uncoloured `list --all` prints it (with its newline). */
export function pipedRemoteRow(row: ListRow): string {
  return renderTsv([cells(row, false, plain)]);
}

export interface ListAllLook {
  long: boolean;
  tty: boolean;
  c: Palette;
  /**
   * Names shared by several rows get a machine holding each (`lib1@desktop`). Only decoded
   * rows can be labelled: the caller decodes when piped rows share a name (`pipedNamesShared`).
   * `local`: this machine's rows, counted even when not shown (`--remote-only`).
   */
  labelShared?: { local: readonly ListRow[] };
}

/**
 * The whole output: a table on a terminal, else tab-separated lines; empty when no rows.
 * Remote-only rows given as bytes are taken to be for a pipe without colour.
 */
export function renderListAll(
  local: readonly ListRow[],
  remoteOnly: RemoteOnlyRows,
  look: ListAllLook,
): Uint8Array {
  const { long, tty, c } = look;
  const table = local.map((row) => cells(row, long, c));
  if (remoteOnly.kind === 'piped') {
    // The listing's rows are already what a pipe without colour shows: copied, never decoded.
    const head = table.length > 0 ? [Buffer.from(renderTsv(table))] : [];
    return Buffer.concat([...head, ...remoteOnly.bytes]);
  }
  const shared = look.labelShared
    ? sharedNames([...look.labelShared.local, ...remoteOnly.rows].map((row) => row.name))
    : new Set<string>();
  for (const row of remoteOnly.rows) {
    // A name held by several projects is told apart by a machine holding it, as commands accept it.
    const machine = shared.has(row.name) ? row.elsewhere[0]?.machine_name : undefined;
    const label = machine === undefined ? row.name : `${row.name}@${machine}`;
    // The table escapes tabs and newlines in cells, so a remote row stays one line.
    table.push(cells(row, long, c, label));
  }
  if (table.length === 0) return new Uint8Array();
  return Buffer.from(
    tty ? renderTable(long ? LONG_HEADER : HEADER, table, c.bold) : renderTsv(table),
  );
}

/** The names that occur more than once. */
export function sharedNames(names: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) shared.add(name);
    seen.add(name);
  }
  return shared;
}

/**
 * Whether piped remote-only rows share a name with each other or with `local` (each row's first
 * cell, up to its tab, is its name): such rows need labels the bytes do not have.
 */
export function pipedNamesShared(local: readonly ListRow[], bytes: readonly Buffer[]): boolean {
  const names = local.map((row) => row.name);
  for (const chunk of bytes) {
    let start = 0;
    while (start < chunk.length) {
      const end = chunk.indexOf(10, start);
      const lineEnd = end === -1 ? chunk.length : end;
      const tab = chunk.indexOf(9, start);
      names.push(chunk.toString('utf8', start, tab === -1 || tab > lineEnd ? lineEnd : tab));
      start = lineEnd + 1;
    }
  }
  return sharedNames(names).size > 0;
}
