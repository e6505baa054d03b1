/**
 * sync-v1 pull: pages through the changes feed from the stored cursor, updates the remote
 * cache and merges each record into this machine's entry. Each page is saved (cache, then
 * registry with its cursor) before the next is fetched, so a pull cut off halfway resumes.
 */
import { CHANGES_MAX_LIMIT, type Prefer, type SyncRecord } from '@dev-infra/core';
import type { LocalProject } from '../registry/format.js';
import type { SyncClient } from '../remote/sync-client.js';
import { RecordIndex } from './cache.js';
import { applyRemote, linkNewProjects, sideOf } from './reconcile.js';
import type { SyncSession } from './session.js';
import { machineRef } from './state.js';

/** True when two records say the same to a user (fields, deletion, where it is checked out). */
function sameRecord(a: SyncRecord | undefined, b: SyncRecord): boolean {
  if (!a || a.rev !== b.rev || a.deleted !== b.deleted) return false;
  const where = (r: SyncRecord) =>
    r.checkouts
      .map((c) => `${c.machine_id}\0${c.path}`)
      .sort()
      .join('\n');
  return where(a) === where(b);
}

/** Applies a record to the local project with its uuid; true when the entry changed. */
export function applyToLocal(
  project: LocalProject,
  record: SyncRecord,
  session: SyncSession,
  prefer: Prefer,
): boolean {
  const before = JSON.stringify(project);
  applyRemote(
    project,
    sideOf(record, session.registry.machine.id),
    prefer,
    session.report,
    session.now,
  );
  return JSON.stringify(project) !== before;
}

/** Pulls every change since the stored cursor. */
export async function pullSyncV1(
  client: SyncClient,
  session: SyncSession,
  prefer: Prefer,
): Promise<void> {
  const { registry, state, report } = session;
  const index = new RecordIndex(session.cache);
  const byId = new Map(registry.projects.map((p) => [p.id, p]));
  const machine = machineRef(registry);
  for await (const page of client.pages(state.cursor, { limit: CHANGES_MAX_LIMIT, machine })) {
    for (const record of page.changes) {
      const known = index.get(record.uuid);
      const local = byId.get(record.uuid);
      const changedHere = local ? applyToLocal(local, record, session, prefer) : false;
      if (changedHere || !sameRecord(known, record)) report.pulled += 1;
      index.put(record);
    }
    if (page.changes.length === 0 && page.next === state.cursor) break;
    state.cursor = page.next;
    session.cache.cursor = page.next;
    session.cache.fetched_at = session.now;
    state.last_pull = session.now;
    await session.save();
  }
  linkNewProjects(registry, index, machine.id, prefer, report, session.now);
  await session.save();
}
