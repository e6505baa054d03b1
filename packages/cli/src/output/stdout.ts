/**
 * Writing to stdout synchronously with `fs.writeSync`: output is complete before the
 * process exits, a reader that goes away (`dev-infra list | head -1`) ends the output
 * quietly instead of crashing with EPIPE, and `list` skips building a stdout stream.
 */
import { fstatSync, writeSync } from 'node:fs';

let readerGone = false;

/** Writes all of `text` to stdout. */
export function writeOut(text: string | Uint8Array): void {
  if (readerGone) return;
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(1, bytes, offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') {
        readerGone = true;
        return;
      }
      // A non-blocking stdout that is full: wait a moment for the reader, then retry.
      if (code === 'EAGAIN') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      else throw error;
    }
  }
}

/**
 * Whether stdout is a terminal. A pipe or a file (the usual case when it is not) is told by
 * one `fstat`, without building `process.stdout`, which loads Node's tty and net modules:
 * about 6 ms, a twentieth of `list`'s whole run.
 */
export function stdoutIsTerminal(): boolean {
  try {
    if (!fstatSync(1).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return process.stdout.isTTY === true;
}
