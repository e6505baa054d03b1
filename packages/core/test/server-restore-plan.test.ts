/**
 * The pure rules a repair after a server restore follows (issue 13): the signs that the server
 * went back beyond its head and digest, and what the repair puts right.
 */
import { describe, expect, it } from 'vitest';
import {
  UNKNOWN_CHECKOUT_ERROR,
  UNKNOWN_DELETE_ERROR,
  unknownProjectError,
} from '../src/protocol.js';
import {
  recordBehind,
  relinkLost,
  repairCheckoutRemovals,
  repairPendingDeletes,
} from '../src/restore-plan.js';
import type { SyncRecord } from '../src/schema/sync.js';
import { applyRecord } from '../src/sync-plan.js';
import { planPushResults } from '../src/sync-push.js';
import type { Synced } from '../src/sync-state.js';
import { sampleFields } from './fixtures.js';

const U = '6a1f0000-0000-4000-8000-0000000000aa';
const V = '6a1f0000-0000-4000-8000-0000000000bb';
const machine = { id: 'm-here', name: 'here' };
const base = sampleFields({ description: 'synced' });
const synced = (rev: number, fields = base): Synced => ({
  kind: 'synced',
  rev,
  base: fields,
  pushed_path: null,
  remote: { kind: 'sync-v1', uuid: U },
});
const record = (uuid: string, rev: number, over: Partial<SyncRecord> = {}): SyncRecord => ({
  uuid,
  rev,
  seq: rev,
  deleted: false,
  fields: base,
  checkouts: [],
  ...over,
});
const ctx = { prefer: 'local' as const, now: '2026-12-04T00:00:00.000Z' };

describe('recordBehind', () => {
  it('finds a live record below the revision this machine synced, and nothing else', () => {
    const slot = (uuid: string) => (uuid === U ? synced(7) : undefined);
    expect(recordBehind([record(V, 2), record(U, 7)], slot)).toBeUndefined();
    expect(recordBehind([record(U, 9)], slot)).toBeUndefined();
    expect(recordBehind([record(V, 1), record(U, 5)], slot)).toEqual({
      record: record(U, 5),
      rev: 7,
    });
    const gone = (uuid: string) =>
      uuid === U ? { ...synced(7), deleted_remotely: { at: ctx.now, rev: 7 } } : undefined;
    expect(recordBehind([record(U, 5)], gone)).toBeUndefined();
  });
});

describe('applyRecord at the same revision', () => {
  const entry = { name: 'api', path: '/p/api', fields: base, sync: synced(7) };
  it('skips the same record, takes another one at a revision handed out again', () => {
    expect(applyRecord(entry, U, { rev: 7, deleted: false, fields: base }, ctx)).toBeUndefined();
    const other = { ...base, description: 'pushed after the restore' };
    const applied = applyRecord(entry, U, { rev: 7, deleted: false, fields: other }, ctx);
    expect(applied?.fields).toEqual(other);
    expect(applied?.sync.base).toEqual(other);
  });
});

