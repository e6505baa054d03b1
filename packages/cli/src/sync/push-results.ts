/**
 * Writing what the server answered to one pushed batch: accepted records become the new
 * base (and the cache's copy, and the echo the next pull ignores), conflicts are merged with
 * the server's current record for the next round, refusals are reported. The caller saves.
 */
import type {
  MachineRef,
  PushChange,
  PushRequest,
  PushResponse,
  SyncRecord,
} from '@dev-infra/core';
import type { RecordIndex } from '../cache/records.js';
import type { LocalProject } from '../registry/format.js';
import { type ApplyOptions, applyRemote, sideOf } from './reconcile.js';
import { projectSync, type RegistrySync, setProjectSync } from './state.js';

/** What applying a batch's results reads and writes. */
export interface ResultContext {
  state: RegistrySync;
  index: RecordIndex;
  byId: ReadonlyMap<string, LocalProject>;
  machine: MachineRef;
  apply: ApplyOptions;
  /** uuids whose record or checkout the server accepted, reported once at the end. */
  pushed: Set<string>;
}

function noteEcho(state: RegistrySync, uuid: string, seq: number): void {
  state.echo = { ...state.echo, [uuid]: Math.max(seq, state.echo?.[uuid] ?? 0) };
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

/** Applies the record results of `batch`; returns how many were conflicts. */
export function applyChangeResults(
  ctx: ResultContext,
  batch: PushRequest,
  res: PushResponse,
): number {
  const { state, index, byId, apply, pushed } = ctx;
  const sent = new Map(batch.changes.map((c) => [c.uuid, c]));
  let conflicts = 0;
  for (const r of res.results) {
    const change = sent.get(r.uuid);
    const project = byId.get(r.uuid);
    const pendingIdx = state.pending.deletes.findIndex((d) => d.uuid === r.uuid);
    if (r.status === 'applied' && change) {
      pushed.add(r.uuid);
      noteEcho(state, r.uuid, r.seq);
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
      noteEcho(state, r.uuid, r.current.seq);
      index.put(r.current);
      if (pendingIdx >= 0) {
        // The user asked to delete it everywhere: delete the current revision (or
        // stop, when someone else already did).
        const pending = state.pending.deletes[pendingIdx]!;
        if (r.current.deleted) state.pending.deletes.splice(pendingIdx, 1);
        else pending.base_rev = r.current.rev;
      } else if (project) {
        applyRemote(project, sideOf(r.current, ctx.machine.id), apply);
      }
      conflicts += 1;
    } else if (r.status === 'rejected') {
      if (pendingIdx >= 0) state.pending.deletes.splice(pendingIdx, 1);
      apply.events.push({ kind: 'rejected', project: project?.name ?? r.uuid, error: r.error });
    }
  }
  return conflicts;
}

/** Applies the checkout results of a batch. */
export function applyCheckoutResults(ctx: ResultContext, res: PushResponse): void {
  const { state, index, byId, apply, pushed } = ctx;
  for (const c of res.checkouts ?? []) {
    const removal = state.pending.checkout_removals.indexOf(c.uuid);
    const project = byId.get(c.uuid);
    if (c.status === 'applied') {
      noteEcho(state, c.uuid, c.seq);
      noteCheckout(index, ctx.machine, c.uuid, project?.path, apply.now);
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
      apply.events.push({
        kind: 'rejected',
        project: project.name,
        error: `checkout: ${c.error}`,
      });
    }
  }
}
