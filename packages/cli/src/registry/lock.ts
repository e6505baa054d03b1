/** The inter-process lock around every registry write (proper-lockfile: a `.lock` folder). */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import lockfile from 'proper-lockfile';
import { UserError } from '../errors.js';
import { PRIVATE_FILE } from '../private-files.js';

/** A lock untouched for this long is a dead process's and is taken over. */
export const LOCK_STALE_MS = 10_000;

/** The lock folder that guards `file`. */
export function lockPathFor(file: string): string {
  return `${file}.lock`;
}

/** Beside the lock folder (not in it: the lock's release removes an empty folder only). */
function ownerFileFor(file: string): string {
  return `${file}.lock-owner`;
}

/** The PID the holder of the lock wrote, when it can be read. */
function holderPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(ownerFileFor(file), 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Says, once, that a command waits for the lock (a wait of up to 20 s is otherwise silent). */
export type LockWait = (pid: number | undefined) => void;

const sayWaiting: LockWait = (pid) => {
  process.stderr.write(
    `waiting for another dev-infra command${pid === undefined ? '' : ` (PID ${pid})`}...\n`,
  );
};

const locked = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ELOCKED';

async function acquire(file: string, onWait: LockWait): Promise<() => Promise<void>> {
  const options = { realpath: false, stale: LOCK_STALE_MS };
  try {
    return await lockfile.lock(file, { ...options, retries: 0 });
  } catch (error) {
    if (!locked(error)) throw error;
  }
  onWait(holderPid(file));
  try {
    return await lockfile.lock(file, {
      ...options,
      // About 20 s in all: enough for many concurrent commands, short enough to notice.
      retries: { retries: 120, factor: 1.2, minTimeout: 10, maxTimeout: 200, randomize: true },
    });
  } catch (error) {
    if (locked(error))
      throw new UserError(
        `${file} is locked by another dev-infra command (${lockPathFor(file)}); try again, or run \`dev-infra doctor\` if none is running`,
      );
    throw error;
  }
}

/**
 * Runs `fn` holding the lock on `file` (which need not exist; its folder must). While another
 * command holds it, `onWait` is told once, with that command's PID when known.
 */
export async function withLock<T>(
  file: string,
  fn: () => Promise<T>,
  onWait: LockWait = sayWaiting,
): Promise<T> {
  const release = await acquire(file, onWait);
  try {
    writeFileSync(ownerFileFor(file), `${process.pid}\n`, { mode: PRIVATE_FILE });
  } catch {
    // Only the waiting message uses it; a read-only folder fails at the write that follows.
  }
  try {
    return await fn();
  } finally {
    rmSync(ownerFileFor(file), { force: true });
    await release().catch(() => {
      // The lock was already released or taken over as stale; nothing left to undo.
    });
  }
}
