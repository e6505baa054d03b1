/**
 * Writing what the server answered to one pushed batch. The decisions (new bases, merged
 * conflicts, dropped pending removals, the echo, the cache's copies) are core's
 * `planPushResults`; this writes them onto the session. The caller saves.
 */

import type { MachineRef } from '@dev-infra/core';
import { type PushRequest, type PushResponse, planPushResults } from '@dev-infra/core';
import type { RecordIndex } from '../cache/records.js';
import type { LocalProject } from '../registry/format.js';
import { type ApplyOptions, localEntry } from './reconcile.js';
import { assignShared, type RegistrySync } from './state.js';

/** What applying a batch's results reads and writes. */
export interface ResultContext {
  state: RegistrySync;
  index: RecordIndex;
  byId: ReadonlyMap<string, LocalProject>;
  machine: MachineRef;
  apply: ApplyOptions;
  /** uuids whose record or checkout the server accepted, reported once at the end. */
  pushed: Set<string>;
  /** uuids of synced records the server no longer has (see planPushResults). */
  lost: Set<string>;
}

/** Applies the record and checkout results of `batch`; returns how many were conflicts. */
export function applyPushResults(
  ctx: ResultContext,
  batch: PushRequest,
  res: PushResponse,
): number {
  const { state, index, byId, apply, pushed } = ctx;
  const plan = planPushResults({
    batch,
    response: res,
    local: (uuid) => {
      const project = byId.get(uuid);
      return project ? localEntry(project) : undefined;
    },
    pending: state.pending,
    echo: state.echo,
    cached: (uuid) => index.get(uuid),
    machine: ctx.machine,
    ctx: { prefer: apply.prefer, now: apply.now },
  });
  for (const [uuid, update] of plan.entries) {
    const project = byId.get(uuid);
    if (!project) continue;
    project.sync = update.sync;
    if (update.fields) assignShared(project, update.fields);
  }
  state.pending = plan.pending;
  if (plan.echo !== undefined) state.echo = plan.echo;
  for (const record of plan.records) index.put(record);
  apply.events.push(...plan.events);
  for (const uuid of plan.pushed) pushed.add(uuid);
  for (const uuid of plan.lost) ctx.lost.add(uuid);
  return plan.conflicts;
}
