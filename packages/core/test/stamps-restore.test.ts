/**
 * Record stamps across a server restore, pure: a record written by several machines, a
 * snapshot, more writes (lost by the restore), writes after the restore on the restored copy;
 * a machine whose base is the lost state takes the restored server's record through
 * effectiveRemote. Every part must then hold the value of its latest write in either history,
 * and pushing the result back (pushStamps + stampWrite) must leave the server so.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lostRecordSuperseded, relinkRestore } from '../src/restore-plan.js';
import type { SharedFields } from '../src/schema/fields.js';
import type { PushStamps, RecordStamps } from '../src/schema/stamps.js';
import {
  effectiveRemote,
  NO_STAMPS,
  pushStamps,
  STAMPED_FIELDS,
  sameStamps,
  staleWrite,
  stampsRaised,
  stampWrite,
} from '../src/stamps.js';
import { applyRecord, linkedSide, planPush, sideOf } from '../src/sync-plan.js';
import type { Synced } from '../src/sync-state.js';
import { sampleFields } from './fixtures.js';

const TAGS = ['red', 'green', 'blue'];
type Edit = { kind: 'description'; value: string } | { kind: 'tag'; tag: string; on: boolean };
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('description' as const), value: fc.constantFrom('a', 'b', 'c') }),
  fc.record({ kind: fc.constant('tag' as const), tag: fc.constantFrom(...TAGS), on: fc.boolean() }),
);

interface Stored {
  fields: SharedFields;
  stamps: RecordStamps;
}

/** A server copy with its own clock: each write stamps with `clock()`. */
function write(stored: Stored, edit: Edit, clock: () => number): Stored {
  const after = { ...stored.fields, tags: [...stored.fields.tags] };
  if (edit.kind === 'description') after.description = edit.value;
  else if (edit.on && !after.tags.includes(edit.tag)) after.tags.push(edit.tag);
  else if (!edit.on) after.tags = after.tags.filter((t) => t !== edit.tag);
  return {
    fields: after,
    stamps: stampWrite({ before: stored, after, liveChanged: false }, clock),
  };
}

/** A server's clock (stamps rising by 10) and the fields it starts a record with. */
function newServer() {
  let t = 0;
  return { start: sampleFields(), clock: () => (t += 10) };
}

/** A record created with `fields`. */
const created = (fields: SharedFields, clock: () => number): Stored => ({
  fields,
  stamps: stampWrite({ before: undefined, after: fields, liveChanged: true }, clock),
});

/** Each part's value after the last write that set it, over writes in time order. */
function lastWrites(start: SharedFields, edits: readonly Edit[]) {
  let description = start.description;
  const tags = new Map(start.tags.map((t) => [t, true]));
  for (const e of edits)
    if (e.kind === 'description') description = e.value;
    else tags.set(e.tag, e.on);
  return {
    description,
    tags: TAGS.filter((t) => tags.get(t) === true),
  };
}

describe('stampWrite', () => {
  it('stamps what a write changed, keeps the rest, and a retry changes nothing', () => {
    let t = 100;
    const clock = () => ++t;
    const created = stampWrite(
      { before: undefined, after: sampleFields({ tags: ['red'] }), liveChanged: true },
      clock,
    );
    expect(created.live).toBeGreaterThan(100);
    for (const f of STAMPED_FIELDS) expect(created.fields[f]).toBeGreaterThan(100);
    expect(Object.keys(created.tags)).toEqual(['red']);
    const before = { fields: sampleFields({ tags: ['red'] }), stamps: created };
    const after = sampleFields({ description: 'x', tags: ['blue'] });
    const edited = stampWrite({ before, after, liveChanged: false }, clock);
    expect(edited.fields.description).toBeGreaterThan(created.fields.description!);
    expect(edited.fields.status).toBe(created.fields.status);
    // The removed tag keeps a stamp: its removal is a write a restore can lose.
    expect(edited.tags.red).toBeGreaterThan(created.tags.red!);
    expect(edited.tags.blue).toBeGreaterThan(0);
    expect(edited.live).toBe(created.live);
    const again = stampWrite(
      { before: { fields: after, stamps: edited }, after, liveChanged: false },
      clock,
    );
    expect(sameStamps(again, edited)).toBe(true);
  });

  it('keeps a provided stamp for a restored part only when it is later than the stored one', () => {
    let t = 1000;
    const clock = () => ++t;
    const before = {
      fields: sampleFields({ description: 'old' }),
      stamps: { ...NO_STAMPS, fields: { description: 500 } },
    };
    const after = sampleFields({ description: 'lost' });
    const kept = stampWrite(
      { before, after, liveChanged: false, provided: { fields: { description: 700 } } },
      clock,
    );
    expect(kept.fields.description).toBe(700);
    const fresh = stampWrite(
      { before, after, liveChanged: false, provided: { fields: { description: 400 } } },
      clock,
    );
    expect(fresh.fields.description).toBeGreaterThan(1000);
    // Unchanged, with a later stamp provided: the later one.
    const raised = stampWrite(
      {
        before,
        after: before.fields,
        liveChanged: false,
        provided: { fields: { description: 900 } },
      },
      clock,
    );
    expect(raised.fields.description).toBe(900);
  });
});

