/**
 * A status line on a terminal's stderr, redrawn in place (`\r` and erase-line) while lines
 * printed meanwhile scroll above it. Off (every call but `print` does nothing) when stderr is
 * not a terminal, so a pipe or a log gets plain lines only.
 */
import type { IO } from './io.js';

const ERASE = '\r\u001b[2K';

export class StatusLine {
  private shown = false;
  private text = '';

  /** `columns`: the line is cut to fit, since a line that wraps cannot be redrawn in place. */
  constructor(
    private readonly io: IO,
    private readonly enabled: boolean,
    private readonly columns = 80,
  ) {}

  /** Shows `text` (already safe to print) in place of the last status. */
  show(text: string): void {
    this.text = text;
    if (!this.enabled) return;
    const max = Math.max(this.columns - 1, 10);
    const fitted = text.length > max ? `${text.slice(0, max - 1)}…` : text;
    this.io.err(`${ERASE}${fitted}`);
    this.shown = true;
  }

  /** Prints lines (through `write`) above the status, then draws `next` (else the same) below. */
  print(write: () => void, next = this.text): void {
    this.clear();
    write();
    if (next !== '') this.show(next);
  }

  /** Erases the status (before the summary, or for good). */
  clear(): void {
    if (!this.shown) return;
    this.io.err(ERASE);
    this.shown = false;
  }
}
