/**
 * The serialised answers of `GET /api/projects`, kept by account and filter with the version
 * of the account they were read at (`listVersion`): a repeated list, the polling script's
 * case, is one short query and a copy of bytes, not 1,000 rows read, shaped, serialised and
 * hashed again. Measured (bench/results.md, server section): that work was about 10 ms of CPU
 * per request on 1,000 projects, three quarters of it reading and serialising the rows and
 * hashing the body for its ETag.
 */

/** One kept answer: the body as sent and its tag. */
export interface ListAnswer {
  version: string;
  body: Buffer;
  tag: string;
}

/**
 * How old the newest stamp of a version must be before its answer is kept. Stamps are
 * milliseconds of a server's clock: a second write in the same millisecond (or from an
 * instance whose clock is behind by less than this) could leave the version as it was while
 * changing a `last_seen`; once a version is this old, a later write carries a later stamp.
 */
const SETTLE_MS = 2000;

/** Entries kept (least recently used dropped first): about 0.4 MB each for 1,000 projects. */
const MAX_ENTRIES = 32;

export class ListCache {
  private readonly entries = new Map<string, ListAnswer>();

  /** The kept answer for `key` if it was read at `version`. */
  get(key: string, version: string): ListAnswer | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.version !== version) return undefined;
    // Map keeps insertion order: put it back last, so the first key is the least recent.
    this.entries.set(key, entry);
    return entry;
  }

  /** Keeps `answer` when its version is settled (`newest` stamp old enough, see SETTLE_MS). */
  set(key: string, answer: ListAnswer, newest: string | null, now = Date.now()): void {
    if (newest !== null && !(Date.parse(newest) < now - SETTLE_MS)) return;
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, answer);
  }
}
