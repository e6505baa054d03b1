/**
 * sync-v1 push: sends new and changed projects (compare-and-swap on the base revision), this
 * machine's checkouts, and pending deletions. A conflict is merged with the server's current
 * record and pushed again (at most three rounds). Each batch's results are saved before the
 * next batch, and a rerun after a cut-off push is safe: the server answers an equal retry
 * as applied.
 */
import { type Prefer, type PushRequest, planPush, serverChange } from '@dev-infra/core';
import type { LocalProject } from '../registry/format.js';
import { type SyncClient, splitPushRequest } from '../remote/sync-client.js';
import { linkBeforePush } from './link-push.js';
import { completeRotation, prepareRotation } from './machine-identity.js';
import { pullSyncV1 } from './pull.js';
import { applyPushResults, type ResultContext } from './push-results.js';
import { localEntry } from './reconcile.js';
import { rollbackWhy } from './repair.js';
import type { SyncSession } from './session.js';
import { machineRef } from './state.js';

const MAX_ROUNDS = 3;

/** The changes this machine has to send (see core's planPush). */
export function pendingChanges(
  session: Pick<SyncSession, 'registry' | 'state' | 'repair' | 'cache' | 'pushGit' | 'now'>,
): PushRequest {
  const { registry, state } = session;
  const entries = registry.projects.map((p) => ({ uuid: p.id, entry: localEntry(p) }));
  // In a repair the cache was rebuilt from 0, so it is the server's whole state: the plan can
  // tell which synced projects the server lost or holds at an older revision.
  const index = session.repair ? session.cache.index() : undefined;
  const server = index && ((uuid: string) => index.get(uuid));
  return planPush(
    entries,
    state.pending,
    machineRef(registry),
    server,
    session.pushGit ? session.now : undefined,
  );
}

/** The projects a push request touches (a record and its checkout count once). */
export function pushedProjects(req: PushRequest): Set<string> {
  return new Set([...req.changes, ...(req.checkouts ?? [])].map((c) => c.uuid));
}

/**
 * The projects a push request changes as the user sees it: a checkout change that only
 * carries a new git state (same path as last sent) is bookkeeping, as planPushResults counts it.
 */
export function userChanges(req: PushRequest, projects: readonly LocalProject[]): Set<string> {
  const sentPath = new Map(
    projects.map((p) => [p.id, p.sync?.kind === 'synced' ? p.sync.pushed_path : null]),
  );
  const out = new Set(req.changes.map((c) => c.uuid));
  for (const c of req.checkouts ?? [])
    if (!('path' in c) || c.git === undefined || sentPath.get(c.uuid) !== c.path) out.add(c.uuid);
  return out;
}

/** Pushes until nothing is left or three rounds have passed. */
export async function pushSyncV1(
  client: SyncClient,
  session: SyncSession,
  prefer: Prefer,
): Promise<void> {
  const { registry, state, events } = session;
  // A lone `sync push` has not run pull's link step: link never-synced projects to the
  // server's records, or they would be pushed as duplicates.
  await linkBeforePush(client, session, prefer);
  await session.gitReady?.();
  const pushed = new Set<string>();
  const apply = { prefer, now: session.now, events };
  const nameOf = (uuid: string) =>
    registry.projects.find((p) => p.id === uuid)?.name ??
    state.pending.deletes.find((d) => d.uuid === uuid)?.name ??
    session.cache.index().get(uuid)?.fields.name ??
    uuid;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const req = pendingChanges(session);
    const touched = pushedProjects(req);
    if (touched.size === 0) break;
    // Only now are the cached records needed (to keep them current): an idle push reads none.
    const index = session.cache.index();
    if (session.dryRun) {
      for (const uuid of userChanges(req, registry.projects))
        events.push({ kind: 'pushed', project: nameOf(uuid) });
      break;
    }
    const byId = new Map<string, LocalProject>(registry.projects.map((p) => [p.id, p]));
    const lost = new Set<string>();
    const ctx: ResultContext = { state, index, byId, machine: req.machine, apply, pushed, lost };
    let conflicts = 0;
    let serverLost: { why: string; serverId: string | undefined } | undefined;
    await prepareRotation(session);
    for (const part of splitPushRequest(req)) {
      // The incarnation as it is now: the first accepted batch rotates it.
      const batch = { ...part, machine: machineRef(registry) };
      const res = await client.push(batch);
      completeRotation(session, batch.machine);
      // A lone push has not checked the server (a pull does, on its first page): its answer's
      // id and head tell a replaced or restored server. That answer marks nothing; the repair
      // below pulls what the server now holds (this batch included) and pushes what it lacks.
      const change = session.pulled || session.repair ? 'same' : serverChange(state, res);
      if (change !== 'same') {
        serverLost = { why: rollbackWhy(change, res), serverId: res.server_id };
        break;
      }
      conflicts += applyPushResults(ctx, batch, res);
      // The cache now holds what this push made: its digest is computed afresh next time.
      delete state.verified;
      state.last_push = session.now;
      state.last_heard = session.now;
      await session.save();
    }
    if (serverLost) {
      await pullSyncV1(client, session, prefer, {
        repair: serverLost.why,
        repairServerId: serverLost.serverId,
      });
      continue;
    }
    if (lost.size > 0 && !session.repair) {
      // The server lost records this machine synced: it went back. Repair as the pull does
      // (everything pulled again), then the next round pushes what it lacks.
      const name = nameOf([...lost][0]!);
      await pullSyncV1(client, session, prefer, {
        repair: `The server no longer has ${name}, which this machine synced (restored from a backup)`,
      });
      continue;
    }
    // Rejected records stay as they are; only conflicts merit another round.
    if (conflicts === 0) break;
  }
  // A record refused in one round is refused again in the next: the report lists it once.
  for (const uuid of pushed) events.push({ kind: 'pushed', project: nameOf(uuid) });
  if (session.repair && !session.dryRun) {
    // Repaired: from now on the cursor belongs to this database.
    if (session.repair.serverId === undefined) delete state.server_id;
    else state.server_id = session.repair.serverId;
    delete session.repair;
    delete state.repairing;
    await session.save();
  }
}