describe('fresh parts', () => {
  it('pushStamps names the parts edited since the base; stampWrite stamps them even unchanged', () => {
    let t = 1000;
    const clock = () => ++t;
    const base = sampleFields({ description: 'old', tags: ['red', 'blue'] });
    const baseStamps = { fields: { description: 500, status: 400 }, tags: { red: 300 }, live: 1 };
    const local = { ...base, description: 'new', tags: ['blue', 'green'] };
    const given = pushStamps(local, base, baseStamps)!;
    expect(given.fresh).toEqual({ fields: ['description'], tags: ['green', 'red'] });
    expect(given.fields).toEqual({ status: 400 });
    expect(given.tags).toEqual({});
    // A restored server already holds the edit's values, stamped before the lost ones.
    const before = {
      fields: { ...local },
      stamps: { fields: { description: 200, status: 400 }, tags: { red: 250 }, live: 1 },
    };
    const write = { before, after: local, provided: given };
    expect(stampsRaised(write)).toBe(true);
    const stamped = stampWrite({ ...write, liveChanged: false }, clock);
    expect(stamped.fields.description).toBeGreaterThan(1000);
    expect(stamped.tags.red).toBeGreaterThan(1000);
    expect(stamped.tags.green).toBeGreaterThan(1000);
    expect(stamped.fields.status).toBe(400);
    // Nothing edited and nothing later provided: an unchanged write stays unchanged.
    const plain = pushStamps(base, base, baseStamps)!;
    expect(plain.fresh).toBeUndefined();
    const held = { fields: base, stamps: { ...baseStamps, fields: { ...baseStamps.fields } } };
    expect(stampsRaised({ before: held, after: base, provided: plain })).toBe(false);
    expect(stampsRaised({ before: held, after: base })).toBe(false);
  });

  it('an edit made after a restore outlives the lost value it replaced, even when the server held it', () => {
    fc.assert(
      fc.property(
        fc.array(editArb, { maxLength: 6 }),
        fc.array(editArb, { maxLength: 6 }),
        fc.array(editArb, { minLength: 1, maxLength: 4 }),
        (early, lost, edits) => {
          const { start, clock } = newServer();
          let server = created(start, clock);
          for (const e of early) server = write(server, e, clock);
          const snapshot = server;
          for (const e of lost) server = write(server, e, clock);
          // Machines A and B last synced the state the restore is about to lose.
          const base = server;
          server = snapshot;
          // B edits its copy of the lost state, then syncs: it takes the restored record
          // part by part, keeps its edits over it, and pushes the result.
          let local = base.fields;
          for (const e of edits)
            local = write({ fields: local, stamps: NO_STAMPS }, e, clock).fields;
          const eff = effectiveRemote(base.fields, base.stamps, server.fields, server.stamps);
          const merged = { ...eff.fields, tags: [...eff.fields.tags] };
          if (local.description !== base.fields.description) merged.description = local.description;
          for (const tag of TAGS)
            if (local.tags.includes(tag) !== base.fields.tags.includes(tag)) {
              merged.tags = merged.tags.filter((x) => x !== tag);
              if (local.tags.includes(tag)) merged.tags.push(tag);
            }
          const provided = pushStamps(merged, eff.fields, eff.stamps);
          const pushed = stampWrite(
            { before: server, after: merged, liveChanged: false, provided },
            clock,
          );
          // A, still holding the lost state, takes the record: B's edits stand.
          const seen = effectiveRemote(base.fields, base.stamps, merged, pushed);
          if (local.description !== base.fields.description)
            expect(seen.fields.description).toBe(local.description);
          for (const tag of TAGS)
            if (local.tags.includes(tag) !== base.fields.tags.includes(tag))
              expect(seen.fields.tags.includes(tag), tag).toBe(local.tags.includes(tag));
        },
      ),
    );
  });
});

