/**
 * A short-lived memory of which account a key hash belongs to. Every API request presents a
 * key; without this, each one costs a database query before any work starts.
 *
 * Revocation: `clear()` (called by the storage's own `revokeKey` once the revocation is
 * committed) drops everything at once, and a look-up already in flight is not remembered, so a
 * key revoked through this process is refused from the next request. A key revoked by another
 * process (`work-prod key revoke`, or another instance on the same PostgreSQL) is still accepted
 * here for at most `ttlMs` (5 s unless WORK_PROD_KEY_CACHE_SECONDS says otherwise), until its
 * entry expires. Unknown and revoked
 * keys are never remembered, so a new key works at once.
 */

/** How long a looked-up key is trusted without asking the database again. */
export const KEY_CACHE_TTL_MS = 5_000;

interface Entry {
  accountId: number;
  expires: number;
}

/** Key hash → account, each entry trusted for `ttlMs`; at most `max` entries. */
export class KeyCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by `clear()`: a look-up that began before a revocation must not be remembered. */
  private epoch = 0;

  constructor(
    private readonly ttlMs = KEY_CACHE_TTL_MS,
    private readonly max = 10_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The cached account of `hash`, unless absent or expired. */
  get(hash: string): number | undefined {
    const entry = this.entries.get(hash);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.clock()) {
      this.entries.delete(hash);
      return undefined;
    }
    return entry.accountId;
  }

  /** A token to take before looking a key up in the database, for `set`. */
  begin(): number {
    return this.epoch;
  }

  /** Remembers that `hash` is a live key of `accountId`, unless a clear came since `begin()`. */
  set(hash: string, accountId: number, begun: number): void {
    if (this.ttlMs <= 0 || begun !== this.epoch) return;
    // Many distinct keys within one TTL is unusual; starting over keeps memory bounded simply.
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(hash, { accountId, expires: this.clock() + this.ttlMs });
  }

  /** Forgets every key (a revocation happened). */
  clear(): void {
    this.epoch += 1;
    this.entries.clear();
  }
}
