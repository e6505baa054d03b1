/**
 * sync-v1 pull: pages through the changes feed from the stored cursor; core's `planPage`
 * decides what each page does here, and this loop writes it: the local entries, the remote
 * cache, the cursor. Each page is saved (cache, then registry with its cursor) before the
 * next is fetched, so a pull cut off halfway resumes (a page applied twice changes nothing).
 * The cache is only appended to: the pull's cost follows the changes, not the account.
 */
import {
  CHANGES_MAX_LIMIT,
  type ChangesResponse,
  echoAfter,
  noteHeard,
  type Prefer,
  planPage,
  repairDeletes,
  type ServerChange,
  serverChange,
} from '@dev-infra/core';
import { safeLine } from '../output/safe-text.js';
import type { ChangesPage, RefusedRecord, SyncClient } from '../remote/sync-client.js';
import { completeRotation } from './machine-identity.js';
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
  // The first answer tells whether the server is still the one our cursor belongs to; if not,
  // the pull starts again from 0 on an empty cache (once: the repair's own answers are trusted).
  let checked = false;
  for (let restart = true; restart; ) {
    restart = false;
    for await (const page of client.pages(state.cursor, { limit: CHANGES_MAX_LIMIT, machine })) {
      if (!checked) {
        checked = true;
        const change = serverChange(state, page);
        if (change !== 'same') {
          startRepair(session, change, page);
          restart = true;
          break;
        }
        // A state from before server ids (or a first sync) adopts the first one seen.
        if (state.server_id === undefined && page.server_id !== undefined)
          state.server_id = page.server_id;
      }
      if (!applyPage(page)) break;
      // A repair saves only at the end: cut short, the stored cursor (past the restored head)
      // or id still shows the next sync that the server lost changes.
      if (!session.repair) await session.save();
    }
  }
  function applyPage(page: ChangesPage): boolean {
    const plan = planPage(page.changes, machine.id, local, state.echo, ctx);
    for (const [uuid, applied] of plan.updates) writeApplied(byId.get(uuid)!, applied);
    events.push(...plan.events);
    refused.push(...page.refused);
    for (const record of page.changes) cache.put(record);
    if (page.changes.length === 0 && page.next === state.cursor) {
      // An empty page is an answer too: the server was heard from, with nothing new.
      noteHeard(state, session.now);
      return false;
    }
    state.cursor = page.next;
    state.last_pull = session.now;
    state.last_heard = session.now;
    return true;
  }
  // Every page was accepted: a token rotation the pull carried (a push's answer lost) is done.
  completeRotation(session, machine);
  const note = refusedNote(refused);
  if (note) events.push({ kind: 'note', text: note });
  session.pulled = true;
  if (session.repair) {
    // Deleted projects the restored server holds live again: delete them again, never adopt.
    const index = cache.index();
    state.pending.deletes.push(
      ...repairDeletes(session.repair.seen, (uuid) => index.get(uuid), state.pending),
    );
  }
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

/**
 * Starts the repair of a server that lost changes: says so, keeps the cache's tombstones,
 * and empties the cache and the cursor so the pull rebuilds this machine's view from 0. The
 * new id is stored only once the repair has pushed (see pushSyncV1), so a repair cut short
 * by a replaced server starts again on the next sync.
 */
function startRepair(
  session: SyncSession,
  change: Exclude<ServerChange, 'same'>,
  page: ChangesResponse,
): void {
  const { state, cache } = session;
  const seen = cache
    .index()
    .all()
    .filter((r) => r.deleted);
  session.repair = { serverId: page.server_id, seen };
  const why =
    change === 'replaced'
      ? 'The server was replaced (its database has another id)'
      : `The server was restored from a backup (its head ${page.head} is below revisions this machine saw)`;
  session.events.push({
    kind: 'note',
    text: `${why}: pulling everything again and pushing what it lost.`,
  });
  cache.replaceAll([]);
  state.cursor = 0;
  delete state.echo;
}
