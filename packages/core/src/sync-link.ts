/**
 * Which server record a never-synced local project stands for, when no record has its uuid
 * (docs/sync-internals.md, "Which record a new project links to"). Pure.
 */

import { normaliseRemoteUrl } from './remote-url.js';
import type { SyncRecord } from './schema/sync.js';

/** What the choice depends on besides the records. */
export interface LinkCandidates {
  /** The project's normalised remote URL. */
  url: string;
  machineId: string;
  /** uuids no project may link to: held by a local project, or being deleted from here. */
  unavailable: ReadonlySet<string>;
  /** uuids whose checkout a plain `remove` here is taking away (the repo is back). */
  leaving: ReadonlySet<string>;
  /** The feed cursor when the project was registered here, and the deletions made here then. */
  seenCursor: number;
  seenDeleted: ReadonlySet<string>;
  /**
   * In a repair, the records this machine's cache held before it (the server's revisions were
   * handed out again since, so `seenCursor` no longer orders against them): a tombstone was
   * seen at registration only if that cache held it, deleted, at or below `seenCursor`.
   */
  before?: (uuid: string) => SyncRecord | undefined;
}

/**
 * A live record with the URL that no local project holds and that has no checkout on this
 * machine (but for one a plain `remove` here is taking away); else the newest tombstone with
 * the URL that this machine had not seen when the project was registered (the user could not
 * have known it was deleted, so it is that project, deleted: never a new one). A tombstone
 * already seen means the user registered the repo again knowing: a new project (undefined).
 * Revisions, not clocks, give the order.
 */
export function recordForUrl(
  records: readonly SyncRecord[],
  c: LinkCandidates,
): SyncRecord | undefined {
  const candidates = records.filter(
    (r) => !c.unavailable.has(r.uuid) && normaliseRemoteUrl(r.fields.remote_url) === c.url,
  );
  const live = candidates.find(
    (r) =>
      !r.deleted &&
      (c.leaving.has(r.uuid) || !r.checkouts.some((k) => k.machine_id === c.machineId)),
  );
  if (live) return live;
  let newest: SyncRecord | undefined;
  for (const r of candidates) {
    // A tombstone's rev is the revision of its deletion; the feed cursor counts the same
    // revisions, so rev <= cursor means the machine had pulled the deletion.
    if (!r.deleted || c.seenDeleted.has(r.uuid)) continue;
    const old = c.before ? c.before(r.uuid) : r;
    if (old?.deleted && old.rev <= c.seenCursor) continue;
    if (!newest || r.rev > newest.rev) newest = r;
  }
  return newest;
}
