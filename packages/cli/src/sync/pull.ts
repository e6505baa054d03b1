/**
 * sync-v1 pull: pages through the changes feed from the stored cursor; core's `planPage`
 * decides what each page does here, and this loop writes it: the local entries, the remote
 * cache, the cursor. Each page is saved (cache, then registry with its cursor) before the
 * next is fetched, so a pull cut off halfway resumes (a page applied twice changes nothing).
 * The cache is only appended to: the pull's cost follows the changes, not the account.
 */
import { createHash } from 'node:crypto';
import {
  type AccountDigest,
  accountDigest,
  CHANGES_MAX_LIMIT,
  digestVerdict,
  echoAfter,
  noteHeard,
  type Prefer,
  planPage,
  recordBehind,
  repairCheckoutRemovals,
  restoresFromCache,
  revivedTombstones,
  serverChange,
} from '@dev-infra/core';
import { safeLine } from '../output/safe-text.js';
import type { ChangesPage, RefusedRecord, SyncClient } from '../remote/sync-client.js';
import { completeRotation } from './machine-identity.js';
import { linkIfNeeded, localEntry, writeApplied } from './reconcile.js';
import { queueRepairChanges, rollbackWhy, startRepair } from './repair.js';
import type { DigestCheck, SyncSession } from './session.js';
import { machineRef } from './state.js';

/** A digest as the server sends it: count, hash and the head it was taken at. */
export type AccountDigestAnswer = AccountDigest & { head: number };

/**
 * Pulls every change since the stored cursor, then compares the account's digest with this
 * machine's view (see checkDigest): a difference starts a repair, as a rollback does.
 */
