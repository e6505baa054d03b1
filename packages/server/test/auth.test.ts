/** Keys and isolation on both backends: no key, wrong or revoked key, and account A vs B. */
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateKey } from '../src/keys.js';
import { call, describeBackends, makeApp, newAccount } from './helpers.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
const machine = { id: randomUUID(), name: 'm' };

/** The headers helmet's default middleware sets on a real Node response, by lower-case name. */
function helmetReference(): Record<string, string> {
  const request = new IncomingMessage(new Socket());
  const response = new ServerResponse(request);
  helmet()(request, response, () => {});
  return Object.fromEntries(
    Object.entries(response.getHeaders()).map(([name, value]) => [name, String(value)]),
  );
}

/** Every route that needs a key, with a request that would otherwise succeed or 404. */
const PROTECTED: [Method, string, unknown?][] = [
  ['GET', '/api/projects'],
  ['POST', '/api/projects', { name: 'x' }],
  ['POST', '/api/projects/import', { projects: [] }],
  ['GET', '/api/projects/1'],
  ['PATCH', '/api/projects/1', { name: 'y' }],
  ['DELETE', '/api/projects/1'],
  ['PUT', '/api/projects/1/archive'],
  ['GET', '/api/sync/changes?since=0'],
  ['POST', '/api/sync/push', { machine, changes: [] }],
  ['GET', '/api/machines'],
];

describeBackends('auth and isolation', (backend) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await makeApp(backend().storage);
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers 401 on every route without a usable key, but health needs none', async () => {
    const { storage } = backend();
    const revoked = await newAccount(storage);
    expect(await storage.revokeKey(revoked.prefix)).toBe('revoked');
    const badHeaders: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wp_not-a-real-key' },
      { authorization: `Basic ${revoked.key}` },
      { authorization: 'Bearer' },
      revoked.auth,
    ];
    for (const [method, url, body] of PROTECTED) {
      for (const headers of badHeaders) {
        const res = await call(app, method, url, headers, body);
        expect(res.status, `${method} ${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(Object.keys(res.body)).toEqual(['error']);
        expect(res.body.error).not.toContain(revoked.key);
      }
    }
    const health = await call(app, 'GET', '/api/health', {});
    expect(health.status).toBe(200);
  });

  it('accepts a live key on every route', async () => {
    const { auth } = await newAccount(backend().storage);
    for (const [method, url, body] of PROTECTED) {
      const res = await call(app, method, url, auth, body);
      expect([200, 201, 204, 404], `${method} ${url}`).toContain(res.status);
    }
  });

  it('refuses a key from the next request once it is revoked, though it was just accepted', async () => {
    const { storage } = backend();
    const user = await newAccount(storage);
    // Used over and over first, so the key's account is remembered by the key cache.
    for (let i = 0; i < 3; i++)
      expect((await call(app, 'GET', '/api/sync/changes?since=0', user.auth)).status).toBe(200);
    expect(await storage.revokeKey(user.prefix)).toBe('revoked');
    const after = await call(app, 'GET', '/api/sync/changes?since=0', user.auth);
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ error: 'invalid or revoked API key' });
    // A refused key is not remembered: once it is added, it works from the next request.
    const later = generateKey('later');
    const laterAuth = { authorization: `Bearer ${later.key}` };
    expect((await call(app, 'GET', '/api/machines', laterAuth)).status).toBe(401);
    await storage.addKey(user.id, later.stored);
    expect((await call(app, 'GET', '/api/machines', laterAuth)).status).toBe(200);
  });

  it("sends helmet's security headers on every answer: served, refused or unknown", async () => {
    const { auth } = await newAccount(backend().storage);
    const reference = helmetReference();
    expect(Object.keys(reference).length).toBeGreaterThan(10);
    for (const [url, headers, status] of [
      ['/api/health', {}, 200],
      ['/api/sync/changes?since=0', auth, 200],
      ['/api/sync/changes?since=0', {}, 401],
      ['/api/nowhere', auth, 404],
    ] as [string, Record<string, string>, number][]) {
      const res = await call(app, 'GET', url, headers);
      expect(res.status, url).toBe(status);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['x-frame-options'], url).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security'], url).toMatch(/max-age=\d+/);
      expect(String(res.headers['content-security-policy']), url).toContain("default-src 'self'");
      expect(res.headers['x-powered-by'], url).toBeUndefined();
      // The headers are recorded from helmet once (security-headers.ts): exactly helmet's.
      for (const [name, value] of Object.entries(reference))
        expect(res.headers[name], `${url} ${name}`).toBe(value);
    }
  });

  it("never lets account B read or change account A's projects, machines or checkouts", async () => {
    const { storage } = backend();
    const a = await newAccount(storage, 'a');
    const b = await newAccount(storage, 'b');
    const made = await call(app, 'POST', '/api/projects', a.auth, {
      name: 'secret',
      path: '/a/secret',
      remote_url: 'https://github.com/a/secret',
    });
    const { id, uuid } = made.body;
    await call(app, 'POST', '/api/sync/push', a.auth, {
      machine,
      changes: [],
      checkouts: [{ uuid, path: '/a/secret' }],
    });

    for (const [method, url, body] of [
      ['GET', `/api/projects/${id}`],
      ['PATCH', `/api/projects/${id}`, { name: 'stolen' }],
      ['PUT', `/api/projects/${id}/archive`],
      ['DELETE', `/api/projects/${id}`],
    ] as [Method, string, unknown?][]) {
      expect((await call(app, method, url, b.auth, body)).status, `${method} ${url}`).toBe(404);
    }
    expect((await call(app, 'GET', '/api/projects', b.auth)).body).toEqual([]);
    expect((await call(app, 'GET', '/api/projects?search=secret', b.auth)).body).toEqual([]);
    expect((await call(app, 'GET', '/api/sync/changes?since=0', b.auth)).body).toEqual({
      changes: [],
      next: 0,
      more: false,
      head: 0,
      server_id: expect.any(String),
    });
    expect((await call(app, 'GET', '/api/machines', b.auth)).body).toEqual({ machines: [] });

    // A's uuid means nothing in B's account: no conflict reveals A's record, no checkout lands.
    const pushB = await call(app, 'POST', '/api/sync/push', b.auth, {
      machine: { id: randomUUID(), name: 'b-box' },
      changes: [{ uuid, base_rev: 1, fields: { ...made.body, name: 'stolen' } }],
      checkouts: [{ uuid, path: '/b/x' }],
    });
    expect(pushB.body.results[0].status).toBe('rejected');
    expect(pushB.body.checkouts[0].status).toBe('rejected');
    // The same remote URL is not "known" to B's import.
    const imported = await call(app, 'POST', '/api/projects/import', b.auth, {
      projects: [{ name: 'mine', remote_url: 'git@github.com:a/secret.git', path: '/a/secret' }],
    });
    expect(imported.body).toEqual({ imported: 1, skipped: 0, errors: [] });

    const still = await call(app, 'GET', `/api/projects/${id}`, a.auth);
    expect(still.body).toMatchObject({ name: 'secret', status: 'active', classification: null });
    expect(still.body.checkouts.map((c: { machine_name: string }) => c.machine_name)).toEqual([
      'm',
    ]);
    expect((await call(app, 'GET', '/api/sync/changes?since=0', a.auth)).body.head).toBe(2);
  });
});
