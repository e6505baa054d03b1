/**
 * The kept answers of `GET /api/projects` (src/list-cache.ts): never older than the account.
 * Every test moves the clock past the settling time, so the answers are really kept, then
 * makes a change that takes no revision (a machine renamed, a checkout seen again, by a push
 * or a feed read) or one that does, and checks the next answer shows it.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ListCache } from '../src/list-cache.js';
import { describeBackends, makeApp, newAccount, syncFields } from './helpers.js';

describe('ListCache', () => {
  const answer = (version: string) => ({ version, body: Buffer.from('[]'), tag: `"${version}"` });
  const now = Date.parse('2026-01-01T00:00:10.000Z');

  it('keeps a settled answer for its version only', () => {
    const cache = new ListCache();
    cache.set('k', answer('v1'), '2026-01-01T00:00:00.000Z', now);
    expect(cache.get('k', 'v1')?.tag).toBe('"v1"');
    expect(cache.get('k', 'v2')).toBeUndefined();
    // A miss drops the stale entry.
    expect(cache.get('k', 'v1')).toBeUndefined();
  });

  it('keeps nothing whose newest stamp is under 2 s old (or unreadable)', () => {
    const cache = new ListCache();
    cache.set('a', answer('v'), '2026-01-01T00:00:09.000Z', now);
    cache.set('b', answer('v'), 'not a date', now);
    cache.set('c', answer('v'), null, now);
    expect(cache.get('a', 'v')).toBeUndefined();
    expect(cache.get('b', 'v')).toBeUndefined();
    expect(cache.get('c', 'v')).toBeDefined();
  });

  it('drops the least recently used beyond 32 entries', () => {
    const cache = new ListCache();
    for (let i = 0; i < 33; i++) cache.set(`k${i}`, answer('v'), null, now);
    expect(cache.get('k0', 'v')).toBeUndefined();
    expect(cache.get('k1', 'v')).toBeDefined();
    expect(cache.get('k32', 'v')).toBeDefined();
  });
});

describeBackends('GET /api/projects kept answers', (backend) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await makeApp(backend().storage);
  });
  afterAll(async () => {
    await app.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Moves Date (only) 10 s on: every stamp so far is settled. */
  const later = () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 10_000);
  };

  it('shows every change, with or without a revision, at once', async () => {
    const storage = backend().storage;
    const a = await newAccount(storage);
    const list = async (query = '') => {
      const r = await app.inject({ method: 'GET', url: `/api/projects${query}`, headers: a.auth });
      expect(r.statusCode).toBe(200);
      return { body: r.body, tag: r.headers.etag };
    };
    const uuid = randomUUID();
    const machine = { id: randomUUID(), name: 'old-name' };
    await storage.push(a.id, {
      machine,
      changes: [{ uuid, base_rev: 0, fields: syncFields('kept') }],
      checkouts: [{ uuid, path: '/code/kept' }],
    });

    later();
    const first = await list();
    expect(JSON.parse(first.body)[0].checkouts[0].machine_name).toBe('old-name');
    expect(await list()).toEqual(first);
    // Another filter is another answer.
    expect((await list('?status=paused')).body).toBe('[]');

    // A push of nothing but a new machine name: no revision.
    await storage.push(a.id, {
      machine: { ...machine, name: 'new-name' },
      changes: [],
      checkouts: [],
    });
    const renamed = await list();
    expect(JSON.parse(renamed.body)[0].checkouts[0].machine_name).toBe('new-name');
    expect(renamed.tag).not.toBe(first.tag);

    // The same checkout seen again: only last_seen moves.
    later();
    const before = await list();
    await storage.push(a.id, {
      machine: { ...machine, name: 'new-name' },
      changes: [],
      checkouts: [{ uuid, path: '/code/kept' }],
    });
    const seen = await list();
    expect(JSON.parse(seen.body)[0].checkouts[0].last_seen).not.toBe(
      JSON.parse(before.body)[0].checkouts[0].last_seen,
    );

    // A feed read under yet another name renames the machine too.
    later();
    await list();
    await storage.changes(a.id, 0, 10, { ...machine, name: 'feed-name' });
    expect(JSON.parse((await list()).body)[0].checkouts[0].machine_name).toBe('feed-name');

    // An original-API write takes a revision.
    later();
    await list();
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/projects/${JSON.parse(seen.body)[0].id}`,
      headers: { ...a.auth, 'content-type': 'application/json' },
      payload: { description: 'changed' },
    });
    expect(patched.statusCode).toBe(200);
    expect(JSON.parse((await list()).body)[0].description).toBe('changed');
  });

  it("never answers one account's kept list to another", async () => {
    const storage = backend().storage;
    const a = await newAccount(storage);
    const b = await newAccount(storage);
    const create = (key: { authorization: string }, name: string) =>
      app.inject({
        method: 'POST',
        url: '/api/projects',
        headers: { ...key, 'content-type': 'application/json' },
        payload: { name },
      });
    expect((await create(a.auth, 'only-a')).statusCode).toBe(201);
    expect((await create(b.auth, 'only-b')).statusCode).toBe(201);
    later();
    for (let i = 0; i < 2; i++) {
      const ra = await app.inject({ method: 'GET', url: '/api/projects', headers: a.auth });
      const rb = await app.inject({ method: 'GET', url: '/api/projects', headers: b.auth });
      expect(JSON.parse(ra.body).map((p: { name: string }) => p.name)).toEqual(['only-a']);
      expect(JSON.parse(rb.body).map((p: { name: string }) => p.name)).toEqual(['only-b']);
    }
  });
});
