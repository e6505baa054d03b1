/**
 * Two registries claiming one machine id (a copied or restored home, a cloned VM; issue 13):
 * the server keeps the last incarnation token it accepted for the id (a request may rotate it
 * with `next_incarnation`) and refuses a push or pull with another one (409, code
 * `machine-incarnation`), writing nothing; a client sending no token keeps working as before.
 * Both backends.
 */
import { randomUUID } from 'node:crypto';
import { MACHINE_INCARNATION_CONFLICT, MACHINE_INCARNATION_MAX } from '@dev-infra/core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { call, describeBackends, makeApp, newAccount, syncFields } from './helpers.js';

describeBackends('machine incarnation', (backend) => {
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

  const push = (machine: object, changes: unknown[] = [], checkouts?: unknown[]) =>
    call(app, 'POST', '/api/sync/push', auth, { machine, changes, checkouts });
  const feed = (query: string) => call(app, 'GET', `/api/sync/changes?${query}`, auth);
  const machines = async () =>
    (await call(app, 'GET', '/api/machines', auth)).body.machines as {
      id: string;
      name: string;
      checkouts: number;
    }[];

  it('keeps the first incarnation and refuses another on push, writing nothing', async () => {
    const id = randomUUID();
    const first = { id, name: 'laptop', incarnation: randomUUID() };
    const copy = { id, name: 'laptop', incarnation: randomUUID() };
    const one = randomUUID();
    expect(
      (await push(first, [{ uuid: one, base_rev: 0, fields: syncFields('one') }])).status,
    ).toBe(200);
    const two = randomUUID();
    const refused = await push(
      copy,
      [{ uuid: two, base_rev: 0, fields: syncFields('two') }],
      [{ uuid: one, path: '/elsewhere/one' }],
    );
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe(MACHINE_INCARNATION_CONFLICT);
    expect(refused.body.error).toMatch(/take a new machine id/);
    // It names the token held (on PostgreSQL read beside the pushed project's row).
    expect(refused.body.incarnation).toBe(first.incarnation);
    // Nothing of the refused push was written: no record, the checkout unmoved.
    const all = (await feed('since=0')).body;
    expect(all.changes.map((r: { uuid: string }) => r.uuid)).toEqual([one]);
    expect(all.changes[0].checkouts).toEqual([]);
    // The first registry goes on as before.
    expect((await push(first, [], [{ uuid: one, path: '/home/one' }])).status).toBe(200);
  });

  it('refuses a pull with another incarnation, accepts the stored one', async () => {
    const id = randomUUID();
    const inc = randomUUID();
    const q = (i: string) =>
      `since=0&machine_id=${id}&machine_name=laptop&machine_incarnation=${i}`;
    expect((await feed(q(inc))).status).toBe(200);
    const refused = await feed(q(randomUUID()));
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe(MACHINE_INCARNATION_CONFLICT);
    expect((await feed(q(inc))).status).toBe(200);
    expect((await push({ id, name: 'laptop', incarnation: randomUUID() })).status).toBe(409);
    expect(
      (await feed(`since=0&machine_incarnation=${inc}`)).status,
      'an incarnation without a machine id',
    ).toBe(400);
  });

  it('a client without an incarnation works as before; a machine seen without one adopts the first', async () => {
    const id = randomUUID();
    const old = { id, name: 'old' };
    expect((await push(old)).status).toBe(200);
    expect((await push(old)).status).toBe(200);
    const inc = randomUUID();
    expect((await push({ ...old, incarnation: inc })).status).toBe(200);
    expect((await push({ ...old, incarnation: randomUUID() })).status).toBe(409);
    // An older client on the same id is not told apart (it sends nothing to compare).
    expect((await push(old)).status).toBe(200);
    expect((await push({ ...old, incarnation: inc })).status).toBe(200);
    expect((await machines()).filter((m) => m.id === id)).toHaveLength(1);
  });

  it('rotation: two copies holding one token, the first to push keeps the id', async () => {
    const id = randomUUID();
    const t0 = randomUUID();
    const q = (i: string) =>
      `since=0&machine_id=${id}&machine_name=laptop&machine_incarnation=${i}`;
    // Both copies pull with the token they share: nothing tells them apart yet.
    expect((await feed(q(t0))).status).toBe(200);
    expect((await feed(q(t0))).status).toBe(200);
    const t1 = randomUUID();
    expect((await push({ id, name: 'laptop', incarnation: t0, next_incarnation: t1 })).status).toBe(
      200,
    );
    // The other copy still holds t0: refused, push and pull.
    const t2 = randomUUID();
    const refused = await push({ id, name: 'laptop', incarnation: t0, next_incarnation: t2 });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe(MACHINE_INCARNATION_CONFLICT);
    // The answer names the token held, so a registry can tell a copy from a restored server.
    expect(refused.body.incarnation).toBe(t1);
    expect((await feed(q(t0))).status).toBe(409);
    // The first copy: its retry of the rotation (answer lost) is accepted, then t1 goes on.
    expect((await push({ id, name: 'laptop', incarnation: t0, next_incarnation: t1 })).status).toBe(
      200,
    );
    expect((await feed(q(t1))).status).toBe(200);
    const t3 = randomUUID();
    expect((await feed(`${q(t1)}&machine_next_incarnation=${t3}`)).status).toBe(200);
    expect((await feed(q(t1))).status, 'rotated by the pull').toBe(409);
    expect((await feed(q(t3))).status).toBe(200);
    expect(
      (await feed(`since=0&machine_id=${id}&machine_name=laptop&machine_next_incarnation=${t3}`))
        .status,
      'a next token without the current one',
    ).toBe(400);
  });

  it('two copies pushing their first sync at once: exactly one is adopted', async () => {
    const id = randomUUID();
    const uuid = randomUUID();
    const t0 = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        push({ id, name: 'laptop', incarnation: t0, next_incarnation: randomUUID() }, [
          { uuid, base_rev: 0, fields: syncFields('same') },
        ]),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
  });

  it('refuses a hostile incarnation: too long, control characters, empty', async () => {
    const id = randomUUID();
    const long = 'x'.repeat(MACHINE_INCARNATION_MAX + 1);
    for (const incarnation of [long, 'abc\u001b[31m', 'a\nb', '']) {
      const res = await push({ id, name: 'laptop', incarnation });
      expect(res.status, JSON.stringify(incarnation)).toBe(400);
      const next = await push({
        id,
        name: 'laptop',
        incarnation: 'ok',
        next_incarnation: incarnation,
      });
      expect(next.status, JSON.stringify(incarnation)).toBe(400);
      const pulled = await feed(
        `since=0&machine_id=${id}&machine_name=laptop&machine_incarnation=${encodeURIComponent(incarnation)}`,
      );
      expect(pulled.status, JSON.stringify(incarnation)).toBe(400);
    }
    expect(
      (await push({ id, name: 'laptop', incarnation: 'x'.repeat(MACHINE_INCARNATION_MAX) })).status,
    ).toBe(200);
    expect((await machines()).map((m) => m.id)).toEqual([id]);
  });
});
