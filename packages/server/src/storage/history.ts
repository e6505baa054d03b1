/**
 * Writing a project's history: one entry per change, inside the change's transaction, under
 * the source the dashboard shows (a machine's name, "dashboard" or "api"). Reading it is a
 * dashboard query (dashboard.ts).
 */
import type { Insertable } from 'kysely';
import { type Db, now } from './backend.js';
import type { ProjectHistoryTable } from './schema.js';
import type { HistoryEntry } from './types.js';

/** The machine name (or "dashboard", "api") a change is recorded under in the history. */
export type Source = string;

export const API_SOURCE: Source = 'api';
export const DASHBOARD_SOURCE: Source = 'dashboard';

/** One entry to write: the project's id, the revision the change took, what it changed. */
export interface HistoryWrite {
  projectId: number;
  seq: number;
  kind: HistoryEntry['kind'];
  /** Changed field names; for a checkout, "added", "moved" or "removed". */
  fields: string[];
}

/** An entry of a push, by uuid: written at the push's end, once its new projects have ids. */
export type PendingHistory = Omit<HistoryWrite, 'projectId'> & { uuid: string };

/** Rows per INSERT: at 7 parameters a row, well within both databases' bound-parameter caps. */
export const HISTORY_BATCH = 500;

/** The rows of `entries`, in batches of `HISTORY_BATCH` (one multi-row INSERT each). */
export function historyBatches(
  accountId: number,
  source: Source,
  at: string,
  entries: HistoryWrite[],
): Insertable<ProjectHistoryTable>[][] {
  const batches: Insertable<ProjectHistoryTable>[][] = [];
  for (let i = 0; i < entries.length; i += HISTORY_BATCH) {
    batches.push(
      entries.slice(i, i + HISTORY_BATCH).map((e) => ({
        account_id: accountId,
        project_id: e.projectId,
        seq: e.seq,
        at,
        source,
        kind: e.kind,
        fields: JSON.stringify(e.fields),
      })),
    );
  }
  return batches;
}

/** Appends one entry to a project's history, stamped now (inside the change's transaction). */
export async function recordHistory(
  trx: Db,
  accountId: number,
  source: Source,
  entry: HistoryWrite,
): Promise<void> {
  for (const rows of historyBatches(accountId, source, now(), [entry]))
    await trx.insertInto('project_history').values(rows).execute();
}
