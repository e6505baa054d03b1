/** The key cache alone: expiry, revocation (clear) and a look-up racing a revocation. */
import { describe, expect, it } from 'vitest';
import { KeyCache } from '../src/storage/key-cache.js';

describe('key cache', () => {
  const at = (start = 1_000) => {
    const clock = { now: start };
    return { clock, cache: new KeyCache(5_000, 3, () => clock.now) };
  };

  it('remembers a live key until its time to live is over', () => {
    const { clock, cache } = at();
    cache.set('h1', 7, cache.begin());
    expect(cache.get('h1')).toBe(7);
    clock.now += 4_999;
    expect(cache.get('h1')).toBe(7);
    clock.now += 1;
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('unknown')).toBeUndefined();
  });

  it('forgets every key on clear, and a look-up begun before the clear is not remembered', () => {
    const { cache } = at();
    cache.set('h1', 1, cache.begin());
    const begun = cache.begin(); // a database look-up starts ...
    cache.clear(); // ... a revocation commits meanwhile ...
    cache.set('h2', 2, begun); // ... and the look-up's (maybe stale) answer arrives
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')).toBeUndefined();
    cache.set('h2', 2, cache.begin());
    expect(cache.get('h2')).toBe(2);
  });

  it('stays within its size bound', () => {
    const { cache } = at();
    for (const [i, hash] of ['a', 'b', 'c', 'd'].entries()) cache.set(hash, i, cache.begin());
    const kept = ['a', 'b', 'c', 'd'].filter((h) => cache.get(h) !== undefined);
    expect(kept.length).toBeLessThanOrEqual(3);
    expect(cache.get('d')).toBe(3);
  });

  it('remembers nothing with a time to live of 0', () => {
    const cache = new KeyCache(0);
    cache.set('h', 1, cache.begin());
    expect(cache.get('h')).toBeUndefined();
  });
});