describe('staleWrite', () => {
  it('tells a write made from an older copy: a part it did not edit, changed, stamped no later', () => {
    const before = {
      fields: sampleFields({ status: 'paused', tags: ['red'] }),
      stamps: { fields: { status: 80, description: 10 }, tags: { red: 70 }, live: 1 },
    };
    // Its status is the one set at 40, and the server's was set at 80 since: stale.
    const after = sampleFields({ status: 'active', description: 'mine', tags: ['red'] });
    expect(staleWrite({ before, after, provided: { fields: { status: 40 } } })).toBe(true);
    // A value the server lost (stamped later than the server's): a restore, not stale (with
    // the description this writer edited).
    const restoring = { fields: { status: 90 }, fresh: { fields: ['description' as const] } };
    expect(staleWrite({ before, after, provided: restoring })).toBe(false);
    // An edit (named fresh) is never stale; nor is an unchanged part, nor anything from a
    // writer that sends no stamps (an older client).
    const described = { ...before.fields, description: 'mine' };
    const edit = { fields: { status: 40 }, fresh: { fields: ['description' as const] } };
    expect(staleWrite({ before, after: described, provided: edit })).toBe(false);
    expect(staleWrite({ before, after })).toBe(false);
    // A changed part neither named fresh nor stamped: the writer's copy never had it set,
    // the server's did (stamp 10): stale.
    expect(staleWrite({ before, after: described, provided: { fields: { status: 40 } } })).toBe(
      true,
    );
    // Tags the same way, one by one; a tag the writer's copy never had, removed, is stale.
    const untagged = { ...before.fields, tags: [] };
    expect(staleWrite({ before, after: untagged, provided: { tags: { red: 60 } } })).toBe(true);
    expect(staleWrite({ before, after: untagged, provided: { tags: { red: 75 } } })).toBe(false);
    expect(staleWrite({ before, after: untagged, provided: {} })).toBe(true);
    expect(staleWrite({ before, after: untagged, provided: { fresh: { tags: ['red'] } } })).toBe(
      false,
    );
  });
});

describe('effectiveRemote across a restore', () => {
  it('gives every part the value of its latest write, lost or made after the restore', () => {
    fc.assert(
      fc.property(
        fc.array(editArb, { maxLength: 6 }),
        fc.array(editArb, { maxLength: 6 }),
        fc.array(editArb, { maxLength: 6 }),
        (early, lost, after) => {
          const { start, clock } = newServer();
          let server = created(start, clock);
          // The writes that changed something: one that sets what is already there is none.
          const done: Edit[] = [];
          const apply = (e: Edit) => {
            const next = write(server, e, clock);
            if (!sameStamps(next.stamps, server.stamps)) done.push(e);
            server = next;
          };
          early.forEach(apply);
          const snapshot = server;
          lost.forEach(apply);
          // Machine A last synced the state the restore is about to lose.
          const base = server;
          // Restored: the snapshot, and the clock goes on (stamps after the restore are later).
          server = snapshot;
          after.forEach(apply);
          const eff = effectiveRemote(base.fields, base.stamps, server.fields, server.stamps);
          const want = lastWrites(start, done);
          expect(eff.fields.description).toBe(want.description);
          expect([...eff.fields.tags].sort()).toEqual([...want.tags].sort());
          // Pushed back with the base's stamps, the server holds it, and a second machine
          // holding the same base then finds nothing lost.
          const provided = pushStamps(eff.fields, base.fields, eff.stamps);
          const repaired = stampWrite(
            { before: server, after: eff.fields, liveChanged: false, provided },
            clock,
          );
          const again = effectiveRemote(base.fields, base.stamps, eff.fields, repaired);
          expect(again.behind).toBe(false);
        },
      ),
    );
  });
});

