/** The account digest: one function on both sides, so its properties are what both rely on. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accountDigest,
  type DigestRecord,
  digestDifference,
  digestVerdict,
} from '../src/digest.js';
import { fieldsArb } from './arbitraries.js';

const sha = () => createHash('sha256');
const recordArb: fc.Arbitrary<DigestRecord> = fc.record({
  uuid: fc.uuid(),
  rev: fc.integer({ min: 1, max: 1000 }),
  deleted: fc.boolean(),
  fields: fieldsArb,
  checkouts: fc.uniqueArray(
    fc.record({ machine_id: fc.constantFrom('m1', 'm2', 'm3'), path: fc.constantFrom('/a', '/b') }),
    { selector: (c) => c.machine_id, maxLength: 3 },
  ),
});
const accountArb = fc.uniqueArray(recordArb, { selector: (r) => r.uuid, maxLength: 20 });

describe('accountDigest', () => {
  it('does not depend on the order the records come in', () => {
    fc.assert(
      fc.property(accountArb, fc.func(fc.integer()), (records, key) => {
        const shuffled = [...records].sort((a, b) => key(a.uuid) - key(b.uuid));
        expect(accountDigest(shuffled, sha())).toEqual(accountDigest(records, sha()));
      }),
    );
  });

  it('changes with any record: its revision, its deleted flag, a field, or its absence', () => {
    fc.assert(
      fc.property(
        accountArb.filter((r) => r.length > 0),
        fieldsArb,
        (records, other) => {
          const base = accountDigest(records, sha()).hash;
          const [first, ...rest] = records as [DigestRecord, ...DigestRecord[]];
          const variants: DigestRecord[][] = [
            [{ ...first, rev: first.rev + 1 }, ...rest],
            [{ ...first, deleted: !first.deleted }, ...rest],
            rest,
          ];
          // The same (uuid, rev) with other content: what a restored database hands out again.
          if (JSON.stringify(other) !== JSON.stringify(first.fields))
            variants.push([{ ...first, fields: other }, ...rest]);
          for (const v of variants) expect(accountDigest(v, sha()).hash).not.toBe(base);
        },
      ),
    );
  });

  it('counts tombstones too', () => {
    const r = {
      uuid: 'u',
      rev: 1,
      deleted: true,
      fields: fc.sample(fieldsArb, 1)[0]!,
      checkouts: [],
    };
    expect(accountDigest([r], sha()).count).toBe(1);
    expect(accountDigest([], sha())).toEqual({
      count: 0,
      hash: createHash('sha256').digest('hex'),
    });
  });
});

describe('digestVerdict', () => {
  const view = { count: 2, hash: 'h' };
  it('is the same only at the same head with the same count and hash', () => {
    expect(digestVerdict(view, { ...view, head: 7 }, 7)).toBe('same');
    expect(digestVerdict(view, { count: 2, hash: 'x', head: 7 }, 7)).toBe('differs');
    expect(digestVerdict(view, { count: 3, hash: 'h', head: 7 }, 7)).toBe('differs');
  });
  it('asks for another pull when the head moved on, and calls a head gone back a difference', () => {
    expect(digestVerdict(view, { count: 9, hash: 'x', head: 8 }, 7)).toBe('moved');
    expect(digestVerdict(view, { ...view, head: 6 }, 7)).toBe('differs');
  });
});

describe('digestDifference', () => {
  it('names the records only in one view and those changed', () => {
    fc.assert(
      fc.property(accountArb, accountArb, (a, b) => {
        const d = digestDifference(a, b);
        const inA = new Set(a.map((r) => r.uuid));
        const inB = new Set(b.map((r) => r.uuid));
        expect(d.onlyFirst.every((u) => inA.has(u) && !inB.has(u))).toBe(true);
        expect(d.onlySecond.every((u) => inB.has(u) && !inA.has(u))).toBe(true);
        const same = accountDigest(a, sha()).hash === accountDigest(b, sha()).hash;
        expect(same).toBe(d.onlyFirst.length + d.onlySecond.length + d.changed.length === 0);
      }),
    );
  });
});
