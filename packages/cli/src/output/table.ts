/**
 * Aligned text tables for terminals, and tab-separated lines for pipes. This is where every
 * field a listing shows is made safe to print: a cell's text is escaped here (safeCell) and
 * only then coloured, so the colour codes are the only escape sequences that leave, and text
 * from another machine or a server cannot retitle the window, clear the screen or break a row.
 */
import { safeLine } from './safe-text.js';

/** Part of a cell, coloured by `paint` (a Palette function) after its text is escaped. */
export interface Painted {
  text: string;
  paint?: (s: string) => string;
}

/** A cell: plain text, or parts that are coloured separately (`~/x  [missing]`). */
export type Cell = string | readonly Painted[];

/** Text shown in one cell: safeLine, plus tabs, which would break the columns. */
export function safeCell(text: string): string {
  return safeLine(text).replace(/\t/g, '\\x09');
}

const parts = (cell: Cell): readonly Painted[] =>
  typeof cell === 'string' ? [{ text: cell }] : cell;

/** The cell's visible text (escaped, uncoloured). */
function visible(cell: Cell): string {
  return parts(cell)
    .map((p) => safeCell(p.text))
    .join('');
}

/** The cell as printed: each part escaped, then coloured. */
export function paintCell(cell: Cell): string {
  return parts(cell)
    .map((p) => (p.paint ?? String)(safeCell(p.text)))
    .join('');
}

/**
 * Renders rows under a header (coloured by `headerPaint`), columns padded to their widest
 * cell's visible width.
 */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
  headerPaint?: (s: string) => string,
): string {
  const all: (readonly Cell[])[] = [
    header.map((text) => [{ text, ...(headerPaint ? { paint: headerPaint } : {}) }]),
    ...rows,
  ];
  const widths = header.map((_, col) =>
    Math.max(...all.map((row) => visible(row[col] ?? '').length)),
  );
  const lines = all.map((row) =>
    row
      .map((cell, col) => {
        const shown = paintCell(cell);
        return col === row.length - 1
          ? shown
          : shown + ' '.repeat(widths[col]! - visible(cell).length);
      })
      .join('  ')
      .trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Renders rows as tab-separated lines (no header, no padding, no colour): easy for cut and awk.
 * Tabs and newlines inside a cell become spaces; other controls are escaped as on a terminal.
 */
export function renderTsv(rows: readonly (readonly Cell[])[]): string {
  return rows
    .map(
      (row) =>
        `${row
          .map((cell) =>
            safeLine(
              parts(cell)
                .map((p) => p.text)
                .join('')
                .replace(/[\t\n]/g, ' '),
            ),
          )
          .join('\t')}\n`,
    )
    .join('');
}
