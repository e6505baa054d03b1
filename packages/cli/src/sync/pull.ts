/**
 * sync-v1 pull: pages through the changes feed from the stored cursor; core's `planPage`
 * decides what each page does here, and this loop writes it: the local entries, the remote
 * cache, the cursor. Each page is saved (cache, then registry with its cursor) before the
 * next is fetched, so a pull cut off halfway resumes (a page applied twice changes nothing).
 * The cache is only appended to: the pull's cost follows the changes, not the account.
 */
import { CHANGES_MAX_LIMIT, echoAfter, noteHeard, type Prefer, planPage } from '@dev-infra/core';
import { safeLine } from '../output/safe-text.js';
import type { RefusedRecord, SyncClient } from '../remote/sync-client.js';
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
  // Records the client refused (never cached, never applied), told once in the summary.
  const refused: RefusedRecord[] = [];
  for await (const page of client.pages(state.cursor, { limit: CHANGES_MAX_LIMIT, machine })) {
    const plan = planPage(page.changes, machine.id, local, state.echo, ctx);
    for (const [uuid, applied] of plan.updates) writeApplied(byId.get(uuid)!, applied);
    events.push(...plan.events);
    refused.push(...page.refused);
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
  const note = refusedNote(refused);
  if (note) events.push({ kind: 'note', text: note });
  session.pulled = true;
  const echo = echoAfter(state.echo, state.cursor);
  if (echo) state.echo = echo;
  else delete state.echo;
  linkIfNeeded(registry, () => cache.index(), { ...ctx, events });
  await session.save();
}

/** `refused 3 invalid records from the server (first: uuid …: fields.tags must be an array)`. */
export function refusedNote(refused: readonly RefusedRecord[]): string | undefined {
  const first = refused[0];
  if (!first) return undefined;
  const n = refused.length;
  const who =
    first.id !== undefined
      ? `id ${first.id}`
      : first.uuid === undefined
        ? 'a record without a uuid'
        : `uuid ${first.uuid.slice(0, 64)}`;
  // The uuid and the reason come from the server: shown as inert text, whatever they hold.
  return safeLine(
    `refused ${n} invalid record${n > 1 ? 's' : ''} from the server (first: ${who}: ${first.reason})`,
  );
}
