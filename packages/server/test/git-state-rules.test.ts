/**
 * The rules on a pushed git state, without a database (property tests): every valid state is
 * accepted and stored in one canonical text whatever its key order, extra keys dropped; a state
 * with one bad field is refused naming that field; and `decideCheckout` reports a change of
 * state exactly when the canonical text differs from the stored one.
 */
import { GIT_OPERATIONS, type GitState, LIMITS } from '@dev-infra/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testSeed } from '../../../test-support/seed.js';
import { parseGitState } from '../src/domain/validate.js';
import { gitStateText, storedGitState } from '../src/storage/git-state.js';
import {
  type CheckoutState,
  decideCheckout,
  prepareCheckout,
} from '../src/storage/push-decisions.js';

const seed = testSeed('GIT_STATE_SEED');
const runs = { seed, numRuns: 300 };
console.log(`git-state rules: seed ${seed} (replay with GIT_STATE_SEED=${seed})`);

const UUID = '3f0c9c1e-8b1a-4e8e-9a57-2a4c1c1b7d11';
const count = fc.integer({ min: 0, max: LIMITS.git_count });
const instant = fc
  .integer({ min: 0, max: 10_000 })
  .map((m) => new Date(Date.UTC(2026, 11, 1) + m * 60_000).toISOString());
/** Ref-like names: printable, with the odd non-ASCII or markup character. */
const ref = fc.stringMatching(/^[a-zA-Z0-9/._<>é-]{1,40}$/);

const knownArb = fc.record({
  branch: fc.option(ref, { nil: null }),
  head: fc.option(fc.stringMatching(/^[0-9a-f]{7,40}$/), { nil: null }),
  upstream: fc.option(ref, { nil: null }),
  ahead: fc.option(count, { nil: null }),
  behind: fc.option(count, { nil: null }),
  modified: count,
  untracked: count,
  stashes: count,
  last_commit_at: fc.option(instant, { nil: null }),
  operation: fc.option(fc.constantFrom(...GIT_OPERATIONS), { nil: null }),
  taken_at: instant,
});
const unknownArb = fc.record({
  unknown: fc.constantFrom('timeout' as const, 'broken' as const),
  taken_at: instant,
});
const stateArb: fc.Arbitrary<GitState> = fc.oneof(knownArb, unknownArb);

/** The object's keys in a shuffled order, plus some keys outside the schema. */
const reshaped = (state: GitState) =>
  fc
    .tuple(
      fc.shuffledSubarray(Object.keys(state), { minLength: Object.keys(state).length }),
      fc.dictionary(fc.constantFrom('files', 'diff', 'message', 'x'), fc.string()),
    )
    .map(([keys, extra]) => ({
      ...extra,
      ...Object.fromEntries(keys.map((k) => [k, (state as Record<string, unknown>)[k]])),
    }));

/** A control character the text rule refuses (C0, DEL, C1). */
const control = fc
  .oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }))
  .map((c) => String.fromCharCode(c));

describe('parseGitState', () => {
  it('accepts every valid state; its canonical text is the same for any key order and drops extra keys', () => {
    fc.assert(
      fc.property(
        stateArb.chain((s) => fc.tuple(fc.constant(s), reshaped(s))),
        ([state, sent]) => {
          const parsed = parseGitState(sent);
          if (!('git' in parsed)) throw new Error(parsed.error);
          expect(parsed.git).not.toBeNull();
          const text = gitStateText(parsed.git!);
          expect(text).toBe(gitStateText(state));
          expect(JSON.stringify(storedGitState(text))).toBe(JSON.stringify(state));
          expect(storedGitState(text)).toEqual(state);
        },
      ),
      runs,
    );
  });

  it('refuses a state with a control character in a name, naming the field', () => {
    fc.assert(
      fc.property(
        knownArb,
        fc.constantFrom('branch' as const, 'upstream' as const, 'head' as const),
        fc.string({ maxLength: 5 }),
        control,
        fc.string({ maxLength: 5 }),
        (state, field, before, bad, after) => {
          const parsed = parseGitState({ ...state, [field]: `${before}${bad}${after}` });
          expect(parsed).toEqual({ error: `git.${field}: holds a control character` });
        },
      ),
      runs,
    );
  });

  it('refuses a count out of range or of the wrong type, naming the field', () => {
    const badCount = fc.oneof(
      fc.integer({ max: -1 }),
      fc.integer({ min: LIMITS.git_count + 1 }),
      fc.double({ min: 0.1, max: 100, noInteger: true }),
      fc.constant('3'),
      fc.constant(true),
    );
    const field = fc.constantFrom('ahead', 'behind', 'modified', 'untracked', 'stashes');
    fc.assert(
      fc.property(knownArb, field, badCount, (state, name, value) => {
        const parsed = parseGitState({ ...state, [name]: value });
        expect(
          'error' in parsed && parsed.error.startsWith(`git.${name}: `),
          JSON.stringify(parsed),
        ).toBe(true);
      }),
      runs,
    );
  });
});

describe('decideCheckout on git states', () => {
  it('reports a change exactly when the canonical text differs from the stored one', () => {
    // A run of changes to one checkout: a state, null, or none (absent).
    const step = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.constantFrom(...fc.sample(stateArb, { seed, numRuns: 3 })),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        const state: CheckoutState = {
          paths: new Map([[7, '/p']]),
          gits: new Map([[7, null]]),
          touched: new Set(),
          seqs: new Map(),
        };
        let stored: string | null = null;
        for (const git of steps) {
          const change = prepareCheckout(
            { uuid: UUID, path: '/p', ...(git === undefined ? {} : { git }) },
            parseGitState,
          );
          const decided = decideCheckout(state, { id: 7, uuid: UUID }, change);
          if ('result' in decided) throw new Error(JSON.stringify(decided.result));
          const next: string | null =
            git === undefined ? stored : git === null ? null : gitStateText(git);
          expect(decided).toEqual({ what: undefined, gitChanged: next !== stored });
          stored = next;
          expect(state.gits.get(7)).toBe(stored);
        }
      }),
      runs,
    );
  });
});
