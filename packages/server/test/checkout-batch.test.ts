/**
 * A push's checkout changes are applied in batches (a few statements per batch, not per
 * change). These tests hold the batched path to the results of applying the same changes one
 * push at a time, and to hand-worked expectations: per-change results in order, seqs, the
 * feed, checkouts and history, across batch boundaries, with duplicates, unknown projects,
 * removals, path problems and tombstones.
 */
import { randomUUID } from 'node:crypto';
import type { PushResponse, SyncRecord } from '@dev-infra/core';
import { expect, it } from 'vitest';
import type { PushInput, Storage } from '../src/storage/types.js';
import { describeBackends, newAccount, syncFields } from './helpers.js';

const laptop = { id: randomUUID(), name: 'laptop' };

type Changes = PushInput['changes'];
type Checkouts = PushInput['checkouts'];

const create = (uuid: string, name = `p-${uuid.slice(0, 8)}`) => ({
  uuid,
  base_rev: 0,
  fields: syncFields(name),
});

/** Push results without their stamps (times, not results: two accounts' differ). */
const unstamped = (results: PushResponse['results']) =>
  results.map((r) => {
    if (r.status === 'applied') {
      const { stamps: _, ...rest } = r;
      return rest;
    }
    if (r.status === 'conflict') {
      const { stamps: _, ...current } = r.current;
      return { ...r, current };
    }
    return r;
  });

/** The whole feed of an account, without last_seen and stamps (times, not results). */
async function feed(storage: Storage, accountId: number): Promise<unknown[]> {
  const records: SyncRecord[] = [];
  let since = 0;
  for (;;) {
    const page = await storage.changes(accountId, since, 1000);
    records.push(...page.changes);
    since = page.next;
    if (!page.more) break;
  }
  return records.map(({ stamps: _, ...r }) => ({
    ...r,
    checkouts: r.checkouts
      .map(({ last_seen: _, ...c }) => c)
      .sort((a, b) => (a.path < b.path ? -1 : 1)),
  }));
}

/** Every live project's history, without the time of each entry. */
async function histories(storage: Storage, accountId: number) {
  const projects = await storage.listProjects(accountId, {});
  const out: Record<string, string[]> = {};
  for (const p of projects)
    out[p.uuid] = (await storage.projectHistory(accountId, p.id, 100))
      .reverse()
      .map((e) => `${e.seq} ${e.source} ${e.kind} ${e.fields.join(',')}`);
  return out;
}