describe('applyRecord and planPush with stamps', () => {
  const machine = { id: 'm1', name: 'one' };
  const slot = (fields: SharedFields, rev: number, stamps: RecordStamps): Synced => ({
    kind: 'synced',
    rev,
    base: fields,
    pushed_path: '/p/api',
    remote: { kind: 'sync-v1', uuid: 'u1' },
    stamps,
  });

  it('keeps a base value the restored server lost, takes its newer one, and pushes the first back', () => {
    const base = sampleFields({ description: 'lost edit', status: 'paused' });
    const baseStamps = { fields: { description: 50, status: 10 }, tags: {}, live: 1 };
    // The restored server: description from before (stamp 20); status set after (stamp 60),
    // at a revision number (3) below ours (7) that it handed out again.
    const theirs = sampleFields({ description: 'old', status: 'completed' });
    const theirStamps = { fields: { description: 20, status: 60 }, tags: {}, live: 1 };
    const entry = { name: 'api', path: '/p/api', fields: base, sync: slot(base, 7, baseStamps) };
    const applied = applyRecord(
      entry,
      'u1',
      { rev: 3, deleted: false, fields: theirs, stamps: theirStamps },
      { prefer: 'local', now: 'now' },
    );
    expect(applied?.fields?.description).toBe('lost edit');
    expect(applied?.fields?.status).toBe('completed');
    expect(applied?.sync.behind).toBe(true);
    expect(applied?.sync.rev).toBe(3);
    const req = planPush(
      [{ uuid: 'u1', entry: { ...entry, fields: applied!.fields!, sync: applied!.sync } }],
      { deletes: [], checkout_removals: [] },
      machine,
    );
    expect(req.changes).toEqual([
      expect.objectContaining({
        uuid: 'u1',
        base_rev: 3,
        stamps: expect.objectContaining({
          fields: expect.objectContaining({ description: 50, status: 60 }),
        }),
      }),
    ]);
  });

  it('marks a tombstone the server lost for deleting again, and takes a record revived after it', () => {
    const base = sampleFields();
    const gone: Synced = {
      ...slot(base, 5, { fields: {}, tags: {}, live: 40 }),
      deleted_remotely: { at: 'then', rev: 5 },
    };
    const entry = { name: 'api', path: '/p/api', fields: base, sync: gone };
    const ctx = { prefer: 'local' as const, now: 'now' };
    const outlived = applyRecord(
      entry,
      'u1',
      { rev: 6, deleted: false, fields: base, stamps: { fields: {}, tags: {}, live: 10 } },
      ctx,
    );
    expect(outlived?.sync.behind).toBe(true);
    expect(outlived?.sync.deleted_remotely?.rev).toBe(6);
    const req = planPush(
      [{ uuid: 'u1', entry: { ...entry, sync: outlived!.sync } }],
      { deletes: [], checkout_removals: [] },
      machine,
    );
    expect(req.changes).toEqual([{ uuid: 'u1', base_rev: 6, deleted: true, fields: base }]);
    const revived = applyRecord(
      entry,
      'u1',
      { rev: 2, deleted: false, fields: base, stamps: { fields: {}, tags: {}, live: 90 } },
      ctx,
    );
    expect(revived?.sync.deleted_remotely).toBeUndefined();
  });

  it('links a never-synced project to the record with the parts the cache held later, and pushes them', () => {
    // The restored server lost tag red and a description (the cache had them stamped 50).
    const record = {
      uuid: 'u1',
      rev: 4,
      seq: 4,
      deleted: false,
      fields: sampleFields({ description: 'old' }),
      stamps: { fields: { description: 20 }, tags: {}, live: 1 },
      checkouts: [],
    };
    const restore = {
      uuid: 'u1',
      base_rev: 4,
      fields: sampleFields({ description: 'lost', tags: ['red'] }),
      stamps: { fields: { description: 50 }, tags: { red: 50 }, live: 1 },
    };
    const side = linkedSide(record, machine.id, restore);
    expect(side).toMatchObject({ rev: 4, fields: restore.fields, behind: true });
    expect(linkedSide(record, machine.id, undefined)).toEqual(sideOf(record, machine.id));
    // A project added here (no sync yet) takes the record as linking does.
    const local = sampleFields();
    const entry = { name: 'api', path: '/p/api', fields: local, sync: undefined };
    const applied = applyRecord(entry, 'u1', side, { prefer: 'local', now: 'now' })!;
    expect(applied.sync.behind).toBe(true);
    expect(applied.sync.base).toEqual(restore.fields);
    const linked = { ...entry, fields: applied.fields ?? local, sync: applied.sync };
    expect(linked.fields).toMatchObject({ description: 'lost', tags: ['red'] });
    // Its push restores the lost parts with their stamps; the queued restore is not sent too.
    const req = planPush(
      [{ uuid: 'u1', entry: linked }],
      { deletes: [], checkout_removals: [], restores: [restore] },
      machine,
    );
    expect(req.changes).toEqual([
      expect.objectContaining({
        uuid: 'u1',
        base_rev: 4,
        fields: restore.fields,
        stamps: expect.objectContaining({ fields: { description: 50 }, tags: { red: 50 } }),
      }),
    ]);
  });
});

