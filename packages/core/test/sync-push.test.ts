/** Planning what a push's answer does here, tested directly: it is pure. */
import { describe, expect, it } from 'vitest';
import type { SharedFields } from '../src/schema/fields.js';
import type { PushRequest, PushResponse, SyncRecord } from '../src/schema/sync.js';
import type { LocalEntry } from '../src/sync-plan.js';
import { type PushResultsInput, planPushResults } from '../src/sync-push.js';
import type { RegistrySync, Synced } from '../src/sync-state.js';
import { sampleFields } from './fixtures.js';

const NOW = '2026-02-01T00:00:00.000Z';
const UUID = '6a1f0000-0000-4000-8000-0000000000aa';
const GONE = '6a1f0000-0000-4000-8000-0000000000bb';
const machine = { id: 'm-here', name: 'here' };
const base = sampleFields({ description: 'the api', project_type: 'Work' });
const synced = (fields: SharedFields, rev: number): Synced => ({
  kind: 'synced',
  rev,
  base: fields,
  pushed_path: null,
  remote: { kind: 'sync-v1', uuid: UUID },
});
const record = (fields: SharedFields, rev: number, seq: number): SyncRecord => ({
  uuid: UUID,
  rev,
  seq,
  deleted: false,
  fields,
  checkouts: [],
});
const noPending = (): RegistrySync['pending'] => ({ deletes: [], checkout_removals: [] });

function plan(
  over: Partial<PushResultsInput> & { batch: PushRequest; response: PushResponse },
  entry?: LocalEntry,
  cached?: SyncRecord,
) {
  return planPushResults({
    local: (uuid) => (uuid === UUID ? entry : undefined),
    pending: noPending(),
    echo: undefined,
    cached: (uuid) => (uuid === cached?.uuid ? cached : undefined),
    machine,
    ctx: { prefer: 'local', now: NOW },
    ...over,
  });
}

describe('planPushResults', () => {
  it('an applied change moves the base and the revision, notes the echo and the cache', () => {
    const edited = { ...base, description: 'new' };
    const entry: LocalEntry = {
      name: 'api',
      path: '/p/api',
      fields: edited,
      sync: synced(base, 3),
    };
    const out = plan(
      {
        batch: { machine, changes: [{ uuid: UUID, base_rev: 3, fields: edited }] },
        response: {
          results: [{ uuid: UUID, status: 'applied', rev: 4, seq: 9 }],
          checkouts: [],
          head: 11,
        },
      },
      entry,
      record(base, 3, 5),
    );
    expect(out.entries.get(UUID)).toEqual({ sync: { ...synced(edited, 4) }, fields: null });
    expect(out.echo).toEqual({ [UUID]: 9 });
    expect(out.records).toEqual([record(edited, 4, 9)]);
    expect(out.pushed).toEqual([UUID]);
    expect(out.events).toEqual([]);
    expect(out.conflicts).toBe(0);
  });

  it('a conflict is merged with the current record, reported once, and asks for another round', () => {
    const local = { ...base, description: 'mine' };
    const theirs = { ...base, description: 'theirs' };
    const entry: LocalEntry = { name: 'api', path: '/p/api', fields: local, sync: synced(base, 3) };
    const current = record(theirs, 5, 11);
    const out = plan(
      {
        batch: { machine, changes: [{ uuid: UUID, base_rev: 3, fields: local }] },
        response: {
          results: [{ uuid: UUID, status: 'conflict', current }],
          checkouts: [],
          head: 11,
        },
      },
      entry,
    );
    expect(out.conflicts).toBe(1);
    const conflicts = out.events.filter((e) => e.kind === 'conflict');
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ project: 'api', field: 'description' });
    // prefer local: the next round pushes "mine" against the server's current revision.
    expect(out.entries.get(UUID)?.sync).toMatchObject({ rev: 5, base: theirs });
    expect(out.entries.get(UUID)?.fields).toBeNull();
    expect(out.records).toEqual([current]);
    expect(out.echo).toEqual({ [UUID]: 11 });
    expect(out.pushed).toEqual([]);
  });

  it('a rejected change is reported and its pending deletion dropped', () => {
    const pending = { deletes: [{ uuid: GONE, base_rev: 2, name: 'old' }], checkout_removals: [] };
    const out = plan({
      pending,
      batch: { machine, changes: [{ uuid: GONE, base_rev: 2, deleted: true }] },
      response: {
        results: [{ uuid: GONE, status: 'rejected', error: 'nope' }],
        checkouts: [],
        head: 11,
      },
    });
    expect(out.events).toEqual([{ kind: 'rejected', project: GONE, error: 'nope' }]);
    expect(out.pending.deletes).toEqual([]);
    expect(pending.deletes).toHaveLength(1); // the input is left as it was
    expect(out.conflicts).toBe(0);
    expect(out.pushed).toEqual([]);
  });

  it('an applied checkout sets pushed_path and puts this machine in the cached record', () => {
    const entry: LocalEntry = { name: 'api', path: '/p/api', fields: base, sync: synced(base, 3) };
    const out = plan(
      {
        batch: { machine, changes: [], checkouts: [{ uuid: UUID, path: '/p/api' }] },
        response: { results: [], checkouts: [{ uuid: UUID, status: 'applied', seq: 7 }], head: 7 },
      },
      entry,
      record(base, 3, 5),
    );
    expect(out.entries.get(UUID)).toEqual({
      sync: { ...synced(base, 3), pushed_path: '/p/api' },
      fields: null,
    });
    expect(out.records[0]?.checkouts).toEqual([
      { machine_id: 'm-here', machine_name: 'here', path: '/p/api', last_seen: NOW },
    ]);
    expect(out.echo).toEqual({ [UUID]: 7 });
    expect(out.pushed).toEqual([UUID]);
  });
});
