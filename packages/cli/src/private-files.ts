/**
 * Modes of the files under DEV_INFRA_HOME. The registry, the cache and the listing name
 * private projects, paths and remotes, so only their owner may read them: files 0600, and
 * folders 0700 when this CLI creates them (an existing folder is the user's choice).
 */
import { mkdirSync } from 'node:fs';

/** Mode of every state file: owner read and write only. */
export const PRIVATE_FILE = 0o600;

/** Mode of a state folder the CLI creates. */
export const PRIVATE_DIR = 0o700;

/** Creates `dir` (and its missing parents) owner-only; an existing folder is left as is. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
}
