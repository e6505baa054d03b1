/**
 * sync-v1 push: sends new and changed projects (compare-and-swap on the base revision), this
 * machine's checkouts, and pending deletions. A conflict is merged with the server's current
 * record and pushed again (at most three rounds). Each batch's results are saved before the
 * next batch, and a rerun after a cut-off push is safe: the server answers an equal retry
 * as applied.
 */
import {
  type MachineRef,
  type Prefer,
  type PushChange,
  type PushRequest,
  planPush,
  type SyncRecord,
} from '@dev-infra/core';
import type { LocalProject } from '../registry/format.js';
import { type SyncClient, splitPushRequest } from '../remote/sync-client.js';
import type { RecordIndex } from './cache.js';
import { linkBeforePush } from './link-push.js';
import { applyRemote, localEntry, sideOf } from './reconcile.js';
import type { SyncSession } from './session.js';
import { machineRef, projectSync, setProjectSync } from './state.js';

const MAX_ROUNDS = 3;

/** The changes this machine has to send (see core's planPush). */
export function pendingChanges(session: Pick<SyncSession, 'registry' | 'state'>): PushRequest {
  const { registry, state } = session;
  const entries = registry.projects.map((p) => ({ uuid: p.id, entry: localEntry(p) }));
  return planPush(entries, state.pending, machineRef(registry));
}

/** The projects a push request touches (a record and its checkout count once). */
export function pushedProjects(req: PushRequest): Set<string> {
  return new Set([...req.changes, ...(req.checkouts ?? [])].map((c) => c.uuid));
}

/** The record the cache should hold after our change was applied. */
function afterApply(
  known: SyncRecord | undefined,
  change: PushChange,
  rev: number,
  seq: number,
): SyncRecord {
  const fields = 'fields' in change ? change.fields : (known?.fields as SyncRecord['fields']);
  return {
    uuid: change.uuid,
    rev,
    seq: Math.max(seq, known?.seq ?? 0),
    deleted: 'deleted' in change,
    fields,
    checkouts: known?.checkouts ?? [],
  };
}

/**
 * Puts this machine's checkout change into the cached record, so that the feed's echo of
 * our own push is recognised as nothing new.
 */
function noteCheckout(
  index: RecordIndex,
  machine: MachineRef,
  uuid: string,
  path: string | undefined,
  now: string,
): void {
  const record = index.get(uuid);
  if (!record) return;
  const others = record.checkouts.filter((c) => c.machine_id !== machine.id);
  const mine =
    path === undefined
      ? []
      : [{ machine_id: machine.id, machine_name: machine.name, path, last_seen: now }];
  index.put({ ...record, checkouts: [...others, ...mine] });
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
  const pushed = new Set<string>();
  const apply = { prefer, now: session.now, events };
  const nameOf = (uuid: string) =>
    registry.projects.find((p) => p.id === uuid)?.name ??
    state.pending.deletes.find((d) => d.uuid === uuid)?.name ??
    session.cache.index().get(uuid)?.fields.name ??
    uuid;
  const noteEcho = (uuid: string, seq: number) => {
    state.echo = { ...state.echo, [uuid]: Math.max(seq, state.echo?.[uuid] ?? 0) };
  };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const req = pendingChanges(session);
    const touched = pushedProjects(req);
    if (touched.size === 0) break;
    // Only now are the cached records needed (to keep them current): an idle push reads none.
    const index = session.cache.index();
    if (session.dryRun) {
      for (const uuid of touched) events.push({ kind: 'pushed', project: nameOf(uuid) });
      break;
    }
    const byId = new Map<string, LocalProject>(registry.projects.map((p) => [p.id, p]));
    let conflicts = 0;
    for (const batch of splitPushRequest(req)) {
      const res = await client.push(batch);
      const sent = new Map(batch.changes.map((c) => [c.uuid, c]));
      for (const r of res.results) {
        const change = sent.get(r.uuid);
        const project = byId.get(r.uuid);
        const pendingIdx = state.pending.deletes.findIndex((d) => d.uuid === r.uuid);
        if (r.status === 'applied' && change) {
          pushed.add(r.uuid);
          noteEcho(r.uuid, r.seq);
          index.put(afterApply(index.get(r.uuid), change, r.rev, r.seq));
          if (pendingIdx >= 0) state.pending.deletes.splice(pendingIdx, 1);
          if (project && 'fields' in change) {
            const sync = projectSync(project);
            setProjectSync(project, {
              ...(sync ?? { pushed_path: null }),
              rev: r.rev,
              base: change.fields,
            });
          }
        } else if (r.status === 'conflict') {
          noteEcho(r.uuid, r.current.seq);
          index.put(r.current);
          if (pendingIdx >= 0) {
            // The user asked to delete it everywhere: delete the current revision (or
            // stop, when someone else already did).
            const pending = state.pending.deletes[pendingIdx]!;
            if (r.current.deleted) state.pending.deletes.splice(pendingIdx, 1);
            else pending.base_rev = r.current.rev;
          } else if (project) {
            applyRemote(project, sideOf(r.current, registry.machine.id), apply);
          }
          conflicts += 1;
        } else if (r.status === 'rejected') {
          if (pendingIdx >= 0) state.pending.deletes.splice(pendingIdx, 1);
          events.push({ kind: 'rejected', project: project?.name ?? r.uuid, error: r.error });
        }
      }
      for (const c of res.checkouts ?? []) {
        const removal = state.pending.checkout_removals.indexOf(c.uuid);
        const project = byId.get(c.uuid);
        if (c.status === 'applied') {
          noteEcho(c.uuid, c.seq);
          noteCheckout(index, req.machine, c.uuid, project?.path, session.now);
        }
        if (removal >= 0 && !project) {
          state.pending.checkout_removals.splice(removal, 1);
          if (c.status === 'applied') pushed.add(c.uuid);
          continue;
        }
        const sync = project ? projectSync(project) : undefined;
        if (c.status === 'applied' && project && sync) {
          setProjectSync(project, { ...sync, pushed_path: project.path });
          pushed.add(c.uuid);
        } else if (c.status === 'rejected' && project) {
          events.push({
            kind: 'rejected',
            project: project.name,
            error: `checkout: ${c.error}`,
          });
        }
      }
      state.last_push = session.now;
      await session.save();
    }
    // Rejected records stay as they are; only conflicts merit another round.
    if (conflicts === 0) break;
  }
  // A record refused in one round is refused again in the next: the report lists it once.
  for (const uuid of pushed) events.push({ kind: 'pushed', project: nameOf(uuid) });
}
