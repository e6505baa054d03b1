/**
 * Saving the registry: `mutateRegistry` locks, re-reads, applies and writes atomically.
 * A file that cannot be read is never rewritten (the re-read throws first).
 */
import { stripRemoteCredentials } from '@dev-infra/core';
import writeFileAtomic from 'write-file-atomic';
import { ensurePrivateDir, PRIVATE_FILE } from '../private-files.js';
import { type Registry, serializeRegistry } from './format.js';
import { withLock } from './lock.js';
import { loadRegistry } from './read.js';

/**
 * Writes the registry atomically (temp file, fsync, rename), mode 0600 even over an older 0644
 * file (write-file-atomic sets the mode on the temporary file). Call only under the lock.
 */
export async function writeRegistry(file: string, registry: Registry): Promise<void> {
  // An older version registered origins with their token: the next write drops it (git keeps
  // it in .git/config), so a registry never holds one for longer than until its next change.
  const projects = registry.projects.map((p) =>
    p.remote_url === null ? p : { ...p, remote_url: stripRemoteCredentials(p.remote_url) },
  );
  await writeFileAtomic(file, serializeRegistry({ ...registry, projects }), {
    mode: PRIVATE_FILE,
    fsync: true,
  });
}

/**
 * Locks the registry, re-reads it, lets `fn` change it in place and writes it when it
 * changed. If `fn` throws, nothing is written. Returns what `fn` returns.
 */
export async function mutateRegistry<T>(
  file: string,
  dir: string,
  fn: (registry: Registry) => T | Promise<T>,
): Promise<T> {
  ensurePrivateDir(dir);
  return withLock(file, async () => {
    const { registry, exists } = loadRegistry(file);
    const before = exists ? serializeRegistry(registry) : '';
    const result = await fn(registry);
    if (serializeRegistry(registry) !== before) await writeRegistry(file, registry);
    return result;
  });
}
