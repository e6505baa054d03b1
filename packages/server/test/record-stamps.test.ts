/**
 * Record stamps (issue 13, core's stamps.ts) on both backends: every write path stamps the
 * parts it sets with one fresh stamp of the server's clock and leaves the others alone; a
 * repairing push's stamps are kept on the parts it restores, bounded by the clock; a deletion
 * of a record the server lost leaves a tombstone; a write from an older copy is a conflict
 * even on a matching revision; a record written before migration 0008 has no stamps until
 * its next write.
 */
import { randomUUID } from 'node:crypto';
import { type RecordStamps, STAMPED_FIELDS } from '@dev-infra/core';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { appWithAccount, call, describeBackends, rawDb, syncFields } from './helpers.js';

const laptop = { id: randomUUID(), name: 'laptop' };

/** The latest stamp of a record. */
const latest = (s: RecordStamps) =>
  Math.max(s.live, ...Object.values(s.fields), ...Object.values(s.tags));

describeBackends('record stamps', (backend) => {
  const t = appWithAccount(backend);

  const push = async (changes: unknown[]) => {
    const res = await call(t.app, 'POST', '/api/sync/push', t.auth, { machine: laptop, changes });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.results as {
      uuid: string;
      status: string;
      rev?: number;
      stamps?: RecordStamps;
      error?: string;
    }[];
  };
  /** The feed's record for `uuid`. */
  const record = async (uuid: string) => {
    const res = await call(t.app, 'GET', '/api/sync/changes?since=0', t.auth);
    expect(res.status).toBe(200);
    const found = res.body.changes.find((c: { uuid: string }) => c.uuid === uuid);
    expect(found, `${uuid} in the feed`).toBeDefined();
    return found as { rev: number; deleted: boolean; stamps?: RecordStamps; fields: unknown };
  };

  it('a create stamps every field it sets, each tag and live with one stamp', async () => {
    const uuid = randomUUID();
    const before = Date.now() * 1000;
    const [out] = await push([
      { uuid, base_rev: 0, fields: syncFields('one', { tags: ['a', 'b'], description: 'd' }) },
    ]);
    expect(out!.status).toBe('applied');
    const stamps = (await record(uuid)).stamps!;
    expect(out!.stamps).toEqual(stamps);
    expect(stamps.live).toBeGreaterThanOrEqual(before);
    expect(stamps.live).toBeLessThanOrEqual(Date.now() * 1000);
    // A create sets every field, null ones too: a later restore of an older value loses.
    expect(Object.keys(stamps.fields).sort()).toEqual([...STAMPED_FIELDS].sort());
    expect(new Set([...Object.values(stamps.fields), ...Object.values(stamps.tags)])).toEqual(
      new Set([stamps.live]),
    );
    expect(Object.keys(stamps.tags)).toEqual(['a', 'b']);
  });

  it('a create that names its edits leaves the other fields unset, which any later stamp outlives', async () => {
    const uuid = randomUUID();
    const [out] = await push([
      {
        uuid,
        base_rev: 0,
        fields: syncFields('two', { description: 'mine', tags: ['t'] }),
        stamps: { fresh: { fields: ['description'], tags: ['t'] } },
      },
    ]);
    expect(out!.status).toBe('applied');
    const stamps = out!.stamps!;
    // `add`'s defaults (name, status, ...) are set by no one: no stamp.
    expect(stamps.fields).toEqual({ description: stamps.live });
    expect(stamps.tags).toEqual({ t: stamps.live });
    expect(stamps.live).toBeGreaterThan(0);
  });

  it('an update stamps only the parts it changes, later than any before', async () => {
    const uuid = randomUUID();
    const [created] = await push([
      { uuid, base_rev: 0, fields: syncFields('one', { tags: ['a', 'b'] }) },
    ]);
    const first = created!.stamps!;
    const [updated] = await push([
      {
        uuid,
        base_rev: created!.rev,
        fields: syncFields('one', { tags: ['b', 'c'], status: 'paused' }),
      },
    ]);
    expect(updated!.status).toBe('applied');
    const next = updated!.stamps!;
    const fresh = next.fields.status!;
    expect(fresh).toBeGreaterThan(latest(first));
    expect(next.tags).toEqual({ a: fresh, b: first.tags.b, c: fresh });
    expect(next.fields.name).toBe(first.fields.name);
    expect(next.live).toBe(first.live);
    expect((await record(uuid)).stamps).toEqual(next);
  });

  it('keeps the stamps a repairing push provides for what it restores, bounded by the clock', async () => {
    const uuid = randomUUID();
    const [created] = await push([{ uuid, base_rev: 0, fields: syncFields('one') }]);
    const set = created!.stamps!.live;
    // A value the server lost, first set between the create and now: its stamp stands.
    const lost = set + 1;
    const [restored] = await push([
      {
        uuid,
        base_rev: created!.rev,
        fields: syncFields('one', { description: 'kept', tags: ['t'] }),
        stamps: { fields: { description: lost }, tags: { t: Number.MAX_SAFE_INTEGER } },
      },
    ]);
    expect(restored!.status).toBe('applied');
    const stamps = restored!.stamps!;
    expect(stamps.fields.description).toBe(lost);
    // A stamp from the future is a bug or a forgery: brought back to the clock's reading.
    expect(stamps.tags.t).toBeLessThanOrEqual(Date.now() * 1000);
    expect(stamps.tags.t).toBeGreaterThan(set);
  });

  it('stamps the parts a push edits even when the server already holds their values', async () => {
    const uuid = randomUUID();
    const [created] = await push([{ uuid, base_rev: 0, fields: syncFields('one') }]);
    const first = created!.stamps!;
    // The same values, named as edits (a restore took away the values they replaced): a new
    // revision whose stamps for those parts are fresh.
    const change = {
      uuid,
      base_rev: created!.rev,
      fields: syncFields('one'),
      stamps: {
        fields: { name: first.fields.name },
        fresh: { fields: ['status'], tags: ['gone'] },
      },
    };
    const [edited] = await push([change]);
    expect(edited!.status).toBe('applied');
    expect(edited!.rev).toBeGreaterThan(created!.rev!);
    expect(edited!.stamps!.fields.status).toBeGreaterThan(latest(first));
    expect(edited!.stamps!.tags.gone).toBe(edited!.stamps!.fields.status);
    expect(edited!.stamps!.fields.name).toBe(first.fields.name);
    expect((await record(uuid)).stamps).toEqual(edited!.stamps);
    // A retry of it (its revision is gone) is answered as applied, and changes nothing.
    const [retry] = await push([change]);
    expect(retry).toMatchObject({ status: 'applied', rev: edited!.rev, stamps: edited!.stamps });
    // Without edits named, the same values are no write at all.
    const [same] = await push([{ uuid, base_rev: edited!.rev, fields: syncFields('one') }]);
    expect(same).toMatchObject({ status: 'applied', rev: edited!.rev });
    const [bad] = await push([
      { ...change, base_rev: edited!.rev, stamps: { fresh: { fields: ['tags'] } } },
    ]);
    expect(bad!.status).toBe('rejected');
  });

  it('refuses bad stamps alone and applies the rest of the push', async () => {
    const good = randomUUID();
    const bad = randomUUID();
    const results = await push([
      { uuid: bad, base_rev: 0, fields: syncFields('bad'), stamps: { live: -1 } },
      { uuid: good, base_rev: 0, fields: syncFields('good') },
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'applied']);
    expect(results[0]!.error).toMatch(/stamps/);
  });

  it('a deletion with fields of a record the server does not hold leaves a tombstone', async () => {
    const uuid = randomUUID();
    const live = Date.now() * 1000 - 5_000_000;
    const [out] = await push([
      {
        uuid,
        base_rev: 3,
        deleted: true,
        fields: syncFields('gone'),
        stamps: { live },
      },
    ]);
    expect(out!.status).toBe('applied');
    const tomb = await record(uuid);
    expect(tomb.deleted).toBe(true);
    expect(tomb.stamps!.live).toBe(live);
    // A later create of the same uuid from an older copy does not bring it back.
    const [again] = await push([{ uuid, base_rev: 0, fields: syncFields('gone') }]);
    expect(again!.status).toBe('conflict');
    expect((await record(uuid)).deleted).toBe(true);
  });

  it('takes fields on a tombstone from a copy older than the deletion as a conflict, not a restore', async () => {
    const uuid = randomUUID();
    const [created] = await push([{ uuid, base_rev: 0, fields: syncFields('one') }]);
    const [gone] = await push([{ uuid, base_rev: created!.rev, deleted: true }]);
    // An edit whose copy was made before the deletion (its live stamp), on the tombstone's
    // revision (a restored server hands revisions out again).
    const [stale] = await push([
      {
        uuid,
        base_rev: gone!.rev,
        fields: syncFields('one', { description: 'edit' }),
        stamps: { live: created!.stamps!.live, fresh: { fields: ['description'] } },
      },
    ]);
    expect(stale!.status).toBe('conflict');
    expect((await record(uuid)).deleted).toBe(true);
    // A restore (`dev-infra restore`) sends no live stamp: the project is live again.
    const [restored] = await push([{ uuid, base_rev: gone!.rev, fields: syncFields('one') }]);
    expect(restored!.status).toBe('applied');
    expect((await record(uuid)).deleted).toBe(false);
  });

  it('answers a conflict to a write from an older copy even on a matching revision', async () => {
    const uuid = randomUUID();
    const [created] = await push([
      { uuid, base_rev: 0, fields: syncFields('one', { description: 'old' }) },
    ]);
    const [edited] = await push([
      { uuid, base_rev: created!.rev, fields: syncFields('one', { description: 'new' }) },
    ]);
    // A machine restores `old` with the stamp it was set at, naming the revision it holds
    // (as a restored server hands the same revision out again).
    const [stale] = await push([
      {
        uuid,
        base_rev: edited!.rev,
        fields: syncFields('one', { description: 'old' }),
        stamps: { fields: { description: created!.stamps!.fields.description! } },
      },
    ]);
    expect(stale!.status).toBe('conflict');
    const now = await record(uuid);
    expect(now.fields).toMatchObject({ description: 'new' });
    expect(now.stamps).toEqual(edited!.stamps);
  });

  it('the original API and the dashboard stamp what they change', async () => {
    const created = await call(t.app, 'POST', '/api/projects', t.auth, {
      name: 'api',
      tags: ['x'],
    });
    expect(created.status).toBe(201);
    const uuid = created.body.uuid as string;
    const first = (await record(uuid)).stamps!;
    expect(first.tags).toEqual({ x: first.live });

    const patched = await call(t.app, 'PATCH', `/api/projects/${created.body.id}`, t.auth, {
      description: 'via api',
    });
    expect(patched.status).toBe(200);
    const second = (await record(uuid)).stamps!;
    expect(second.fields.description).toBeGreaterThan(latest(first));
    expect(second.fields.name).toBe(first.fields.name);

    const rev = (await record(uuid)).rev;
    const edit = await backend().storage.editProject(t.accountId, uuid, rev, { status: 'paused' });
    expect(edit.kind).toBe('applied');
    const third = (await record(uuid)).stamps!;
    expect(third.fields.status).toBeGreaterThan(latest(second));
    expect(third.fields.description).toBe(second.fields.description);

    const deleted = await call(t.app, 'DELETE', `/api/projects/${created.body.id}`, t.auth);
    expect(deleted.status).toBe(204);
    const tomb = await record(uuid);
    expect(tomb.deleted).toBe(true);
    expect(tomb.stamps!.live).toBeGreaterThan(latest(third));
    expect(tomb.stamps!.fields).toEqual(third.fields);
  });

  it('a record written before stamps has none until its next write', async () => {
    const uuid = randomUUID();
    const [created] = await push([{ uuid, base_rev: 0, fields: syncFields('old') }]);
    const db = rawDb(backend().target);
    try {
      await sql`update projects set stamps = null where uuid = ${uuid}`.execute(db);
    } finally {
      await db.destroy();
    }
    expect((await record(uuid)).stamps).toBeUndefined();
    const [updated] = await push([
      { uuid, base_rev: created!.rev, fields: syncFields('old', { status: 'paused' }) },
    ]);
    expect(updated!.status).toBe('applied');
    const stamps = (await record(uuid)).stamps!;
    // The write stamps what it set; the untouched parts have no known time and stay unstamped.
    expect(stamps.fields).toEqual({ status: stamps.fields.status });
    expect(stamps.live).toBe(0);
  });
});
