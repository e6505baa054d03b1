/**
 * remote.json, next to registry.json: everything the server told us at the last pull. Read by
 * `list --all`, `status --offline` and `clone` (no network); never by plain `list`. Written
 * atomically, under the registry's lock, before the registry (so a crash between the two
 * leaves the registry's older cursor, and the rerun fetches the same page again).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SyncRecord } from '@dev-infra/core';
import writeFileAtomic from 'write-file-atomic';
import type { RemoteProtocol } from '../remote/capabilities.js';

/** The cache file's document. */
export interface RemoteCache {
  version: 1;
  server: string;
  protocol: RemoteProtocol;
  cursor: number;
  /** When the cache was last filled from the server (ISO). */
  fetched_at: string | null;
  records: SyncRecord[];
}

/** The cache file for a registry file. */
export function cacheFileFor(registryFile: string): string {
  return join(dirname(registryFile), 'remote.json');
}

/** An empty cache for `server`. */
export function emptyCache(server: string, protocol: RemoteProtocol): RemoteCache {
  return { version: 1, server, protocol, cursor: 0, fetched_at: null, records: [] };
}

/** Reads the cache; an empty one when it is missing, unreadable or for another server. */
export function readCache(file: string, server?: string): RemoteCache | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const c = doc as Partial<RemoteCache> | null;
  if (c?.version !== 1 || !Array.isArray(c.records) || typeof c.server !== 'string')
    return undefined;
  if (server !== undefined && c.server !== server) return undefined;
  return c as RemoteCache;
}

/** Writes the cache atomically. Call under the registry's lock. */
export async function writeCache(file: string, cache: RemoteCache): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(cache, null, 1)}\n`, { fsync: true });
}

/** The cache's records by uuid (a live view: changes go into the cache's array). */
export class RecordIndex {
  private readonly byUuid = new Map<string, number>();
  constructor(readonly cache: RemoteCache) {
    cache.records.forEach((r, i) => {
      this.byUuid.set(r.uuid, i);
    });
  }

  /** The record for `uuid`, if the server sent one. */
  get(uuid: string): SyncRecord | undefined {
    const i = this.byUuid.get(uuid);
    return i === undefined ? undefined : this.cache.records[i];
  }

  /** Adds or replaces a record. */
  put(record: SyncRecord): void {
    const i = this.byUuid.get(record.uuid);
    if (i === undefined) {
      this.byUuid.set(record.uuid, this.cache.records.length);
      this.cache.records.push(record);
    } else {
      this.cache.records[i] = record;
    }
  }

  /** Drops a record (basic mode: a project deleted on the server). */
  delete(uuid: string): void {
    const i = this.byUuid.get(uuid);
    if (i === undefined) return;
    this.cache.records.splice(i, 1);
    this.byUuid.clear();
    this.cache.records.forEach((r, j) => {
      this.byUuid.set(r.uuid, j);
    });
  }

  /** Every record. */
  all(): readonly SyncRecord[] {
    return this.cache.records;
  }
}
