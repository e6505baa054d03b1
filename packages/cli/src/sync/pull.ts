/**
 * sync-v1 pull: pages through the changes feed from the stored cursor, updates the remote
 * cache and merges each record into this machine's entry. Each page is saved (cache, then
 * registry with its cursor) before the next is fetched, so a pull cut off halfway resumes.
 * The cache is only appended to: the pull's cost follows the changes, not the account.
 */
import { CHANGES_MAX_LIMIT, type Prefer } from '@dev-infra/core';
import type { SyncClient } from '../remote/sync-client.js';
import { applyRemote, linkIfNeeded, sideOf } from './reconcile.js';
import type { SyncSession } from './session.js';
import { machineRef } from './state.js';

/** Pulls every change since the stored cursor. */
export async function pullSyncV1(
  client: SyncClient,
  session: SyncSession,
  prefer: Prefer,
): Promise<void> {
  const { registry, state, events, cache } = session;
  const apply = { prefer, now: session.now, events };
  const byId = new Map(registry.projects.map((p) => [p.id, p]));
  const machine = machineRef(registry);
  for await (const page of client.pages(state.cursor, { limit: CHANGES_MAX_LIMIT, machine })) {
    for (const record of page.changes) {
      const local = byId.get(record.uuid);
      const changedHere = local ? applyRemote(local, sideOf(record, machine.id), apply) : false;
      // The feed also returns this machine's own pushes: those are no news.
      const echo = state.echo?.[record.uuid];
      if (changedHere || echo === undefined || record.seq > echo)
        events.push({ kind: 'pulled', project: local?.name ?? record.fields.name });
      cache.put(record);
    }
    if (page.changes.length === 0 && page.next === state.cursor) break;
    state.cursor = page.next;
    state.last_pull = session.now;
    await session.save();
  }
  session.pulled = true;
  if (state.echo) {
    const left = Object.entries(state.echo).filter(([, seq]) => seq > state.cursor);
    if (left.length > 0) state.echo = Object.fromEntries(left);
    else delete state.echo;
  }
  linkIfNeeded(registry, () => cache.index(), apply);
  await session.save();
}
