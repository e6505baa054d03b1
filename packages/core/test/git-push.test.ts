/**
 * Git state in the push plan: when a checkout's state is sent (changed, or an hour old), when
 * the collected state replaces the stored one, and what an accepted checkout records.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GitKnownState, GitState } from '../src/schema/git.js';
import {
  GIT_STATE_REFRESH_MS,
  gitToPush,
  keptGitState,
  type LocalEntry,
  planPush,
  sameGitState,
} from '../src/sync-plan.js';
import { planPushResults } from '../src/sync-push.js';
import { decodeProjectSync, encodeProjectSync, type Synced } from '../src/sync-state.js';
import { sampleFields, sampleGitState } from './fixtures.js';

const T0 = '2026-02-01T00:00:00.000Z';
const later = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
const UUID = '6a1f0000-0000-4000-8000-0000000000aa';
const machine = { id: 'm-here', name: 'here' };
const fields = sampleFields();

const clean = (taken_at = T0): GitKnownState => sampleGitState({ last_commit_at: T0, taken_at });

const slot = (pushed_git?: GitState | null): Synced => ({
  kind: 'synced',
  rev: 1,
  base: fields,
  pushed_path: '/p/api',
  remote: { kind: 'sync-v1', uuid: UUID },
  ...(pushed_git === undefined ? {} : { pushed_git }),
});

const entry = (git: GitState | null | undefined, pushed?: GitState | null): LocalEntry => ({
  name: 'api',
  path: '/p/api',
  fields,
  sync: slot(pushed),
  ...(git === undefined ? {} : { git }),
});

const stateArb: fc.Arbitrary<GitState> = fc.oneof(
  fc.record({
    branch: fc.option(fc.constantFrom('main', 'x'), { nil: null }),
    head: fc.option(fc.constant('abc'), { nil: null }),
    upstream: fc.option(fc.constant('origin/main'), { nil: null }),
    ahead: fc.option(fc.nat(3), { nil: null }),
    behind: fc.option(fc.nat(3), { nil: null }),
    modified: fc.nat(3),
    untracked: fc.nat(3),
    stashes: fc.nat(2),
    last_commit_at: fc.option(fc.constant(T0), { nil: null }),
    operation: fc.constantFrom(null, 'merge' as const, 'rebase' as const),
    taken_at: fc.constant(T0),
  }),
  fc.record({
    unknown: fc.constantFrom('timeout' as const, 'broken' as const),
    taken_at: fc.constant(T0),
  }),
);

describe('gitToPush', () => {
  it('sends a new or changed state, never the same one within the hour', () => {
    fc.assert(
      fc.property(stateArb, stateArb, fc.nat(GIT_STATE_REFRESH_MS - 1), (pushed, now, ms) => {
        const current = { ...now, taken_at: later(ms) };
        const sent = gitToPush(current, pushed, later(ms));
        if (sameGitState(current, pushed)) expect(sent).toBeUndefined();
        else expect(sent).toEqual(current);
        expect(gitToPush(current, undefined, later(ms))).toEqual(current);
      }),
    );
  });

  it('sends the same state again once the pushed one is an hour old', () => {
    expect(
      gitToPush(clean(later(GIT_STATE_REFRESH_MS)), clean(), later(GIT_STATE_REFRESH_MS)),
    ).toEqual(clean(later(GIT_STATE_REFRESH_MS)));
  });

  it('clears a pushed state once the folder is no longer a repository, and sends nothing uncollected', () => {
    expect(gitToPush(null, clean(), T0)).toBeNull();
    expect(gitToPush(null, undefined, T0)).toBeUndefined();
    expect(gitToPush(null, null, T0)).toBeUndefined();
    expect(gitToPush(undefined, clean(), T0)).toBeUndefined();
  });
});

describe('keptGitState', () => {
  it('keeps the stored state while it says the same and is under an hour old', () => {
    const stored = clean();
    expect(keptGitState(stored, clean(later(1000)), later(1000))).toBe(stored);
    const dirty = { ...clean(later(1000)), modified: 2 };
    expect(keptGitState(stored, dirty, later(1000))).toBe(dirty);
    const fresh = clean(later(GIT_STATE_REFRESH_MS));
    expect(keptGitState(stored, fresh, later(GIT_STATE_REFRESH_MS))).toBe(fresh);
    expect(keptGitState(stored, null, T0)).toBeNull();
  });
});

describe('planPush with git state', () => {
  it('puts the state on the checkout change only when there is something to say', () => {
    const dirty = { ...clean(later(5)), modified: 1 };
    const req = planPush(
      [
        { uuid: 'same', entry: entry(clean(later(5)), clean()) },
        { uuid: 'changed', entry: entry(dirty, clean()) },
        { uuid: 'first', entry: entry(clean()) },
        { uuid: 'gone', entry: entry(null, clean()) },
        { uuid: 'uncollected', entry: entry(undefined, clean()) },
      ],
      { deletes: [], checkout_removals: [] },
      machine,
      undefined,
      later(5),
    );
    expect(req.changes).toEqual([]);
    expect(req.checkouts).toEqual([
      { uuid: 'changed', path: '/p/api', git: dirty },
      { uuid: 'first', path: '/p/api', git: clean() },
      { uuid: 'gone', path: '/p/api', git: null },
    ]);
  });

  it('without a time (git off, basic mode) never carries git', () => {
    const req = planPush(
      [{ uuid: 'changed', entry: entry({ ...clean(), modified: 1 }, clean()) }],
      { deletes: [], checkout_removals: [] },
      machine,
    );
    expect(req.checkouts).toEqual([]);
  });
});

describe('planPushResults with git state', () => {
  it('records the state sent once the checkout is applied, without reporting a push', () => {
    const dirty = { ...clean(), stashes: 1 };
    const local = entry(dirty, clean());
    const out = planPushResults({
      batch: { machine, changes: [], checkouts: [{ uuid: UUID, path: '/p/api', git: dirty }] },
      response: { head: 7, results: [], checkouts: [{ uuid: UUID, status: 'applied', seq: 7 }] },
      local: (uuid) => (uuid === UUID ? local : undefined),
      pending: { deletes: [], checkout_removals: [] },
      echo: undefined,
      cached: (uuid) =>
        uuid === UUID ? { uuid, rev: 1, seq: 3, deleted: false, fields, checkouts: [] } : undefined,
      machine,
      ctx: { prefer: 'local', now: T0 },
    });
    expect(out.entries.get(UUID)?.sync.pushed_git).toEqual(dirty);
    expect(out.pushed).toEqual([]);
    expect(out.records[0]?.checkouts[0]?.git).toEqual(dirty);
  });

  it('a rejected checkout leaves the pushed state as it was', () => {
    const dirty = { ...clean(), stashes: 1 };
    const local = entry(dirty, clean());
    const out = planPushResults({
      batch: { machine, changes: [], checkouts: [{ uuid: UUID, path: '/p/api', git: dirty }] },
      response: {
        head: 7,
        results: [],
        checkouts: [{ uuid: UUID, status: 'rejected', error: 'no' }],
      },
      local: (uuid) => (uuid === UUID ? local : undefined),
      pending: { deletes: [], checkout_removals: [] },
      echo: undefined,
      cached: () => undefined,
      machine,
      ctx: { prefer: 'local', now: T0 },
    });
    expect(out.entries.get(UUID)).toBeUndefined();
  });
});

describe('the pushed state in the stored slot', () => {
  it('round-trips, and a damaged one is dropped', () => {
    const s = slot({ unknown: 'timeout', taken_at: T0 });
    expect(decodeProjectSync(encodeProjectSync(s), UUID)).toEqual(s);
    const stored = { ...encodeProjectSync(slot()), pushed_git: { branch: 3 } };
    expect(decodeProjectSync(stored, UUID)).toEqual(slot());
  });
});
