/**
 * What the server lost and only one machine may still hold, pure: remakesFromCache (after a
 * repair's full pull, a live record the cache held and the server lost altogether comes back
 * from the cache, unless the project has a record of its own again or was deleted everywhere
 * meanwhile) and owedOnRemoval (a slot marked behind, dropped by a plain `remove`, leaves its
 * parts queued).
 */
import { describe, expect, it } from 'vitest';
import { owedOnRemoval, remakesFromCache } from '../src/restore-plan.js';
import type { SharedFields } from '../src/schema/fields.js';
import type { RecordStamps } from '../src/schema/stamps.js';
import type { SyncRecord } from '../src/schema/sync.js';
import type { PendingRestore, RegistrySync, Synced } from '../src/sync-state.js';
import { sampleFields } from './fixtures.js';

const URL_A = 'https://github.com/acme/api.git';
const stamps = (live: number, fields: RecordStamps['fields'] = {}): RecordStamps => ({
  fields,
  tags: {},
  live,
});
const rec = (
  uuid: string,
  rev: number,
  fields: SharedFields,
  s: RecordStamps | undefined,
  deleted = false,
): SyncRecord => ({
  uuid,
  rev,
  seq: rev,
  deleted,
  fields,
  checkouts: [],
  ...(s ? { stamps: s } : {}),
});
const NO_PENDING: RegistrySync['pending'] = { deletes: [], checkout_removals: [] };

/** remakesFromCache over a server of `records`, nothing held here unless said. */
function remakes(
  before: SyncRecord[],
  records: SyncRecord[],
  options: {
    held?: string[];
    heldUrl?: boolean;
    pending?: RegistrySync['pending'];
    queued?: PendingRestore[];
  } = {},
): PendingRestore[] {
  const byUuid = new Map(records.map((r) => [r.uuid, r]));
  return remakesFromCache(
    before,
    (u) => byUuid.get(u),
    (f) => records.filter((r) => r.fields.remote_url === f.remote_url),
    (u) => (options.held ?? []).includes(u),
    () => options.heldUrl ?? false,
    options.pending ?? NO_PENDING,
    options.queued ?? [],
  );
}

describe('remakesFromCache', () => {
  const edited = sampleFields({ name: 'api', remote_url: URL_A, status: 'completed' });
  const cachedStamps = stamps(10, { status: 40 });
  const lost = rec('lost', 7, edited, cachedStamps);

  it('makes a live record the server lost altogether again, on revision 0, with its stamps', () => {
    expect(remakes([lost], [])).toEqual([
      { uuid: 'lost', base_rev: 0, fields: edited, stamps: cachedStamps },
    ]);
  });

  it('leaves records the server has, tombstones and records without stamps alone', () => {
    const still = rec('lost', 3, sampleFields({ remote_url: URL_A }), stamps(10));
    expect(remakes([lost], [still])).toEqual([]);
    expect(remakes([{ ...lost, deleted: true }], [])).toEqual([]);
    expect(remakes([rec('old', 7, edited, undefined)], [])).toEqual([]);
  });

  it('leaves what a project here holds or is deleting, by uuid or by remote, to its own push', () => {
    expect(remakes([lost], [], { held: ['lost'] })).toEqual([]);
    expect(remakes([lost], [], { heldUrl: true })).toEqual([]);
    const deleting = { ...NO_PENDING, deletes: [{ uuid: 'lost', base_rev: 7, name: 'api' }] };
    expect(remakes([lost], [], { pending: deleting })).toEqual([]);
  });

  it('puts the later parts on a live record of the same remote made anew, not a second record', () => {
    const anew = rec(
      'anew',
      12,
      sampleFields({ name: 'api', remote_url: URL_A }),
      stamps(50, { description: 55 }),
    );
    const out = remakes([lost], [anew]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ uuid: 'anew', base_rev: 12 });
    // The status stamped 40 in the cache beats the new record's unset one; its own stays.
    expect(out[0]!.fields.status).toBe('completed');
    expect(out[0]!.stamps.fields).toMatchObject({ status: 40, description: 55 });
    // Nothing later in the cache: nothing to put back.
    const later = { ...anew, stamps: stamps(50, { status: 60 }) };
    expect(remakes([lost], [later])).toEqual([]);
  });

  it('a tombstone of the same remote deleted after the record was made stands; an older one does not', () => {
    const fields = sampleFields({ name: 'api', remote_url: URL_A });
    expect(remakes([lost], [rec('gone', 20, fields, stamps(30), true)])).toEqual([]);
    expect(remakes([lost], [rec('gone', 20, fields, stamps(5), true)])).toHaveLength(1);
  });
});

describe('owedOnRemoval', () => {
  const base = sampleFields({ name: 'api', remote_url: URL_A, status: 'completed' });
  const slot = (over: Partial<Synced> = {}): Synced => ({
    kind: 'synced',
    rev: 9,
    base,
    pushed_path: '/p/api',
    remote: { kind: 'sync-v1', uuid: 'u' },
    stamps: stamps(10, { status: 40 }),
    behind: true,
    ...over,
  });

  it('a live slot marked behind leaves a restore of its base with its stamps', () => {
    expect(owedOnRemoval('u', 'api', slot())).toEqual({
      restore: { uuid: 'u', base_rev: 9, fields: base, stamps: stamps(10, { status: 40 }) },
    });
  });

  it('a deleted one the deletion again, on the tombstone revision; a restore asked for, nothing', () => {
    const gone = slot({ deleted_remotely: { at: 'T', rev: 12 } });
    expect(owedOnRemoval('u', 'api', gone)).toEqual({
      delete: { uuid: 'u', base_rev: 12, name: 'api', fields: base },
    });
    const restoring = slot({ deleted_remotely: { at: 'T', rev: 12, restore: true } });
    expect(owedOnRemoval('u', 'api', restoring)).toBeUndefined();
  });

  it('nothing owed by a slot in step with the server, without stamps, or in basic mode', () => {
    const { behind: _, ...inStep } = slot();
    expect(owedOnRemoval('u', 'api', inStep)).toBeUndefined();
    const { stamps: __, ...unstamped } = slot();
    expect(owedOnRemoval('u', 'api', unstamped)).toBeUndefined();
    expect(owedOnRemoval('u', 'api', slot({ remote: { kind: 'basic', id: 3 } }))).toBeUndefined();
  });
});
