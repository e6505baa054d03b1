/** The per-project sync plan, tested directly: it is pure. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Prefer, sameSharedFields } from '../src/merge.js';
import { fieldEquals, SHARED_FIELD_NAMES } from '../src/project.js';
import { repairDeletes } from '../src/restore-plan.js';
import type { SharedFields } from '../src/schema/fields.js';
import type { SyncRecord } from '../src/schema/sync.js';
import {
  type Applied,
  adoptUnedited,
  applyRecord,
  keepLocalSpelling,
  type LocalEntry,
  planPage,
  planPush,
  type RemoteSide,
  sameSync,
  sideOf,
  withApplied,
} from '../src/sync-plan.js';
import { decodeProjectSync, encodeProjectSync, type Synced } from '../src/sync-state.js';
import { fieldsArb, triple } from './arbitraries.js';
import { sampleFields } from './fixtures.js';

const NOW = '2026-02-01T00:00:00.000Z';
const UUID = '6a1f0000-0000-4000-8000-0000000000aa';
const prefer = fc.constantFrom<Prefer>('local', 'remote');
const rev = fc.integer({ min: 1, max: 50 });

const synced = (base: SharedFields, r: number): Synced => ({
  kind: 'synced',
  rev: r,
  base,
  pushed_path: null,
  remote: { kind: 'sync-v1', uuid: UUID },
});
const entry = (fields: SharedFields, sync?: Synced): LocalEntry => ({
  name: 'api',
  path: '/p/api',
  fields,
  sync,
});
/** The entry after an applied plan, as the CLI writes it. */
const after = (e: LocalEntry, a: Applied): LocalEntry => ({
  ...e,
  fields: a.fields ?? e.fields,
  sync: a.sync,
});

describe('applyRecord', () => {
  it('applying the same record twice changes nothing the second time', () => {
    fc.assert(
      fc.property(triple, rev, prefer, ([b, l, r], n, p) => {
        const e = entry(l, b ? synced(b, n) : undefined);
        const remote: RemoteSide = { rev: n + 1, deleted: false, fields: r };
        const first = applyRecord(e, UUID, remote, { prefer: p, now: NOW });
        expect(first).toBeDefined();
        expect(
          applyRecord(after(e, first!), UUID, remote, { prefer: p, now: NOW }),
        ).toBeUndefined();
      }),
    );
  });

  it('in basic mode (revision 0) a second apply reports no change and no conflict', () => {
    fc.assert(
      fc.property(triple, prefer, ([b, l, r], p) => {
        const basic = { kind: 'basic' as const, id: 7 };
        const e = entry(l, b ? { ...synced(b, 0), remote: basic } : undefined);
        const remote: RemoteSide = { rev: 0, deleted: false, fields: r, remote: basic };
        const first = applyRecord(e, UUID, remote, { prefer: p, now: NOW })!;
        const second = applyRecord(after(e, first), UUID, remote, { prefer: p, now: NOW })!;
        expect(second.changed).toBe(false);
        expect(second.events).toEqual([]);
      }),
    );
  });

  it('a deleted-remotely entry takes no record but a live one newer than its tombstone (a restore)', () => {
    fc.assert(
      fc.property(fieldsArb, fieldsArb, fieldsArb, rev, prefer, (b, l, r, n, p) => {
        const e = entry(l, synced(b, n));
        const dead = applyRecord(
          e,
          UUID,
          { rev: n + 1, deleted: true, fields: b },
          {
            prefer: p,
            now: NOW,
          },
        )!;
        expect(dead.fields).toBeNull();
        expect(dead.events).toEqual([{ kind: 'deleted-remotely', project: 'api' }]);
        const gone = after(e, dead);
        expect(gone.sync).toMatchObject({ deleted_remotely: { at: NOW, rev: n + 1 } });
        const ctx = { prefer: p, now: NOW };
        expect(
          applyRecord(gone, UUID, { rev: n + 2, deleted: true, fields: r }, ctx),
        ).toBeUndefined();
        expect(
          applyRecord(gone, UUID, { rev: n + 1, deleted: false, fields: r }, ctx),
        ).toBeUndefined();
        // Restored on another machine: live again here, merged as any newer record is.
        const back = applyRecord(gone, UUID, { rev: n + 2, deleted: false, fields: r }, ctx)!;
        expect(back.sync).toMatchObject({ kind: 'synced', rev: n + 2, base: r });
        expect(back.sync.deleted_remotely).toBeUndefined();
      }),
    );
  });

  it('a conflict is reported once, with the side chosen by prefer', () => {
    const base = { ...fieldsOf('active'), description: 'base' };
    const e = entry({ ...base, description: 'here' }, synced(base, 3));
    const remote: RemoteSide = {
      rev: 4,
      deleted: false,
      fields: { ...base, description: 'there' },
    };
    for (const p of ['local', 'remote'] as const) {
      const first = applyRecord(e, UUID, remote, { prefer: p, now: NOW })!;
      expect(first.events).toEqual([
        {
          kind: 'conflict',
          project: 'api',
          field: 'description',
          local: 'here',
          remote: 'there',
          chosen: p,
        },
      ]);
      expect(applyRecord(after(e, first), UUID, remote, { prefer: p, now: NOW })).toBeUndefined();
    }
  });

  it('fast-forwards an unedited entry to the remote fields, the base becoming them', () => {
    fc.assert(
      fc.property(fieldsArb, fieldsArb, rev, prefer, (b, r, n, p) => {
        const a = applyRecord(
          entry(b, synced(b, n)),
          UUID,
          { rev: n + 1, deleted: false, fields: r },
          {
            prefer: p,
            now: NOW,
          },
        )!;
        expect(sameSharedFields(a.fields ?? b, r)).toBe(true);
        expect(a.sync.base).toEqual(r);
        expect(a.events).toEqual([]);
      }),
    );
  });

  it('keeps the path already pushed, or takes this machine checkout path when it matches', () => {
    const f = fieldsOf('active');
    const mine = applyRecord(
      entry(f),
      UUID,
      { rev: 1, deleted: false, fields: f, checkoutPath: '/p/api' },
      {
        prefer: 'local',
        now: NOW,
      },
    )!;
    expect(mine.sync).toMatchObject({
      pushed_path: '/p/api',
      remote: { kind: 'sync-v1', uuid: UUID },
    });
    const other = applyRecord(
      entry(f),
      UUID,
      { rev: 1, deleted: false, fields: f, checkoutPath: '/x' },
      {
        prefer: 'local',
        now: NOW,
      },
    )!;
    expect(other.sync.pushed_path).toBeNull();
  });
});

