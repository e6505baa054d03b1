/**
 * Edits a merge absorbs, pure: a part this machine changed to the value the server's record
 * turned out to hold already is still pushed, named fresh (Synced.fresh), so the server stamps
 * it now; and a project linked again after the server lost its record merges against the base
 * it had (NeverSynced.base), tags tag by tag.
 */
import { describe, expect, it } from 'vitest';
import { relinkLost } from '../src/restore-plan.js';
import type { SharedFields } from '../src/schema/fields.js';
import type { RecordStamps } from '../src/schema/stamps.js';
import { absorbedEdits, joinFresh, withFresh } from '../src/stamps.js';
import { applyRecord, type LocalEntry, planPush } from '../src/sync-plan.js';
import type { Synced } from '../src/sync-state.js';
import { sampleFields } from './fixtures.js';

const UUID = '6a1f0000-0000-4000-8000-0000000000bb';
const machine = { id: 'm-1', name: 'laptop' };
const ctx = { prefer: 'local' as const, now: '2026-12-04T00:00:00.000Z' };
const stamps = (tags: Record<string, number>, live = 1): RecordStamps => ({
  fields: { status: 5 },
  tags,
  live,
});
const synced = (base: SharedFields, rev: number, s: RecordStamps): Synced => ({
  kind: 'synced',
  rev,
  base,
  pushed_path: '/p/api',
  remote: { kind: 'sync-v1', uuid: UUID },
  stamps: s,
});
const entry = (fields: SharedFields, sync: LocalEntry['sync']): LocalEntry => ({
  name: 'api',
  path: '/p/api',
  fields,
  sync,
});

describe('absorbedEdits, joinFresh, withFresh', () => {
  const base = sampleFields({ status: 'active', tags: ['red'] });

  it('names the parts changed here to the value the other side holds, and nothing else', () => {
    const local = { ...base, status: 'paused' as const, tags: ['blue'] };
    expect(absorbedEdits(base, local, { ...local, tags: ['blue'] })).toEqual({
      fields: ['status'],
      tags: ['red', 'blue'],
    });
    // Changed here to another value than theirs: a conflict or a change, not absorbed.
    expect(absorbedEdits(base, local, { ...base, status: 'completed' })).toBeUndefined();
    expect(absorbedEdits(base, base, { ...base, status: 'paused' })).toBeUndefined();
  });

  it('joins two sets of parts and names them fresh in a push, without their stamps', () => {
    expect(joinFresh({ tags: ['a'] }, { fields: ['status'], tags: ['a', 'b'] })).toEqual({
      fields: ['status'],
      tags: ['a', 'b'],
    });
    expect(joinFresh(undefined, undefined)).toBeUndefined();
    const sent = withFresh(
      { fields: { status: 5, description: 7 }, tags: { blue: 3, red: 4 }, live: 1 },
      { fields: ['status'], tags: ['blue'] },
    );
    expect(sent).toEqual({
      fields: { description: 7 },
      tags: { red: 4 },
      live: 1,
      fresh: { fields: ['status'], tags: ['blue'] },
    });
    expect(withFresh(undefined, { tags: ['blue'] })).toBeUndefined();
  });
});

describe('an edit the merge absorbed', () => {
  it('is kept on the slot and pushed, named fresh, though the fields equal the base', () => {
    const base = sampleFields({ tags: [] });
    const local = { ...base, tags: ['blue'] };
    // The server holds blue already, stamped long ago (a copy a restore brought back).
    const remote = { ...base, tags: ['blue'] };
    const applied = applyRecord(
      entry(local, synced(base, 3, stamps({}))),
      UUID,
      {
        rev: 5,
        deleted: false,
        fields: remote,
        stamps: stamps({ blue: 2 }),
      },
      ctx,
    );
    expect(applied?.sync.kind).toBe('synced');
    const slot = applied!.sync as Synced;
    expect(slot.base.tags).toEqual(['blue']);
    expect(slot.fresh).toEqual({ tags: ['blue'] });
    const req = planPush(
      [{ uuid: UUID, entry: entry(local, slot) }],
      { deletes: [], checkout_removals: [] },
      machine,
    );
    expect(req.changes).toHaveLength(1);
    expect(req.changes[0]).toMatchObject({ uuid: UUID, base_rev: 5 });
    const sent = req.changes[0] as { stamps?: { fresh?: unknown; tags?: object } };
    expect(sent.stamps?.fresh).toEqual({ fields: [], tags: ['blue'] });
    expect(sent.stamps?.tags).not.toHaveProperty('blue');
    // A later pull before that push keeps it.
    const again = applyRecord(
      entry(local, slot),
      UUID,
      {
        rev: 6,
        deleted: false,
        fields: { ...remote, description: 'elsewhere' },
        stamps: stamps({ blue: 2 }),
      },
      ctx,
    );
    expect((again!.sync as Synced).fresh).toEqual({ tags: ['blue'] });
  });

  it('a slot without one pushes nothing when its fields equal the base', () => {
    const base = sampleFields({ tags: ['blue'] });
    const req = planPush(
      [{ uuid: UUID, entry: entry(base, synced(base, 5, stamps({ blue: 2 }))) }],
      { deletes: [], checkout_removals: [] },
      machine,
    );
    expect(req.changes).toEqual([]);
  });
});

describe('a project linked again after the server lost its record', () => {
  it('keeps its base and merges tags against it: its additions and the record’s both stay', () => {
    const base = sampleFields({ tags: [] });
    const local = { ...base, tags: ['blue', 'green'] };
    const slot = relinkLost(synced(base, 4, stamps({})), local);
    expect(slot.base).toEqual(base);
    expect(slot.edited).toContain('tags');
    const applied = applyRecord(
      entry(local, slot),
      'other-uuid',
      {
        rev: 9,
        deleted: false,
        fields: { ...base, tags: ['red'] },
        stamps: stamps({ red: 8 }),
      },
      ctx,
    );
    expect([...(applied?.fields?.tags ?? [])].sort()).toEqual(['blue', 'green', 'red']);
    expect(applied?.events.filter((e) => e.kind === 'conflict')).toEqual([]);
  });
});
