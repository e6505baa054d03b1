/**
 * Modes of the files under DEV_INFRA_HOME. The registry, the cache and the listing name
 * private projects, paths and remotes, so only their owner may read them: files 0600, and
 * folders 0700 when this CLI creates them (an existing folder is the user's choice).
 */
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/** Mode of every state file: owner read and write only. */
export const PRIVATE_FILE = 0o600;

/** Mode of a state folder the CLI creates. */
export const PRIVATE_DIR = 0o700;

/** Creates `dir` (and its missing parents) owner-only; an existing folder is left as is. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
}

/**
 * Replaces `file` whole through a temporary file and a rename, so a reader sees the old text
 * or the new, never a part; mode 0600 even when a dead process left a temporary file of its
 * own mode. No fsync: for files that are rebuilt or rewritten soon anyway (the listing, the
 * background sync's stamp and log). On failure the temporary file is removed and the error
 * thrown.
 */
export function replacePrivateFile(file: string, data: string | Buffer): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, data, { mode: PRIVATE_FILE });
    chmodSync(temp, PRIVATE_FILE);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
