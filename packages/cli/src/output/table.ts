/** Aligned text tables for terminals, and tab-separated lines for pipes. */
import { stripAnsi } from './colour.js';

/** Renders rows under a header, columns padded to their widest cell (colour-aware). */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) =>
    Math.max(...all.map((row) => stripAnsi(row[col] ?? '').length)),
  );
  const lines = all.map((row) =>
    row
      .map((cell, col) =>
        col === row.length - 1 ? cell : cell + ' '.repeat(widths[col]! - stripAnsi(cell).length),
      )
      .join('  ')
      .trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}

/** Renders rows as tab-separated lines (no header, no padding): easy for cut and awk. */
export function renderTsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => `${row.map((c) => c.replace(/[\t\n]/g, ' ')).join('\t')}\n`).join('');
}