describe('planPage', () => {
  const record = (fields: SharedFields, r: number, deleted = false): SyncRecord => ({
    uuid: UUID,
    rev: r,
    seq: r,
    deleted,
    fields,
    checkouts: [],
  });

  it('a page applied twice changes nothing the second time and pulls only news', () => {
    // The feed sends each uuid at most once per page, at its latest revision.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fieldsArb, fieldsArb, fc.boolean(), fc.boolean()), { maxLength: 5 }),
        prefer,
        (recs, p) => {
          const uuid = (i: number) => `u${i}`;
          const page = recs.map(([, f, d], i) => ({ ...record(f, i + 1, d), uuid: uuid(i) }));
          const entries = new Map<string, LocalEntry>();
          recs.forEach(([l, , , held], i) => {
            if (held) entries.set(uuid(i), entry(l));
          });
          const ctx = { prefer: p, now: NOW };
          const first = planPage(page, 'm', (u) => entries.get(u), undefined, ctx);
          for (const [u, applied] of first.updates)
            entries.set(u, withApplied(entries.get(u)!, applied));
          // The feed echoes this machine's own changes: with every seq known, nothing is news.
          const echo = Object.fromEntries(page.map((r) => [r.uuid, r.seq]));
          const again = planPage(page, 'm', (u) => entries.get(u), echo, ctx);
          expect(again.updates.size).toBe(0);
          expect(again.events).toEqual([]);
        },
      ),
    );
  });

  it('counts a record as pulled when it is not this machine echo, local or not', () => {
    const f = fieldsOf('active');
    const plan = planPage([record(f, 3)], 'm', () => undefined, undefined, {
      prefer: 'local',
      now: NOW,
    });
    expect(plan.events).toEqual([{ kind: 'pulled', project: 'api' }]);
    const echoed = planPage(
      [record(f, 3)],
      'm',
      () => undefined,
      { [UUID]: 3 },
      { prefer: 'local', now: NOW },
    );
    expect(echoed.events).toEqual([]);
  });
});

