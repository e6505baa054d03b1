/**
 * Saving the registry: `mutateRegistry` locks, re-reads, applies and writes atomically.
 * A file that cannot be read is never rewritten (the re-read throws first).
 */
import { mkdirSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { type Registry, serializeRegistry } from './format.js';
import { withLock } from './lock.js';
import { loadRegistry } from './read.js';

/** Writes the registry atomically (temp file, fsync, rename). Call only under the lock. */
export async function writeRegistry(file: string, registry: Registry): Promise<void> {
  await writeFileAtomic(file, serializeRegistry(registry), { fsync: true });
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
  mkdirSync(dir, { recursive: true });
  return withLock(file, async () => {
    const { registry, exists } = loadRegistry(file);
    const before = exists ? serializeRegistry(registry) : '';
    const result = await fn(registry);
    if (serializeRegistry(registry) !== before) await writeRegistry(file, registry);
    return result;
  });
}
