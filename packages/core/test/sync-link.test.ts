/** Which record a never-synced project links to by remote URL. */
import { describe, expect, it } from 'vitest';
import type { SyncRecord } from '../src/schema/sync.js';
import { type LinkCandidates, recordForUrl } from '../src/sync-link.js';
import { sampleFields } from './fixtures.js';

const fields = sampleFields({ name: 'cli', remote_url: 'git@github.com:me/cli.git' });
const rec = (uuid: string, rev: number, deleted: boolean, machines: string[] = []): SyncRecord => ({
  uuid,
  rev,
  seq: rev,
  deleted,
  fields,
  checkouts: machines.map((m) => ({ machine_id: m, machine_name: m, path: '/x', last_seen: '' })),
});
const base: LinkCandidates = {
  url: 'github.com/me/cli',
  machineId: 'm',
  unavailable: new Set(),
  leaving: new Set(),
  seenCursor: 0,
  seenDeleted: new Set(),
};

describe('recordForUrl', () => {
  it('a live record wins over any tombstone; one checked out here only when it is leaving', () => {
    const records = [rec('t', 9, true), rec('here', 2, false, ['m']), rec('live', 3, false)];
    expect(recordForUrl(records, base)?.uuid).toBe('live');
    expect(recordForUrl(records.slice(0, 2), base)?.uuid).toBe('t');
    expect(recordForUrl(records.slice(0, 2), { ...base, leaving: new Set(['here']) })?.uuid).toBe(
      'here',
    );
    expect(recordForUrl(records, { ...base, unavailable: new Set(['live']) })?.uuid).toBe('t');
  });

  it('in a repair, seen means deleted in the cache from before it, whatever the revisions now', () => {
    // The restored server numbered the deletion 4, below the cursor at registration (20):
    // revisions were handed out again, so only the old cache tells what had been seen.
    const records = [rec('t', 4, true)];
    const seen = { ...base, seenCursor: 20 };
    expect(recordForUrl(records, seen)).toBeUndefined();
    const before = new Map([['t', rec('t', 3, false)]]);
    expect(recordForUrl(records, { ...seen, before: (u) => before.get(u) })?.uuid).toBe('t');
    expect(recordForUrl(records, { ...seen, before: () => undefined })?.uuid).toBe('t');
    const deletedBefore = new Map([['t', rec('t', 15, true)]]);
    expect(recordForUrl(records, { ...seen, before: (u) => deletedBefore.get(u) })).toBeUndefined();
  });

  it('takes the newest tombstone not seen at registration; none when all were seen', () => {
    const records = [rec('a', 5, true), rec('b', 12, true), rec('c', 8, true)];
    expect(recordForUrl(records, { ...base, seenCursor: 3 })?.uuid).toBe('b');
    expect(
      recordForUrl(records, { ...base, seenCursor: 6, seenDeleted: new Set(['b']) })?.uuid,
    ).toBe('c');
    expect(recordForUrl(records, { ...base, seenCursor: 12 })).toBeUndefined();
  });
});