export async function pullSyncV1(
  client: SyncClient,
  session: SyncSession,
  prefer: Prefer,
  /**
   * `askDigest`: use the digest route when the feed has none; `repair`: why to repair now, and
   * `repairServerId` the id of the database repaired onto (default: the one stored).
   */
  options: { askDigest?: boolean; repair?: string; repairServerId?: string | undefined } = {},
): Promise<void> {
  const { registry, state, events, cache } = session;
  const ctx = { prefer, now: session.now };
  const byId = new Map(registry.projects.map((p) => [p.id, p]));
  const heldIds: ReadonlySet<string> = new Set(byId.keys());
  const local = (uuid: string) => {
    const project = byId.get(uuid);
    return project && localEntry(project);
  };
  const machine = machineRef(registry);
  // Records the client refused (never cached, never applied), told once in the summary.
  const refused: RefusedRecord[] = [];
  // A pull from 0 sees every record: one that refuses none clears `unverifiable`.
  let fromZero = state.cursor === 0;
  // The first answer tells whether the server is still the one our cursor belongs to; if not,
  // the pull starts again from 0 on an empty cache (once: the repair's own answers are trusted).
  let checked = false;
  let compares = 0;
  delete session.check;
  // A push that found records gone asks for the repair straight away.
  if (options.repair !== undefined && !session.repair) {
    startRepair(session, options.repair, options.repairServerId ?? state.server_id);
    fromZero = true;
    checked = true;
  } else if (state.repairing && !session.repair) {
    // The last sync's repair pulled but was cut off before its push was done.
    const why = "The last sync's repair of the server did not finish";
    startRepair(session, why, state.repairing.server_id);
    fromZero = true;
    checked = true;
  }
  for (let restart = true; restart; ) {
    restart = false;
    let head: number | undefined;
    let digest: AccountDigestAnswer | undefined;
    let received = 0;
    const pages = client.pages(state.cursor, { limit: CHANGES_MAX_LIMIT, machine, digest: true });
    for await (const page of pages) {
      if (!checked) {
        checked = true;
        const change = serverChange(state, page);
        if (change !== 'same') {
          startRepair(session, rollbackWhy(change, page), page.server_id);
          fromZero = true;
          restart = true;
          break;
        }
        // A state from before server ids (or a first sync) adopts the first one seen.
        if (state.server_id === undefined && page.server_id !== undefined)
          state.server_id = page.server_id;
      }
      // A record below what this machine synced of it: the server went back.
      const behind = session.repair
        ? undefined
        : recordBehind(page.changes, (u) => byId.get(u)?.sync);
      if (behind) {
        const { record, rev } = behind;
        const why = `The server holds ${record.fields.name} at revision ${record.rev}, below the ${rev} this machine synced (restored from a backup)`;
        startRepair(session, why, state.server_id);
        fromZero = true;
        restart = true;
        break;
      }
      head = page.head;
      digest = page.digest;
      received += page.changes.length + page.refused.length;
      if (!applyPage(page)) break;
      // A repair saves only at the end: cut short, the stored cursor (past the restored head)
      // or id still shows the next sync that the server lost changes.
      if (!session.repair) await session.save();
    }
    // A repair's own pull is trusted; a pull that refused records cannot match (core's
    // RegistrySync.unverifiable).
    if (restart || session.repair || head === undefined) continue;
    if (refused.length > 0 || (state.unverifiable && !fromZero)) {
      session.check = { kind: 'unverifiable' };
      continue;
    }
    // The last page carries the digest; a work-prod without it may still have the route.
    digest ??= options.askDigest ? await client.digest() : undefined;
    if (!digest) {
      session.check = { kind: 'unsupported' };
      continue;
    }
    compares++;
    const check = checkDigest(session, digest, head, received, compares);
    if (check === 'again') {
      restart = true;
      continue;
    }
    session.check = check;
    if (check.kind === 'differs') {
      const why = `The server's records differ from this machine's view (${check.server.count} there, ${check.here.count} here, at revision ${head})`;
      startRepair(session, why, state.server_id);
      fromZero = true;
      restart = true;
    }
  }
  function applyPage(page: ChangesPage): boolean {
    const plan = planPage(page.changes, machine.id, local, state.echo, ctx);
    for (const [uuid, applied] of plan.updates) writeApplied(byId.get(uuid)!, applied);
    events.push(...plan.events);
    refused.push(...page.refused);
    // Deleted projects this machine no longer holds, back from before their deletion: the
    // server lost the deletion (restored from a backup); the next push makes it again.
    if (!session.repair) {
      const index = cache.index();
      const cached = (u: string) => index.get(u);
      const held = (u: string) => byId.has(u);
      state.pending.deletes.push(...revivedTombstones(page.changes, cached, held, state.pending));
      const restores = restoresFromCache(page.changes, cached, held, state.pending);
      if (restores.length > 0) state.pending.restores = restores;
      // A checkout of this machine on a record no project here stands for (a restore brought
      // it back after its removal, seen by no repair): removed again, or it would keep the
      // project, registered here again, from linking to its record.
      state.pending.checkout_removals.push(
        ...repairCheckoutRemovals(page.changes, machine.id, heldIds, state.pending),
      );
    }
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
  if (refused.length > 0) {
    state.unverifiable = true;
    delete state.verified;
  } else if (fromZero) delete state.unverifiable;
  const note = refusedNote(refused);
  if (note) events.push({ kind: 'note', text: note });
  session.pulled = true;
  if (session.repair) queueRepairChanges(session, session.repair);
  const echo = echoAfter(state.echo, state.cursor);
  if (echo) state.echo = echo;
  else delete state.echo;
  // In a repair the revisions were handed out again: what this machine had seen is in the
  // cache from before it.
  const lastSeen = session.repair && new Map(session.repair.before.map((r) => [r.uuid, r]));
  const before = lastSeen && ((uuid: string) => lastSeen.get(uuid));
  linkIfNeeded(registry, () => cache.index(), { ...ctx, events, ...(before ? { before } : {}) });
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
 * The digest check after a pull that ended at `head` (core's digestVerdict), against the last
 * page's digest or the digest route's answer: `again` when a
 * push landed meanwhile and the pull should go on first (at most three times). A sync that
 * received nothing compares the digest stored when the view last matched, without reading
 * the cache.
 */
function checkDigest(
  session: SyncSession,
  answer: AccountDigestAnswer,
  head: number,
  received: number,
  compares: number,
): 'again' | DigestCheck {
  const { state, cache } = session;
  const view =
    received === 0 && state.verified
      ? state.verified
      : accountDigest(cache.index().all(), createHash('sha256'));
  const verdict = digestVerdict(view, answer, head);
  if (verdict === 'moved') return compares < 3 ? 'again' : { kind: 'busy' };
  if (verdict === 'same') {
    state.verified = { count: view.count, hash: view.hash };
    return { kind: 'same', digest: view };
  }
  delete state.verified;
  return { kind: 'differs', here: view, server: { count: answer.count, hash: answer.hash } };
}
