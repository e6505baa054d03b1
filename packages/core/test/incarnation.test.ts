/** The order of a registry's incarnation tokens (`COUNTER.UUID`), read by the counter. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { incarnationCounter } from '../src/protocol.js';

describe('incarnationCounter', () => {
  it('reads the counter; anything else counts as 0', () => {
    expect(incarnationCounter('12.6a1f0000-0000-4000-8000-0000000000aa')).toBe(12);
    expect(incarnationCounter('1.x')).toBe(1);
    for (const other of ['', 'abc', '.1', '-3.x', '6a1f0000-0000-4000-8000-0000000000aa'])
      expect(incarnationCounter(other)).toBe(0);
    // More digits than a safe integer holds is no counter either.
    expect(incarnationCounter(`${'9'.repeat(16)}.x`)).toBe(0);
  });

  it('property: a later token of one registry has the higher counter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.uuid(), fc.uuid(), (n, a, b) => {
        expect(incarnationCounter(`${n + 1}.${b}`)).toBeGreaterThan(
          incarnationCounter(`${n}.${a}`),
        );
      }),
    );
  });
});