describe('lostRecordSuperseded', () => {
  const lost: Synced = {
    kind: 'synced',
    rev: 5,
    base: sampleFields(),
    pushed_path: '/p/api',
    remote: { kind: 'sync-v1', uuid: 'ours' },
    stamps: { fields: {}, tags: {}, live: 100 },
  };
  const other = (deleted: boolean, live: number) => ({
    uuid: 'theirs',
    rev: 9,
    seq: 9,
    deleted,
    fields: sampleFields(),
    stamps: { fields: {}, tags: {}, live },
    checkouts: [],
  });

  it('links again to a live record of the same remote, or a tombstone of one deleted after ours was made', () => {
    expect(lostRecordSuperseded(lost, [])).toBe(false);
    expect(lostRecordSuperseded(lost, [other(false, 50)])).toBe(true);
    // Deleted everywhere after our record was made: ours would have been the one deleted.
    expect(lostRecordSuperseded(lost, [other(true, 150)])).toBe(true);
    // Deleted before ours was made: ours is a project registered again since, its own.
    expect(lostRecordSuperseded(lost, [other(true, 50)])).toBe(false);
    // Without stamps (an older work-prod) a tombstone says nothing of when.
    const unstamped = { ...lost };
    delete unstamped.stamps;
    expect(lostRecordSuperseded(unstamped, [other(true, 150)])).toBe(false);
  });
});

describe('a new project and a record made anew', () => {
  it('a first push names the fields edited here; a create leaves the rest unset', () => {
    const fields = sampleFields({ description: 'mine', tags: ['red'] });
    const never = {
      kind: 'never-synced' as const,
      edited: ['description', 'tags'],
      seen_cursor: 0,
      seen_deleted: [],
    };
    const req = planPush(
      [{ uuid: 'u1', entry: { name: 'api', path: '/p/api', fields, sync: never } }],
      { deletes: [], checkout_removals: [] },
      { id: 'm1', name: 'one' },
    );
    expect(req.changes[0]).toMatchObject({
      base_rev: 0,
      stamps: { fresh: { fields: ['description'], tags: ['red'] } },
    });
    let t = 100;
    const stamps = stampWrite(
      {
        before: undefined,
        after: fields,
        liveChanged: true,
        provided: (req.changes[0] as { stamps: PushStamps }).stamps,
      },
      () => ++t,
    );
    expect(Object.keys(stamps.fields)).toEqual(['description']);
    expect(Object.keys(stamps.tags)).toEqual(['red']);
    expect(stamps.live).toBeGreaterThan(100);
  });

  it('a lost project relinked to a record made anew brings the parts its base holds later', () => {
    const base = sampleFields({ status: 'completed' });
    const lost: Synced = {
      kind: 'synced',
      rev: 5,
      base,
      pushed_path: '/p/api',
      remote: { kind: 'sync-v1', uuid: 'ours' },
      stamps: { fields: { status: 50, name: 10 }, tags: {}, live: 10 },
    };
    const anew = {
      uuid: 'theirs',
      rev: 9,
      seq: 9,
      deleted: false,
      fields: sampleFields({ description: 'theirs' }),
      stamps: { fields: { description: 90 }, tags: {}, live: 90 },
      checkouts: [],
    };
    expect(relinkRestore(lost, anew)).toMatchObject({
      uuid: 'theirs',
      base_rev: 9,
      fields: { status: 'completed', description: 'theirs' },
    });
    // Nothing of ours is later: nothing to restore.
    const newer = { ...anew, stamps: { fields: { status: 60, name: 20 }, tags: {}, live: 90 } };
    expect(relinkRestore(lost, newer)).toBeUndefined();
  });
});