describe('planPush', () => {
  it("sends a restored entry on the tombstone's revision (the slot's own before it was known)", () => {
    const f = fieldsOf('active');
    const machine = { id: 'm', name: 'laptop' };
    const gone = (mark: Synced['deleted_remotely']) => ({
      ...synced(f, 1),
      pushed_path: '/p/api',
      deleted_remotely: mark,
    });
    const req = planPush(
      [
        { uuid: 'known', entry: entry(f, gone({ at: NOW, rev: 6, restore: true })) },
        { uuid: 'old', entry: entry(f, gone({ at: NOW, restore: true })) },
        { uuid: 'kept', entry: entry(f, gone({ at: NOW, rev: 6 })) },
      ],
      { deletes: [], checkout_removals: [] },
      machine,
    );
    expect(req.changes).toEqual([
      { uuid: 'known', base_rev: 6, fields: f },
      { uuid: 'old', base_rev: 1, fields: f },
    ]);
  });

  it('a restore that meets the tombstone at another revision notes it, for the next round', () => {
    const f = fieldsOf('active');
    const e = entry(f, { ...synced(f, 1), deleted_remotely: { at: NOW, restore: true } });
    const ctx = { prefer: 'local' as const, now: NOW };
    const noted = applyRecord(e, UUID, { rev: 7, deleted: true, fields: f }, ctx)!;
    expect(noted.sync.deleted_remotely).toEqual({ at: NOW, rev: 7, restore: true });
    expect(noted.events).toEqual([]);
    expect(applyRecord(after(e, noted), UUID, { rev: 7, deleted: true, fields: f }, ctx)).toBe(
      undefined,
    );
  });

  it('sends new and changed entries and unsent checkouts, never a deleted-remotely one', () => {
    const f = fieldsOf('active');
    const machine = { id: 'm', name: 'laptop' };
    const pending = { deletes: [{ uuid: 'd', base_rev: 4 }], checkout_removals: ['c'] };
    const req = planPush(
      [
        { uuid: 'new', entry: entry(f) },
        {
          uuid: 'same',
          entry: { ...entry(f, synced(f, 2)), sync: { ...synced(f, 2), pushed_path: '/p/api' } },
        },
        { uuid: 'edited', entry: entry({ ...f, status: 'paused' }, synced(f, 5)) },
        { uuid: 'gone', entry: entry(f, { ...synced(f, 1), deleted_remotely: { at: NOW } }) },
      ],
      pending,
      machine,
    );
    expect(req.changes).toEqual([
      // A project without a slot is never synced: its first push names its edits (none), so
      // the create leaves add's values unstamped (seed 3016 caught it stamping them all).
      { uuid: 'new', base_rev: 0, fields: f, stamps: { fresh: { fields: [], tags: [] } } },
      { uuid: 'edited', base_rev: 5, fields: { ...f, status: 'paused' } },
      { uuid: 'd', base_rev: 4, deleted: true },
    ]);
    expect(req.checkouts).toEqual([
      { uuid: 'new', path: '/p/api' },
      { uuid: 'edited', path: '/p/api' },
      { uuid: 'c', removed: true },
    ]);
  });
});

describe('repair after the server went back', () => {
  const f = fieldsOf('active');
  const machine = { id: 'm', name: 'laptop' };
  const record = (uuid: string, r: number, deleted = false): SyncRecord => ({
    uuid,
    rev: r,
    seq: r,
    deleted,
    fields: f,
    checkouts: [{ machine_id: 'm', machine_name: 'laptop', path: '/p/api', last_seen: NOW }],
  });

  it('keeps our newer state when a record arrives below our base revision', () => {
    const mine = { ...f, description: 'after the backup' };
    const e = entry(mine, synced(mine, 7));
    expect(applyRecord(e, UUID, sideOf(record(UUID, 3), 'm'), { prefer: 'local', now: NOW })).toBe(
      undefined,
    );
  });

  it('pushes synced entries the server lost (as new) or holds older (on its revision)', () => {
    const mine = { ...f, description: 'after the backup' };
    const slot = (r: number) => ({ ...synced(mine, r), pushed_path: '/p/api' });
    const server = new Map([
      ['older', record('older', 3)],
      ['current', record('current', 5)],
    ]);
    const req = planPush(
      [
        { uuid: 'lost', entry: entry(mine, slot(4)) },
        { uuid: 'older', entry: entry(mine, slot(6)) },
        { uuid: 'current', entry: entry(mine, slot(5)) },
      ],
      { deletes: [], checkout_removals: [] },
      machine,
      (uuid) => server.get(uuid),
    );
    expect(req.changes).toEqual([
      { uuid: 'lost', base_rev: 0, fields: mine },
      { uuid: 'older', base_rev: 3, fields: mine },
    ]);
    // The lost record's checkout went with it; the older one still has ours.
    expect(req.checkouts).toEqual([{ uuid: 'lost', path: '/p/api' }]);
  });

  it('deletes again what the server brought back, once, and never what it lost', () => {
    const server = new Map([
      ['back', record('back', 2)],
      ['still', record('still', 4, true)],
    ]);
    const seen = [record('back', 5, true), record('still', 4, true), record('lost', 6, true)];
    const pending = { deletes: [], checkout_removals: [] };
    const out = repairDeletes(seen, (uuid) => server.get(uuid), pending);
    // Without stamps (an older work-prod): the lost record's tombstone is not made again.
    expect(out).toEqual([{ uuid: 'back', base_rev: 2, name: f.name, fields: f }]);
    expect(repairDeletes(seen, (uuid) => server.get(uuid), { ...pending, deletes: out })).toEqual(
      [],
    );
  });

  it('a lost record deleted again takes the records of its remote made before the deletion, never one made after or held here', () => {
    const at = (live: number) => ({ fields: {}, tags: {}, live });
    const tomb = { ...record('lost', 6, true), stamps: at(50) };
    const before = { ...record('made-before', 2), stamps: at(40) };
    const after = { ...record('made-after', 3), stamps: at(60) };
    const mine = { ...record('held-here', 4), stamps: at(30) };
    const server = new Map([before, after, mine].map((r) => [r.uuid, r]));
    const pending = { deletes: [], checkout_removals: [] };
    const out = repairDeletes(
      [tomb],
      (uuid) => server.get(uuid),
      pending,
      () => [...server.values()],
      (uuid) => uuid === 'held-here',
    );
    expect(out.map((d) => [d.uuid, d.base_rev])).toEqual([
      ['lost', 0],
      ['made-before', 2],
    ]);
  });
});

