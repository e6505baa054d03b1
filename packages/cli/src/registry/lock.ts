/** The inter-process lock around every registry write (proper-lockfile: a `.lock` folder). */
import lockfile from 'proper-lockfile';
import { UserError } from '../errors.js';

/** A lock untouched for this long is a dead process's and is taken over. */
export const LOCK_STALE_MS = 10_000;

/** The lock folder that guards `file`. */
export function lockPathFor(file: string): string {
  return `${file}.lock`;
}

/** Runs `fn` holding the lock on `file` (which need not exist; its folder must). */
export async function withLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, {
      realpath: false,
      stale: LOCK_STALE_MS,
      // About 20 s in all: enough for many concurrent commands, short enough to notice.
      retries: { retries: 120, factor: 1.2, minTimeout: 10, maxTimeout: 200, randomize: true },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED')
      throw new UserError(
        `${file} is locked by another dev-infra command (${lockPathFor(file)}); try again, or run \`dev-infra doctor\` if none is running`,
      );
    throw error;
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => {
      // The lock was already released or taken over as stale; nothing left to undo.
    });
  }
}
