/**
 * sync-v1 pull: pages through the changes feed from the stored cursor; core's `planPage`
 * decides what each page does here, and this loop writes it: the local entries, the remote
 * cache, the cursor. Each page is saved (cache, then registry with its cursor) before the
 * next is fetched, so a pull cut off halfway resumes (a page applied twice changes nothing).
 * The cache is only appended to: the pull's cost follows the changes, not the account.
 */
import { CHANGES_MAX_LIMIT, echoAfter, noteHeard, type Prefer, planPage } from '@dev-infra/core';
import type { SyncClient } from '../remote/sync-client.js';
import { linkIfNeeded, localEntry, writeApplied } from './reconcile.js';
import type { SyncSession } from './session.js';
import { machineRef } from './state.js';

/** Pulls every change since the stored cursor. */
export async function pullSyncV1(
  client: SyncClient,
  session: SyncSession,
  prefer: Prefer,
): Promise<void> {
  const { registry, state, events, cache } = session;
  const ctx = { prefer, now: session.now };
  const byId = new Map(registry.projects.map((p) => [p.id, p]));
  const local = (uuid: string) => {
    const project = byId.get(uuid);
    return project && localEntry(project);
  };
  const machine = machineRef(registry);
  for await (const page of client.pages(state.cursor, { limit: CHANGES_MAX_LIMIT, machine })) {
    const plan = planPage(page.changes, machine.id, local, state.echo, ctx);
    for (const [uuid, applied] of plan.updates) writeApplied(byId.get(uuid)!, applied);
    events.push(...plan.events);
    for (const record of page.changes) cache.put(record);
    if (page.changes.length === 0 && page.next === state.cursor) {
      // An empty page is an answer too: the server was heard from, with nothing new.
      noteHeard(state, session.now);
      break;
    }
    state.cursor = page.next;
    state.last_pull = session.now;
    state.last_heard = session.now;
    await session.save();
  }
  session.pulled = true;
  const echo = echoAfter(state.echo, state.cursor);
  if (echo) state.echo = echo;
  else delete state.echo;
  linkIfNeeded(registry, () => cache.index(), { ...ctx, events });
  await session.save();
}
