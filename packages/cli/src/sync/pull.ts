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
  type ChangesResponse,
  digestDifference,
  digestVerdict,
  echoAfter,
  lostRecordSuperseded,
  normaliseRemoteUrl,
  noteHeard,
  type Prefer,
  planPage,
  recordBehind,
  relinkLost,
  relinkRestore,
  remakesFromCache,
  repairCheckoutRemovals,
  repairDeletes,
  repairPendingDeletes,
  restoresFromCache,
  revivedTombstones,
  type ServerChange,
  type SharedFields,
  type SyncEvent,
  type SyncRecord,
  serverChange,
} from '@dev-infra/core';
import { safeLine } from '../output/safe-text.js';
import type { ChangesPage, RefusedRecord, SyncClient } from '../remote/sync-client.js';
import { completeRotation } from './machine-identity.js';
import { linkIfNeeded, localEntry, writeApplied } from './reconcile.js';
import type { DigestCheck, SyncSession } from './session.js';
import { machineRef, projectSync, type RegistrySync, sharedFields } from './state.js';

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
  if (session.repair) {
    // Deleted projects the restored server holds live again: delete them again, never adopt.
    const index = cache.index();
    const get = (uuid: string) => index.get(uuid);
    const byRemote = recordsByRemote(index.all());
    const sameRemote = (f: SharedFields) =>
      byRemote.get(normaliseRemoteUrl(f.remote_url) ?? '') ?? [];
    state.pending.deletes = repairPendingDeletes(state.pending.deletes, get, sameRemote, (u) =>
      byId.has(u),
    );
    state.pending.deletes.push(...repairDeletes(session.repair.seen, get, state.pending));
    const lastSeen = new Map(session.repair.before.map((r) => [r.uuid, r]));
    const fromCache = restoresFromCache(
      index.all(),
      (u) => lastSeen.get(u),
      (u) => byId.has(u),
      state.pending,
    );
    const heldUrls = new Set(registry.projects.map((p) => normaliseRemoteUrl(p.remote_url)));
    const restores = remakesFromCache(
      session.repair.before,
      get,
      sameRemote,
      (u) => byId.has(u),
      (f) => {
        const url = normaliseRemoteUrl(f.remote_url);
        return url !== null && heldUrls.has(url);
      },
      state.pending,
      fromCache,
    );
    if (restores.length > 0) state.pending.restores = restores;
    else delete state.pending.restores;
    const held = new Set(registry.projects.map((p) => p.id));
    state.pending.checkout_removals.push(
      ...repairCheckoutRemovals(index.all(), machine.id, held, state.pending),
    );
    relinkLostProjects(session);
    const { before } = session.repair;
    session.repaired ??= { before, difference: digestDifference(before, index.all()) };
  }
  const echo = echoAfter(state.echo, state.cursor);
  if (echo) state.echo = echo;
  else delete state.echo;
  linkIfNeeded(registry, () => cache.index(), { ...ctx, events });
  await session.save();
}

/**
 * In a repair (the cache is the server's whole state): synced projects the server lost while
 * another machine made the same project anew under another uuid (same remote URL), live or
 * deleted everywhere since (core's lostRecordSuperseded), go back to never synced (relinkLost),
 * for the link step that follows to join them to it (a tombstone: deleted remotely).
 */
function relinkLostProjects(session: SyncSession): void {
  const { state } = session;
  const index = session.cache.index();
  const byRemote = recordsByRemote(index.all());
  for (const project of session.registry.projects) {
    const sync = projectSync(project);
    if (sync?.remote.kind !== 'sync-v1' || sync.deleted_remotely) continue;
    if (index.get(project.id)) continue;
    const url = normaliseRemoteUrl(project.remote_url);
    const same = (url === null ? undefined : byRemote.get(url)) ?? [];
    if (!lostRecordSuperseded(sync, same)) continue;
    project.sync = relinkLost(sync, sharedFields(project));
    // What our base holds later than the record made anew comes with the link (linkedSide).
    const live = same.find((r) => !r.deleted);
    const restore = live && relinkRestore(sync, live);
    if (restore) {
      const others = (state.pending.restores ?? []).filter((r) => r.uuid !== restore.uuid);
      state.pending.restores = [...others, restore];
    }
  }
}

/** Records by normalised remote URL (those without one left out). */
function recordsByRemote(records: Iterable<SyncRecord>): Map<string, SyncRecord[]> {
  const out = new Map<string, SyncRecord[]>();
  for (const r of records) {
    const url = normaliseRemoteUrl(r.fields.remote_url);
    if (url === null) continue;
    const same = out.get(url);
    if (same) same.push(r);
    else out.set(url, [r]);
  }
  return out;
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

/** The note's first half for a replaced or rolled-back server. */
/** The one line that says how the server changed (from a feed page or a push's answer). */
export function rollbackWhy(
  change: Exclude<ServerChange, 'same'>,
  page: Pick<ChangesResponse, 'head'>,
): string {
  return change === 'replaced'
    ? 'The server was replaced (its database has another id)'
    : `The server was restored from a backup (its head ${page.head} is below revisions this machine saw)`;
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

/** The keys of `state` among `keys` that are set, for putting back as they were. */
function pick<K extends keyof RegistrySync>(
  state: RegistrySync,
  ...keys: K[]
): Partial<Pick<RegistrySync, K>> {
  const out: Partial<Pick<RegistrySync, K>> = {};
  for (const key of keys) if (state[key] !== undefined) out[key] = state[key];
  return out;
}

/**
 * Puts back what startRepair emptied, before its pull got anything: a request refused for the
 * machine's identity (protocol.ts) is retried after the recovery saves, and a save must not
 * store a repair's empty cache and cursor 0 (the next sync would take them for a first one and
 * never push what the server lost). The retry finds the restore again and starts over.
 */
export function abandonRepair(session: SyncSession): void {
  const { repair, state } = session;
  if (!repair) return;
  session.cache.replaceAll(repair.before);
  for (const key of ['echo', 'verified', 'repairing'] as const) delete state[key];
  Object.assign(state, repair.undo);
  session.events.splice(session.events.indexOf(repair.note), 1);
  delete session.repair;
}

/**
 * Starts the repair of a server that lost changes or holds other records than this machine
 * saw: says why in one line, keeps the cache's records (its tombstones, to delete again what
 * the server brought back; all of them, to name what the repair changed), and empties the
 * cache and the cursor so the pull rebuilds this machine's view from 0. The new id is stored
 * only once the repair has pushed (see pushSyncV1), so a repair cut short by a replaced
 * server starts again on the next sync.
 */
function startRepair(session: SyncSession, why: string, serverId: string | undefined): void {
  const { state, cache } = session;
  const before = cache.index().all();
  const note: SyncEvent = {
    kind: 'note',
    text: `${why}: pulling everything again and pushing what it lost.`,
  };
  const undo = { cursor: state.cursor, ...pick(state, 'echo', 'verified', 'repairing') };
  session.repair = { serverId, seen: before.filter((r) => r.deleted), before, undo, note };
  session.events.push(note);
  state.repairing = serverId === undefined ? {} : { server_id: serverId };
  cache.replaceAll([]);
  state.cursor = 0;
  delete state.echo;
  delete state.verified;
}
