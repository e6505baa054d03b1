/**
 * The failed-authentication limit: per client address, at most `max` refused keys or session
 * tokens in a fixed window (a minute); past that, the address is answered 429 until the window
 * ends. The per-key rate limit (app.ts) runs after authentication and so never sees a 401: this
 * is what stops guessing keys from one address.
 *
 * The check runs before the key look-up, so a blocked burst costs no database query, and each
 * attempt before the block costs one indexed look-up (unknown keys are never cached). A blocked
 * address is blocked for good keys too: letting a good key through would mean looking up every
 * key the attacker sends. Memory is bounded: past `maxAddresses` the table starts over.
 */

interface Window {
  started: number;
  failures: number;
}

export const AUTH_FAIL_WINDOW_MS = 60_000;

export class FailedAuthLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly max: number,
    private readonly windowMs = AUTH_FAIL_WINDOW_MS,
    private readonly maxAddresses = 100_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Seconds until `address` may try again, or 0 when it is not blocked. */
  retryAfter(address: string): number {
    const w = this.current(address);
    if (w === undefined || w.failures < this.max) return 0;
    return Math.max(1, Math.ceil((w.started + this.windowMs - this.clock()) / 1000));
  }

  /** Counts one refused credential from `address`. */
  fail(address: string): void {
    const w = this.current(address);
    if (w !== undefined) {
      w.failures += 1;
      return;
    }
    if (this.windows.size >= this.maxAddresses) this.windows.clear();
    this.windows.set(address, { started: this.clock(), failures: 1 });
  }

  private current(address: string): Window | undefined {
    const w = this.windows.get(address);
    if (w === undefined) return undefined;
    if (w.started + this.windowMs <= this.clock()) {
      this.windows.delete(address);
      return undefined;
    }
    return w;
  }
}
