/**
 * One sync command's hold on local state: the registry locked for the whole command, the
 * remote cache, and `save()`, which writes whichever of the two changed (cache first, see
 * cache.ts). In a dry run `save()` writes nothing. When the cache is missing (deleted, or kept
 * for another server), the feed cursor starts again from 0 so the next pull refills it.
 */
import type { AccountDigest, DigestDifference, SyncEvent, SyncRecord } from '@dev-infra/core';
import { CacheStore, cacheFileFor } from '../cache/records.js';
import { ensurePrivateDir } from '../private-files.js';
import type { Registry } from '../registry/format.js';
import { serializeRegistry } from '../registry/format.js';
import { withLock } from '../registry/lock.js';
import type { DevInfraPaths } from '../registry/paths.js';
import { loadRegistry } from '../registry/read.js';
import { writeRegistry } from '../registry/store.js';
import type { RemoteProtocol } from '../remote/capabilities.js';
import { ensureSync, type RegistrySync } from './state.js';

/**
 * The digest check after a pull: the views agree; differ (a repair followed); could not be
 * compared (an older work-prod without the digest, records this machine refused, or a head
 * that kept moving).
 */
export type DigestCheck =
  | { kind: 'same'; digest: AccountDigest }
  | { kind: 'differs'; here: AccountDigest; server: AccountDigest }
  | { kind: 'unsupported' | 'unverifiable' | 'busy' };

/** Local state for one sync command. */
export interface SyncSession {
  registry: Registry;
  state: RegistrySync;
  cache: CacheStore;
  /** What the command did and found, in order; the report is built from them. */
  events: SyncEvent[];
  /** The command's start time (ISO), used for every timestamp it writes. */
  now: string;
  dryRun: boolean;
  /** Set when this command collected the checkouts' git state: the push sends what changed. */
  pushGit?: boolean;
  /**
   * Set while the checkouts' git state is being read (alongside the pull): the push awaits
   * it, which writes the states onto the entries and sets `pushGit`.
   */
  gitReady?: () => Promise<void>;
  /** Set once this command has pulled to the feed's head. */
  pulled?: boolean;
  /**
   * Set when the pull found the server replaced or restored from a backup (see core's
   * serverChange): the id to store once the repair's push is done, and the tombstones the
   * cache held before it was rebuilt (to delete again what the server brought back).
   */
  repair?: {
    serverId: string | undefined;
    seen: SyncRecord[];
    /** The whole cache before it was emptied. */
    before: SyncRecord[];
    /** The feed position before the repair emptied it, to put back if it is abandoned. */
    undo: Pick<RegistrySync, 'cursor'> &
      Partial<Pick<RegistrySync, 'echo' | 'verified' | 'repairing'>>;
    /** The note that announced it (one per repair in the report). */
    note: SyncEvent;
  };
  /** Once a repair's pull is done: the cache before it, and how the server's records differ. */
  repaired?: { before: SyncRecord[]; difference: DigestDifference };
  /** What the last pull's digest check found (see pull.ts checkDigest). */
  check?: DigestCheck;
  /**
   * Writes what changed since the last save (nothing in a dry run); `final`, at the end of
   * the command, may also compact the cache.
   */
  save(final?: boolean): Promise<void>;
}

/** Where the session's files are, which server it talks to, and its clock. */
export interface SessionOptions {
  paths: DevInfraPaths;
  server: string;
  /** Asked only when the stored state does not say (or belongs to another server). */
  protocol: () => Promise<RemoteProtocol>;
  dryRun: boolean;
  /** The command's start time (ISO). */
  now: string;
}

/**
 * Locks the registry, loads it and the cache for `server`, runs `fn`, and saves at the end.
 * The state is reset (and a note says so) when it belonged to another server.
 */
export async function withSyncSession<T>(
  options: SessionOptions,
  fn: (session: SyncSession) => Promise<T>,
): Promise<T> {
  const { paths, server, protocol, dryRun } = options;
  ensurePrivateDir(paths.dataDir);
  const cacheFile = cacheFileFor(paths.registryFile);
  return withLock(paths.registryFile, async () => {
    const { registry, exists } = loadRegistry(paths.registryFile);
    let savedRegistry = exists ? serializeRegistry(registry) : '';
    const known = registry.sync;
    const proto = known?.server === server ? known.protocol : await protocol();
    const { state, reset } = ensureSync(registry, server, proto);
    const cache = new CacheStore(cacheFile, server, proto, registry.machine.id);
    if (cache.fresh) state.cursor = 0;
    const events: SyncEvent[] = [];
    if (reset)
      events.push({
        kind: 'note',
        text: `The remote changed (was ${reset}): every project will be matched and pushed again.`,
      });
    const session: SyncSession = {
      registry,
      state,
      cache,
      events,
      now: options.now,
      dryRun,
      save: async (final = false) => {
        if (dryRun) return;
        // The session's cache, not the one opened here: a new machine id replaces it.
        await session.cache.flush(final);
        const text = serializeRegistry(registry);
        if (text !== savedRegistry) {
          await writeRegistry(paths.registryFile, registry);
          savedRegistry = text;
        }
      },
    };
    const result = await fn(session);
    await session.save(true);
    return result;
  });
}
