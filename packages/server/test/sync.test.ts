/** sync-v1 on both backends: compare-and-swap, conflicts, retries, tombstones, paging, checkouts. */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { call, describeBackends, makeApp, newAccount, syncFields } from './helpers.js';

const fields = syncFields;

/** A push result applied at `rev` and `seq`, with the record's stamps. */
const applied = (uuid: string, rev: number, seq: number) => ({
  uuid,
  status: 'applied',
  rev,
  seq,
  stamps: expect.objectContaining({ live: expect.any(Number) }),
});

const laptop = { id: randomUUID(), name: 'laptop' };
const desktop = { id: randomUUID(), name: 'desktop' };

describeBackends('sync-v1', (backend) => {
  let app: FastifyInstance;
  let auth: Record<string, string>;
  beforeAll(async () => {
    app = await makeApp(backend().storage);
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(async () => {
    auth = (await newAccount(backend().storage)).auth;
  });

  const push = async (machine: typeof laptop, changes: unknown[], checkouts?: unknown[]) => {
    const res = await call(app, 'POST', '/api/sync/push', auth, { machine, changes, checkouts });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const changes = async (query = 'since=0') => {
    const res = await call(app, 'GET', `/api/sync/changes?${query}`, auth);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  it('creates with base_rev 0 and serves it in the feed', async () => {
    const uuid = randomUUID();
    const out = await push(laptop, [
      { uuid, base_rev: 0, fields: fields('one', { tags: ['b', 'a'] }) },
    ]);
    expect(out.results).toEqual([applied(uuid, 1, 1)]);
    expect(out.head).toBe(1);
    const feed = await changes();
    expect(feed).toMatchObject({ next: 1, more: false, head: 1 });
    expect(feed.changes).toEqual([
      {
        uuid,
        rev: 1,
        seq: 1,
        deleted: false,
        fields: fields('one', { tags: ['a', 'b'] }),
        checkouts: [],
        stamps: expect.objectContaining({ live: expect.any(Number) }),
      },
    ]);
    const empty = await changes('since=1');
    expect(empty).toEqual({
      changes: [],
      next: 1,
      more: false,
      head: 1,
      server_id: await backend().storage.serverId(),
    });
  });

  it('applies only on the expected revision, else answers a conflict with the current record', async () => {
    const uuid = randomUUID();
    await push(laptop, [{ uuid, base_rev: 0, fields: fields('p') }]);
    const first = await push(laptop, [
      { uuid, base_rev: 1, fields: fields('p', { description: 'laptop' }) },
    ]);
    expect(first.results[0]).toEqual(applied(uuid, 2, 2));
    const stale = await push(desktop, [
      { uuid, base_rev: 1, fields: fields('p', { description: 'desktop' }) },
    ]);
    expect(stale.results[0].status).toBe('conflict');
    expect(stale.results[0].current).toMatchObject({
      uuid,
      rev: 2,
      deleted: false,
      fields: { description: 'laptop' },
    });
    expect(stale.head).toBe(2);
    const merged = await push(desktop, [
      { uuid, base_rev: 2, fields: fields('p', { description: 'both' }) },
    ]);
    expect(merged.results[0]).toEqual(applied(uuid, 3, 3));
  });

  it('answers a retried push whose content is already there as applied, with no new revision', async () => {
    const uuid = randomUUID();
    const create = [{ uuid, base_rev: 0, fields: fields('r') }];
    await push(laptop, create);
    const again = await push(laptop, create);
    expect(again.results[0]).toEqual(applied(uuid, 1, 1));
    const edit = [{ uuid, base_rev: 1, fields: fields('r', { status: 'paused' }) }];
    await push(laptop, edit);
    const retry = await push(laptop, edit);
    expect(retry.results[0]).toEqual(applied(uuid, 2, 2));
    expect(retry.head).toBe(2);
    // The same content from another machine that also created it (shared .dev-infra.yml uuid).
    const twin = await push(desktop, [
      {
        uuid,
        base_rev: 0,
        fields: fields('r', { status: 'paused', updated_at: '2026-02-02T00:00:00.000Z' }),
      },
    ]);
    expect(twin.results[0]).toEqual(applied(uuid, 2, 2));
  });

  it('never resurrects a tombstone from a stale base', async () => {
    const uuid = randomUUID();
    await push(laptop, [
      { uuid, base_rev: 0, fields: fields('gone', { description: 'last words' }) },
    ]);
    const del = await push(laptop, [{ uuid, base_rev: 1, deleted: true }]);
    expect(del.results[0]).toEqual(applied(uuid, 2, 2));
    const retry = await push(laptop, [{ uuid, base_rev: 1, deleted: true }]);
    expect(retry.results[0]).toEqual(applied(uuid, 2, 2));
    for (const base_rev of [0, 1]) {
      const back = await push(desktop, [
        { uuid, base_rev, fields: fields('gone', { description: 'back' }) },
      ]);
      expect(back.results[0].status).toBe('conflict');
      expect(back.results[0].current).toMatchObject({ uuid, deleted: true, rev: 2 });
    }
    const feed = await changes();
    expect(feed.changes).toHaveLength(1);
    expect(feed.changes[0]).toMatchObject({
      uuid,
      deleted: true,
      rev: 2,
      fields: { description: 'last words' },
    });
    expect((await call(app, 'GET', '/api/projects', auth)).body).toEqual([]);
  });

  it('revives a tombstone from fields pushed on its own revision (dev-infra restore)', async () => {
    const uuid = randomUUID();
    await push(laptop, [{ uuid, base_rev: 0, fields: fields('back', { description: 'kept' }) }]);
    await push(laptop, [{ uuid, base_rev: 1, deleted: true }]);
    // The very fields the tombstone kept: restoring is the change, not the content.
    const restored = await push(desktop, [
      { uuid, base_rev: 2, fields: fields('back', { description: 'kept' }) },
    ]);
    expect(restored.results[0]).toEqual(applied(uuid, 3, 3));
    const feed = await changes('since=2');
    expect(feed.changes).toEqual([
      expect.objectContaining({
        uuid,
        rev: 3,
        deleted: false,
        fields: fields('back', { description: 'kept' }),
      }),
    ]);
    const listed = (await call(app, 'GET', '/api/projects', auth)).body;
    expect(listed.map((p: { name: string }) => p.name)).toEqual(['back']);
    // A retry of the restore is answered as applied, with no new revision.
    const retry = await push(desktop, [
      { uuid, base_rev: 2, fields: fields('back', { description: 'kept' }) },
    ]);
    expect(retry.results[0]).toEqual(applied(uuid, 3, 3));
  });

  it('rejects an invalid record and applies the others', async () => {
    const good = randomUUID();
    const res = await push(laptop, [
      { uuid: randomUUID(), base_rev: 0, fields: fields('x'.repeat(201)) },
      { uuid: randomUUID(), base_rev: 0, fields: { ...fields('s'), status: 'done' } },
      { uuid: randomUUID(), base_rev: 0, fields: { name: 'partial' } },
      { uuid: 'not-a-uuid', base_rev: 0, fields: fields('u') },
      { uuid: randomUUID(), base_rev: 0 },
      { uuid: randomUUID(), base_rev: 7, fields: fields('unknown') },
      { uuid: randomUUID(), base_rev: 0, deleted: true },
      { uuid: good, base_rev: 0, fields: fields('fine') },
    ]);
    const statuses = res.results.map((r: { status: string }) => r.status);
    expect(statuses).toEqual([...Array(7).fill('rejected'), 'applied']);
    expect(res.results[0].error).toMatch(/name/);
    expect(res.results[1].error).toMatch(/status/);
    expect(res.results[2].error).toMatch(/description|required/);
    expect(res.results[3].error).toMatch(/uuid/);
    expect(res.results[7]).toEqual(applied(good, 1, 1));
  });

  it('rejects a malformed push as a whole with 400 naming the field', async () => {
    const res = await call(app, 'POST', '/api/sync/push', auth, { changes: [] });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/machine/);
    const bad = await call(app, 'POST', '/api/sync/push', auth, {
      machine: laptop,
      changes: [{ uuid: randomUUID(), base_rev: -1 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/base_rev/);
  });

  it('pages the feed across limit in revision order', async () => {
    const uuids = Array.from({ length: 25 }, () => randomUUID());
    await push(
      laptop,
      uuids.map((uuid, i) => ({ uuid, base_rev: 0, fields: fields(`p${i}`) })),
    );
    // A later edit moves a project to the end of the feed.
    await push(laptop, [
      { uuid: uuids[0], base_rev: 1, fields: fields('p0', { description: 'edited' }) },
    ]);
    const seen: string[] = [];
    const seqs: number[] = [];
    let since = 0;
    let pages = 0;
    for (;;) {
      const page = await changes(`since=${since}&limit=10`);
      pages += 1;
      expect(page.changes.length).toBeLessThanOrEqual(10);
      for (const r of page.changes) {
        seen.push(r.uuid);
        seqs.push(r.seq);
      }
      expect(page.head).toBe(26);
      since = page.next;
      if (!page.more) break;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...uuids.slice(1), uuids[0]]);
    expect(seqs).toEqual(Array.from({ length: 25 }, (_, i) => i + 2));
    expect(since).toBe(26);
    const tooMany = await call(app, 'GET', '/api/sync/changes?since=0&limit=1001', auth);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatch(/limit/);
  });

  it('serves a full page of records with their checkouts (more than one query chunk)', async () => {
    const uuids = Array.from({ length: 600 }, () => randomUUID());
    const out = await push(
      laptop,
      uuids.map((uuid, i) => ({ uuid, base_rev: 0, fields: fields(`bulk${i}`) })),
      uuids.map((uuid, i) => ({ uuid, path: `/bulk/${i}` })),
    );
    expect(out.checkouts.every((c: { status: string }) => c.status === 'applied')).toBe(true);
    const feed = await changes('since=0&limit=1000');
    expect(feed.changes).toHaveLength(600);
    expect(feed.more).toBe(false);
    for (const [i, r] of feed.changes.entries()) {
      expect(r.checkouts).toEqual([
        expect.objectContaining({ machine_name: 'laptop', path: `/bulk/${i}` }),
      ]);
    }
  });

  it('keeps one checkout per machine, shows them all and counts them per machine', async () => {
    const uuid = randomUUID();
    await push(
      laptop,
      [{ uuid, base_rev: 0, fields: fields('shared') }],
      [{ uuid, path: '/home/me/shared' }],
    );
    const fromDesktop = await push(desktop, [], [{ uuid, path: 'D:/work/shared' }]);
    expect(fromDesktop.checkouts).toEqual([{ uuid, status: 'applied', seq: 3 }]);
    // last_seen has millisecond resolution: let the clock move so "most recent" is well defined.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await push(desktop, [], [{ uuid, path: 'D:/work/shared' }]);
    expect(again.checkouts[0].seq).toBe(3);
    const feed = await changes('since=2');
    expect(feed.changes).toHaveLength(1);
    const record = feed.changes[0];
    expect(record).toMatchObject({ uuid, rev: 1, seq: 3 });
    expect(
      record.checkouts
        .map((c: { machine_name: string; path: string }) => [c.machine_name, c.path])
        .sort(),
    ).toEqual([
      ['desktop', 'D:/work/shared'],
      ['laptop', '/home/me/shared'],
    ]);
    // The CAS revision is unchanged by checkouts, so the laptop's edit on rev 1 still applies.
    const edit = await push(laptop, [
      { uuid, base_rev: 1, fields: fields('shared', { tags: ['x'] }) },
    ]);
    expect(edit.results[0]).toMatchObject({ status: 'applied', rev: 4 });

    const machines = (await call(app, 'GET', '/api/machines', auth)).body.machines;
    expect(machines.map((m: { name: string; checkouts: number }) => [m.name, m.checkouts])).toEqual(
      [
        ['desktop', 1],
        ['laptop', 1],
      ],
    );
    for (const m of machines) expect(Number.isNaN(Date.parse(m.last_sync))).toBe(false);

    // The original API shows the most recently seen checkout's path when it has none of its own.
    const list = (await call(app, 'GET', '/api/projects', auth)).body;
    expect(list[0].path).toBe('D:/work/shared');
    expect(list[0].checkouts).toHaveLength(2);

    const removed = await push(
      desktop,
      [],
      [
        { uuid, removed: true },
        { uuid: randomUUID(), path: '/x' },
      ],
    );
    expect(removed.checkouts[0]).toEqual({ uuid, status: 'applied', seq: 5 });
    expect(removed.checkouts[1]).toMatchObject({ status: 'rejected', error: 'unknown project' });
    const after = await changes('since=4');
    expect(after.changes[0].checkouts.map((c: { machine_name: string }) => c.machine_name)).toEqual(
      ['laptop'],
    );

    // A deleted project's checkouts no longer count for its machines.
    const del = await push(laptop, [{ uuid, base_rev: 4, deleted: true }]);
    expect(del.results[0]).toMatchObject({ status: 'applied' });
    const counts = (await call(app, 'GET', '/api/machines', auth)).body.machines.map(
      (m: { name: string; checkouts: number }) => [m.name, m.checkouts],
    );
    expect(counts).toEqual([
      ['desktop', 0],
      ['laptop', 0],
    ]);
  });

  it('records a pushing machine, with or without records, and takes its new name', async () => {
    const listed = async () => (await call(app, 'GET', '/api/machines', auth)).body.machines;
    // An empty push (on PostgreSQL the upsert runs alone) ...
    await push(laptop, []);
    const first = await listed();
    expect(first).toEqual([
      { id: laptop.id, name: 'laptop', last_sync: expect.any(String), checkouts: 0 },
    ]);
    // ... and a push with records (on PostgreSQL the upsert rides with the read of the records).
    await new Promise((resolve) => setTimeout(resolve, 5));
    const renamed = { id: laptop.id, name: 'laptop-2' };
    const pushed = await push(renamed, [
      { uuid: randomUUID(), base_rev: 0, fields: fields('touched') },
    ]);
    expect(pushed.results[0]).toMatchObject({ status: 'applied' });
    const second = await listed();
    expect(second).toEqual([
      { id: laptop.id, name: 'laptop-2', last_sync: expect.any(String), checkouts: 0 },
    ]);
    expect(Date.parse(second[0].last_sync)).toBeGreaterThan(Date.parse(first[0].last_sync));
  });

  it('records a pulling machine and rejects a machine id without a name', async () => {
    await changes(`since=0&machine_id=${laptop.id}&machine_name=laptop`);
    const machines = (await call(app, 'GET', '/api/machines', auth)).body;
    expect(machines.machines).toEqual([
      { id: laptop.id, name: 'laptop', last_sync: expect.any(String), checkouts: 0 },
    ]);
    const half = await call(app, 'GET', `/api/sync/changes?machine_id=${laptop.id}`, auth);
    expect(half.status).toBe(400);
  });

  it('puts writes through the original API on the same revision counter', async () => {
    const created = await call(app, 'POST', '/api/projects', auth, { name: 'classic', path: '/c' });
    const uuid = created.body.uuid;
    const feed = await changes();
    expect(feed.changes).toEqual([expect.objectContaining({ uuid, rev: 1, seq: 1 })]);
    await call(app, 'PATCH', `/api/projects/${created.body.id}`, auth, { description: 'edited' });
    const stale = await push(laptop, [
      { uuid, base_rev: 1, fields: { ...feed.changes[0].fields, status: 'paused' } },
    ]);
    expect(stale.results[0]).toMatchObject({
      status: 'conflict',
      current: { rev: 2, fields: { description: 'edited' } },
    });
    expect((await call(app, 'DELETE', `/api/projects/${created.body.id}`, auth)).status).toBe(204);
    const tomb = await changes('since=2');
    expect(tomb.changes).toEqual([
      expect.objectContaining({ uuid, deleted: true, rev: 3, seq: 3 }),
    ]);
  });
});
