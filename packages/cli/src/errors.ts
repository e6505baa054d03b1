/** Errors a user can act on. The top-level handler prints them as one line. */
import type { IO } from './output/io.js';
import { safeLine } from './output/safe-text.js';

/** A failure the user can fix (exit 1): the message says what went wrong and what to do. */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** A command used wrongly: a bad flag value or missing argument (exit 2). */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** The message of anything thrown, on one line. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * A file system failure the user can act on, as its one line: a full disk or a read-only file
 * system is not a bug, and every state file is written through a temporary file and a rename,
 * so nothing was changed. Undefined for any other error.
 */
export function fileSystemError(error: unknown): UserError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path } = error as NodeJS.ErrnoException;
  if (code === 'ENOSPC')
    return new UserError('disk full: nothing was changed (free some space and retry)');
  if (code === 'EROFS') {
    // write-file-atomic fails on its temporary file (`<file>.<number>`): name the file meant.
    const target = typeof path === 'string' ? safeLine(path.replace(/\.\d{1,10}$/, '')) : 'a file';
    return new UserError(`read-only file system: ${target} cannot be written; nothing was changed`);
  }
  return undefined;
}

/**
 * Prints a failure to the command's stderr and returns the exit code: a UserError's own code, 2 for commander's
 * usage errors (already printed by commander), 1 for anything unexpected (a bug).
 */
export function reportError(error: unknown, debug: boolean, io: Pick<IO, 'err'>): number {
  // Commander's errors are recognised by their code so this module need not load commander.
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    return (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
  const shown = fileSystemError(error) ?? error;
  const known = shown instanceof UserError;
  const hint = known || debug ? '' : ' (run again with --debug for details)';
  // A message may quote a server's answer or a pulled field: escaped like every other output.
  io.err(`error: ${safeLine(oneLine(shown))}${hint}\n`);
  // The stack is the original error's: where the write failed, not where it was named.
  if (debug && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
  return known ? shown.exitCode : 1;
}