describeBackends('batched checkout changes', (backend) => {
  const storage = () => backend().storage;

  /** A fresh account after `setup` pushes (record changes with their checkouts). */
  async function account(setup: [Changes, Checkouts][]) {
    const { id } = await newAccount(storage());
    for (const [changes, checkouts] of setup)
      await storage().push(id, { machine: laptop, changes, checkouts });
    return id;
  }

  /**
   * Pushes `changes` with `checkouts` in one push on one account, and on another the changes
   * alone and then each checkout change in a push of its own (which a batch cannot merge with
   * anything); expects the same results, head, feed and history. Returns the single push.
   */
  async function sameAsOneByOne(
    setup: [Changes, Checkouts][],
    changes: Changes,
    checkouts: Checkouts,
  ): Promise<{ out: PushResponse; accountId: number }> {
    const batched = await account(setup);
    const out = await storage().push(batched, { machine: laptop, changes, checkouts });

    const single = await account(setup);
    const first = await storage().push(single, { machine: laptop, changes, checkouts: [] });
    const results = [];
    let head = first.head;
    for (const c of checkouts) {
      const one = await storage().push(single, { machine: laptop, changes: [], checkouts: [c] });
      results.push(...one.checkouts);
      head = one.head;
    }
    expect(unstamped(out.results)).toEqual(unstamped(first.results));
    expect(out.checkouts).toEqual(results);
    expect(out.head).toBe(head);
    expect(await feed(storage(), batched)).toEqual(await feed(storage(), single));
    expect(await histories(storage(), batched)).toEqual(await histories(storage(), single));
    return { out, accountId: batched };
  }

  it('applies a first push of 1,200 creates with their checkouts (three batches) as one by one', async () => {
    const uuids = Array.from({ length: 1200 }, () => randomUUID());
    const { out, accountId } = await sameAsOneByOne(
      [],
      uuids.map((uuid, i) => create(uuid, `bulk${i}`)),
      uuids.map((uuid, i) => ({ uuid, path: `/bulk/${i}` })),
    );
    expect(unstamped(out.results)).toEqual(
      uuids.map((uuid, i) => ({ uuid, status: 'applied', rev: i + 1, seq: i + 1 })),
    );
    expect(out.results.every((r) => r.status === 'applied' && r.stamps !== undefined)).toBe(true);
    expect(out.checkouts).toEqual(
      uuids.map((uuid, i) => ({ uuid, status: 'applied', seq: 1201 + i })),
    );
    expect(out.head).toBe(2400);
    const records = (await feed(storage(), accountId)) as SyncRecord[];
    expect(records.map((r) => [r.uuid, r.rev, r.seq, r.checkouts.map((c) => c.path)])).toEqual(
      uuids.map((uuid, i) => [uuid, i + 1, 1201 + i, [`/bulk/${i}`]]),
    );
    const machines = await storage().machines(accountId);
    expect(machines.machines).toEqual([
      expect.objectContaining({ name: 'laptop', checkouts: 1200 }),
    ]);
    // 1,200 single pushes for the reference take a while on PostgreSQL on a busy machine.
  }, 120_000);

  it('applies duplicate changes of one project in order, across a batch boundary', async () => {
    const [p, q, r] = [randomUUID(), randomUUID(), randomUUID()];
    const setup: [Changes, Checkouts][] = [
      [
        [create(p), create(q)],
        [
          { uuid: p, path: '/a' },
          { uuid: q, path: '/q' },
        ],
      ],
    ];
    // 497 unknown projects first: P's changes straddle the end of the first batch of 500.
    const unknown = Array.from({ length: 497 }, () => ({ uuid: randomUUID(), path: '/u' }));
    const changes: Checkouts = [
      { uuid: p, path: '/a' },
      { uuid: p, path: '/b' },
      { uuid: p, path: '/b' },
      { uuid: p, removed: true },
      { uuid: p, removed: true },
      { uuid: p.toUpperCase(), path: '/c' },
      { uuid: r, path: '/r' },
      { uuid: r, path: '/r2' },
      { uuid: r, removed: true },
      { uuid: q, removed: true },
      { uuid: q, path: '/q' },
    ];
    const { out, accountId } = await sameAsOneByOne(setup, [create(r)], [...unknown, ...changes]);
    expect(out.checkouts.slice(0, 497)).toEqual(
      unknown.map((u) => ({ uuid: u.uuid, status: 'rejected', error: 'unknown project' })),
    );
    const applied = (uuid: string, seq: number) => ({ uuid, status: 'applied', seq });
    expect(out.checkouts.slice(497)).toEqual([
      applied(p, 3), // unchanged: P's seq from the setup push
      applied(p, 6), // moved
      applied(p, 6), // unchanged, with the seq of the change before it
      applied(p, 7), // removed (in the second batch)
      applied(p, 7), // nothing left to remove
      applied(p, 8), // added again, answered under the stored (lower-case) uuid
      applied(r, 9),
      applied(r, 10),
      applied(r, 11),
      applied(q, 12),
      applied(q, 13),
    ]);
    expect(out.head).toBe(13);
    const records = (await feed(storage(), accountId)) as SyncRecord[];
    const paths = Object.fromEntries(records.map((x) => [x.uuid, x.checkouts.map((c) => c.path)]));
    expect(paths).toEqual({ [p]: ['/c'], [q]: ['/q'], [r]: [] });
    const history = await histories(storage(), accountId);
    expect(history[p]).toEqual([
      '1 laptop created ',
      '3 laptop checkout added',
      '6 laptop checkout moved',
      '7 laptop checkout removed',
      '8 laptop checkout added',
    ]);
    expect(history[r]).toEqual([
      '5 laptop created ',
      '9 laptop checkout added',
      '10 laptop checkout moved',
      '11 laptop checkout removed',
    ]);
  });

  it('answers unknown projects, path problems, removals of nothing and tombstones as before', async () => {
    const [p, q, d] = [randomUUID(), randomUUID(), randomUUID()];
    const setup: [Changes, Checkouts][] = [
      [[create(p), create(q), create(d)], [{ uuid: d, path: '/d' }]],
      [[{ uuid: d, base_rev: 3, deleted: true }], []],
    ];
    const bad = randomUUID();
    const failed = randomUUID();
    const { out, accountId } = await sameAsOneByOne(
      setup,
      // A create that is rejected leaves its checkout change without a project.
      [{ uuid: failed, base_rev: 0, fields: syncFields('') }],
      [
        { uuid: bad, path: '/x' },
        { uuid: 'not-a-uuid', path: '/x' },
        { uuid: failed, path: '/f' },
        { uuid: p },
        { uuid: p, path: '' },
        { uuid: p, path: 'x'.repeat(501) },
        { uuid: p, removed: true },
        { uuid: d, path: '/d2' },
        { uuid: d, removed: true },
        { uuid: q, path: '/q' },
        { uuid: q, path: '/q' },
      ],
    );
    expect(out.results).toEqual([expect.objectContaining({ uuid: failed, status: 'rejected' })]);
    expect(out.checkouts).toEqual([
      { uuid: bad, status: 'rejected', error: 'unknown project' },
      { uuid: 'not-a-uuid', status: 'rejected', error: 'unknown project' },
      { uuid: failed, status: 'rejected', error: 'unknown project' },
      { uuid: p, status: 'rejected', error: 'path (or removed: true) is required' },
      { uuid: p, status: 'rejected', error: 'path must not be empty' },
      { uuid: p, status: 'rejected', error: 'path is longer than 500 characters' },
      { uuid: p, status: 'applied', seq: 1 },
      // A tombstone's checkouts change as a live project's do (the record stays deleted).
      { uuid: d, status: 'applied', seq: 6 },
      { uuid: d, status: 'applied', seq: 7 },
      { uuid: q, status: 'applied', seq: 8 },
      { uuid: q, status: 'applied', seq: 8 },
    ]);
    expect(out.head).toBe(8);
    const records = (await feed(storage(), accountId)) as SyncRecord[];
    expect(records.map((x) => [x.uuid, x.seq, x.deleted, x.checkouts.length])).toEqual([
      [p, 1, false, 0],
      [d, 7, true, 0],
      [q, 8, false, 1],
    ]);

    // A path pushed again unchanged takes no revision but is seen again now.
    const seen = async () => (await storage().projectByUuid(accountId, q))!.checkouts[0]!.last_seen;
    const before = await seen();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await storage().push(accountId, {
      machine: laptop,
      changes: [],
      checkouts: [{ uuid: q, path: '/q' }],
    });
    expect(again).toEqual({
      results: [],
      checkouts: [{ uuid: q, status: 'applied', seq: 8 }],
      head: 8,
      server_id: expect.any(String),
    });
    expect(Date.parse(await seen())).toBeGreaterThan(Date.parse(before));
  });
});