describe('what a repair puts right', () => {
  it('drops queued deletions of records the server no longer has, rebases the others', () => {
    const server = (uuid: string) => (uuid === U ? record(U, 4) : undefined);
    const out = repairPendingDeletes(
      [
        { uuid: U, base_rev: 9, name: 'api' },
        { uuid: V, base_rev: 3, name: 'web' },
      ],
      server,
    );
    expect(out).toEqual([{ uuid: U, base_rev: 4, name: 'api' }]);
  });

  it('a lost record deleted everywhere also deletes the records of its remote made anew meanwhile', () => {
    const url = { ...base, remote_url: 'https://example.com/acme/api.git' };
    const W = '6a1f0000-0000-4000-8000-0000000000cc';
    const anew = record(V, 6, { fields: url });
    const held = record(W, 7, { fields: url });
    const gone = record(W, 8, { fields: url, deleted: true });
    const server = (uuid: string) => [anew, held].find((r) => r.uuid === uuid);
    const sameRemote = (f: typeof base) => (f.remote_url === url.remote_url ? [anew, held] : []);
    const out = repairPendingDeletes(
      [{ uuid: U, base_rev: 9, name: 'api', fields: url }],
      server,
      sameRemote,
      (uuid) => uuid === W,
    );
    // Ours becomes a tombstone (base 0), and V goes with it; W is held here: left alone.
    expect(out).toEqual([
      { uuid: U, base_rev: 0, name: 'api', fields: url },
      { uuid: V, base_rev: 6, name: 'api', fields: url },
    ]);
    // A tombstone of the remote is nothing to delete; a record the server still has is only
    // rebased.
    expect(
      repairPendingDeletes([{ uuid: U, base_rev: 9, fields: url }], server, () => [gone]),
    ).toEqual([{ uuid: U, base_rev: 0, fields: url }]);
  });

  it('removes again the checkouts of this machine on records no local project stands for', () => {
    const mine = { machine_id: machine.id, machine_name: 'here', path: '/p/x', last_seen: ctx.now };
    const records = [record(U, 1, { checkouts: [mine] }), record(V, 2, { checkouts: [mine] })];
    const pending = { deletes: [], checkout_removals: [] };
    expect(repairCheckoutRemovals(records, machine.id, new Set([U]), pending)).toEqual([V]);
    expect(
      repairCheckoutRemovals(records, machine.id, new Set(), {
        ...pending,
        checkout_removals: [V],
      }),
    ).toEqual([U]);
    expect(repairCheckoutRemovals(records, 'another', new Set(), pending)).toEqual([]);
  });

  it('a lost project goes back to never synced, its edits since the base noted, the base kept', () => {
    const local = { ...base, description: 'edited here', tags: [...base.tags] };
    expect(relinkLost(synced(7), local)).toEqual({
      kind: 'never-synced',
      edited: ['description'],
      seen_cursor: 0,
      seen_deleted: [],
      base: synced(7).base,
    });
  });
});

describe('planPushResults after a restore', () => {
  const entry = { name: 'api', path: '/p/api', fields: base, sync: synced(7) };
  const input = {
    local: (uuid: string) => (uuid === U ? entry : undefined),
    echo: undefined,
    cached: () => undefined,
    machine,
    ctx,
  };

  it('a record the server lost is reported as lost (the caller repairs), not refused', () => {
    const out = planPushResults({
      ...input,
      pending: { deletes: [], checkout_removals: [] },
      batch: {
        machine,
        changes: [{ uuid: U, base_rev: 7, fields: base }],
        checkouts: [{ uuid: U, path: '/p/api', git: null }],
      },
      response: {
        results: [{ uuid: U, status: 'rejected', error: unknownProjectError(7) }],
        checkouts: [{ uuid: U, status: 'rejected', error: UNKNOWN_CHECKOUT_ERROR }],
        head: 3,
      },
    });
    expect(out.lost).toEqual([U]);
    expect(out.events.filter((e) => e.kind === 'rejected')).toEqual([]);
  });

  it('a deletion of a record the server lost is a note, not a refusal', () => {
    const out = planPushResults({
      ...input,
      local: () => undefined,
      pending: { deletes: [{ uuid: V, base_rev: 5, name: 'web' }], checkout_removals: [] },
      batch: { machine, changes: [{ uuid: V, base_rev: 5, deleted: true }] },
      response: {
        results: [{ uuid: V, status: 'rejected', error: UNKNOWN_DELETE_ERROR }],
        checkouts: [],
        head: 3,
      },
    });
    expect(out.pending.deletes).toEqual([]);
    expect(out.events).toEqual([
      { kind: 'note', text: 'web: the server no longer has it (nothing to delete)' },
    ]);
  });

  it('a conflict below our revision: ours is pushed again on the server revision', () => {
    const older = { ...base, description: 'the restored copy' };
    const out = planPushResults({
      ...input,
      pending: { deletes: [], checkout_removals: [] },
      batch: { machine, changes: [{ uuid: U, base_rev: 7, fields: base }] },
      response: {
        results: [{ uuid: U, status: 'conflict', current: record(U, 4, { fields: older }) }],
        checkouts: [],
        head: 4,
      },
    });
    expect(out.conflicts).toBe(1);
    expect(out.entries.get(U)).toEqual({ sync: { ...synced(4), base: older }, fields: null });
  });
});