describe('adoptUnedited', () => {
  it('takes the remote value of unedited fields set on both sides, as remote-chosen conflicts', () => {
    const local = { ...fieldsOf('active'), description: 'mine' };
    const remote = { ...fieldsOf('paused'), description: 'theirs' };
    const r = adoptUnedited('api', local, new Set(['description']), remote);
    expect(r.fields.status).toBe('paused');
    expect(r.fields.description).toBe('mine');
    expect(r.events).toEqual([
      expect.objectContaining({ kind: 'conflict', field: 'status', chosen: 'remote' }),
    ]);
  });
});

describe('sync slot encoding', () => {
  it('decodes what it encodes, for either remote identity', () => {
    fc.assert(
      fc.property(fieldsArb, rev, fc.boolean(), fc.boolean(), (b, n, basic, gone) => {
        const s: Synced = {
          ...synced(b, n),
          ...(basic ? { remote: { kind: 'basic' as const, id: n } } : {}),
          ...(gone ? { deleted_remotely: { at: NOW } } : {}),
        };
        const back = decodeProjectSync(JSON.parse(JSON.stringify(encodeProjectSync(s))), UUID);
        expect(sameSync(back, s)).toBe(true);
        expect(back).toEqual(s);
      }),
    );
  });
});

function fieldsOf(status: SharedFields['status']): SharedFields {
  return sampleFields({ remote_url: 'https://github.com/acme/api', project_type: 'Work', status });
}

describe('keepLocalSpelling (issue 13 §4: each machine keeps its form of the remote URL)', () => {
  it('a record taken from the server keeps the local spelling of an equivalent URL', () => {
    const base = sampleFields({ remote_url: 'https://github.com/acme/one.git' });
    const local = { ...base, remote_url: 'git@github.com:acme/one' };
    const remote = { ...base, description: 'from A' };
    const applied = applyRecord(
      entry(local, synced(base, 3)),
      UUID,
      { rev: 4, deleted: false, fields: remote },
      {
        prefer: 'local',
        now: NOW,
      },
    );
    expect(applied?.fields).toMatchObject({
      remote_url: 'git@github.com:acme/one',
      description: 'from A',
    });
    expect(applied?.events).toEqual([]);
    // Another repository is a change: taken.
    const moved = { ...base, remote_url: 'https://github.com/acme/two.git' };
    const taken = applyRecord(
      entry(local, synced(base, 3)),
      UUID,
      { rev: 4, deleted: false, fields: moved },
      {
        prefer: 'local',
        now: NOW,
      },
    );
    expect(taken?.fields?.remote_url).toBe('https://github.com/acme/two.git');
  });

  it('property: equal as the merge compares to the merged fields, each value local or merged', () => {
    fc.assert(
      fc.property(fieldsArb, fieldsArb, (local, merged) => {
        const out = keepLocalSpelling(local, merged);
        expect(sameSharedFields(out, merged)).toBe(true);
        for (const f of SHARED_FIELD_NAMES) {
          expect(out[f] === merged[f] || out[f] === local[f]).toBe(true);
          if (fieldEquals(f, local[f], merged[f])) expect(out[f]).toEqual(local[f]);
        }
      }),
    );
  });
});
