/** Rewriting a machine's remote cache as a hostile server's pull would leave it. */
import { join } from 'node:path';
import type { SyncRecord } from '@dev-infra/core';
import { CacheStore, cacheFileFor, readCache, readCacheHeader } from '../../src/cache/records.js';

/**
 * Rewrites one record of `m`'s remote cache as a hostile server's pull would leave it (the
 * server itself refuses such names, so only a server we do not run could send them).
 */
export async function poisonCache(
  m: { home: string },
  changes: Record<string, (record: SyncRecord) => SyncRecord>,
): Promise<void> {
  const file = cacheFileFor(join(m.home, 'registry.json'));
  const header = readCacheHeader(file)!;
  const records = readCache(file, header.server)!.records;
  // One read and one write: a later read would drop the bad names and mark the cache damaged.
  const store = new CacheStore(file, header.server, header.protocol, header.machine);
  for (const [name, change] of Object.entries(changes))
    store.put(change(records.find((r) => r.fields.name === name)!));
  await store.flush(false);
}
