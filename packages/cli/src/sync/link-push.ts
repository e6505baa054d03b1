/**
 * The link step of a lone `sync push`. The remote cache only knows what the last pull saw, so
 * a project another machine pushed since then would be sent again as new: a duplicate. When
 * never-synced projects are left unlinked by the cache, the changes since the cursor are read
 * (one more GET, nothing stored: the next pull still applies and saves them) and the link
 * step runs again against them (not after a pull in the same command, e.g. `sync`).
 */
import { createHash } from 'node:crypto';
import {
  accountDigest,
  CHANGES_MAX_LIMIT,
  digestVerdict,
  type Prefer,
  type SyncRecord,
  serverChange,
} from '@dev-infra/core';
import type { SyncClient } from '../remote/sync-client.js';
import { type AccountDigestAnswer, pullSyncV1 } from './pull.js';
import { hasUnlinked, linkIfNeeded, linkNewProjects, type RecordLookup } from './reconcile.js';
import { rollbackWhy } from './repair.js';
import type { SyncSession } from './session.js';

/** Links never-synced projects against the cache, then, if any is left, against the feed. */
export async function linkBeforePush(
  client: SyncClient,
  session: SyncSession,
  prefer: Prefer,
): Promise<void> {
  const { registry, events, now } = session;
  const apply = { prefer, now, events };
  linkIfNeeded(registry, () => session.cache.index(), apply);
  // After a pull in this same command the cache is as current as the feed: no second GET.
  if (session.pulled || !hasUnlinked(registry)) return;
  const fresh = new Map<string, SyncRecord>();
  let first = true;
  let last: { head: number; digest?: AccountDigestAnswer } | undefined;
  const pages = client.pages(session.state.cursor, { limit: CHANGES_MAX_LIMIT, digest: true });
  for await (const page of pages) {
    // The feed from our cursor says whether the server is still the one it belongs to. A
    // restored or replaced one has records the cursor has passed (a project another machine
    // holds among them): linking against what is after the cursor would push it again as
    // new. Repair first, as a pull would; its full pull links every project.
    const change = first ? serverChange(session.state, page) : 'same';
    first = false;
    if (change !== 'same') {
      await pullSyncV1(client, session, prefer, {
        repair: rollbackWhy(change, page),
        repairServerId: page.server_id,
      });
      return;
    }
    for (const record of page.changes) fresh.set(record.uuid, record);
    last = { head: page.head, ...(page.digest ? { digest: page.digest } : {}) };
  }
  const index = session.cache.index();
  const overlay: RecordLookup = {
    get: (uuid) => fresh.get(uuid) ?? index.get(uuid),
    all: () => [...fresh.values(), ...index.all().filter((r) => !fresh.has(r.uuid))],
  };
  // The feed's digest against this machine's view with it: a server restored to a head past
  // our cursor (another machine repaired first) has records the cursor passed, which linking
  // would miss. Repair first, as a pull whose digest differs would.
  if (last?.digest) {
    const view = accountDigest(overlay.all(), createHash('sha256'));
    if (digestVerdict(view, last.digest, last.head) === 'differs') {
      const why = `The server's records differ from this machine's view (${last.digest.count} there, ${view.count} here, at revision ${last.head})`;
      await pullSyncV1(client, session, prefer, { repair: why });
      return;
    }
  }
  if (fresh.size === 0) return;
  linkNewProjects(registry, { ...apply, index: overlay, machineId: registry.machine.id });
}
