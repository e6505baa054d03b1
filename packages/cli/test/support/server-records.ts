/** What a work-prod database holds, read directly (the server process may be down). */
import type { SyncRecord } from '@dev-infra/core';
import type { Storage } from '../../../server/src/storage/types.js';

/** Every record of `account` (tombstones included), by uuid; 1 is the first-start account. */
export async function serverRecords(
  storage: Storage,
  account = 1,
): Promise<Map<string, SyncRecord>> {
  const records = new Map<string, SyncRecord>();
  for (let since = 0; ; ) {
    const page = await storage.changes(account, since, 1000);
    for (const r of page.changes) records.set(r.uuid, r);
    if (!page.more) return records;
    since = page.next;
  }
}
