/**
 * Isolation and secrets on every route of the app's route table (a new route fails the first
 * test until it has a sample request here): without a key, with a fake or revoked key, or with
 * another account's key, a request is refused or sees nothing of the account, and no answer or
 * log line carries a key.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../test-support/tmp.js';
import {
  call,
  describeBackends,
  killServers,
  makeApp,
  newAccount,
  requireBuilt,
  runBin,
  startServer,
  syncFields,
} from './helpers.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
interface Target {
  id: number;
  uuid: string;
  /** The project's current revision, for routes that compare-and-swap on it. */
  rev: number;
}
/** A request on `route` that succeeds for the owner of `target`. */
type Sample = (target: Target) => { url: string; body?: unknown };

const SAMPLES: Record<string, Sample> = {
  'GET /api/projects': () => ({ url: '/api/projects?search=secret' }),
  'POST /api/projects': () => ({ url: '/api/projects', body: { name: 'new-one' } }),
  'POST /api/projects/import': () => ({
    url: '/api/projects/import',
    body: { projects: [{ name: 'imp', remote_url: 'https://github.com/x/imported' }] },
  }),
  'GET /api/projects/:id': (t) => ({ url: `/api/projects/${t.id}` }),
  'PATCH /api/projects/:id': (t) => ({ url: `/api/projects/${t.id}`, body: { name: 'stolen' } }),
  'DELETE /api/projects/:id': (t) => ({ url: `/api/projects/${t.id}` }),
  'PUT /api/projects/:id/archive': (t) => ({ url: `/api/projects/${t.id}/archive` }),
  'GET /api/sync/changes': () => ({ url: '/api/sync/changes?since=0' }),
  'GET /api/sync/digest': () => ({ url: '/api/sync/digest' }),
  'POST /api/sync/push': (t) => ({
    url: '/api/sync/push',
    body: {
      machine: { id: randomUUID(), name: 'intruder' },
      changes: [{ uuid: t.uuid, base_rev: 1, fields: syncFields('stolen') }],
      checkouts: [{ uuid: t.uuid, path: '/stolen' }],
    },
  }),
  'GET /api/machines': () => ({ url: '/api/machines' }),
  'GET /api/dashboard/projects': () => ({ url: '/api/dashboard/projects?q=secret' }),
  'GET /api/dashboard/tags': () => ({ url: '/api/dashboard/tags' }),
  'GET /api/dashboard/wip': () => ({ url: '/api/dashboard/wip' }),
  'GET /api/dashboard/projects/:uuid': (t) => ({ url: `/api/dashboard/projects/${t.uuid}` }),
  'PATCH /api/dashboard/projects/:uuid': (t) => ({
    url: `/api/dashboard/projects/${t.uuid}`,
    body: { base_rev: t.rev, description: 'stolen' },
  }),
};
/**
 * Routes open without a key: health, the OpenAPI document, the CLI tarball, the dashboard's static page and its session routes
 * (sign-in takes the key in the body; dashboard-api.test.ts covers sessions and their cookie).
 */
const PUBLIC = new Set([
  'GET /api/health',
  'GET /api/openapi.json',
  'GET /install/dev-infra.tgz',
  'GET /',
  'GET /index.html',
  'GET /app.js',
  'GET /app.js.map',
  'GET /styles.css',
  'POST /api/session',
  'GET /api/session',
  'DELETE /api/session',
]);

/** The route's sample, HEAD borrowing its GET's. */
function sampleFor(method: string, url: string): Sample | undefined {
  return SAMPLES[`${method === 'HEAD' ? 'GET' : method} ${url}`];
}

describeBackends('isolation and secrets, every route', (backend) => {
  let app: FastifyInstance;
  let a: Awaited<ReturnType<typeof newAccount>>;
  let b: Awaited<ReturnType<typeof newAccount>>;
  let revoked: Awaited<ReturnType<typeof newAccount>>;
  let target: Target;
  /** Strings only account A's data contains: none may reach anyone else. */
  const SECRETS = ['secret-a', '/home/a/secret', 'a-laptop-secret', 'The secret of A'];

  beforeAll(async () => {
    const { storage } = backend();
    app = await makeApp(storage);
    await app.ready();
    a = await newAccount(storage, 'iso-a');
    b = await newAccount(storage, 'iso-b');
    revoked = await newAccount(storage, 'iso-r');
    expect(await storage.revokeKey(revoked.prefix)).toBe('revoked');
    const made = await call(app, 'POST', '/api/projects', a.auth, {
      name: 'secret-a',
      path: '/home/a/secret',
      description: 'The secret of A',
      remote_url: 'https://github.com/a/secret-a',
    });
    target = { id: made.body.id, uuid: made.body.uuid, rev: made.body.rev ?? 1 };
    const pushed = await call(app, 'POST', '/api/sync/push', a.auth, {
      machine: { id: 'a-laptop-secret', name: 'a-laptop-secret' },
      changes: [],
      // A git state with work in progress: the work-in-progress view would show it.
      checkouts: [
        {
          uuid: target.uuid,
          path: '/home/a/secret',
          git: {
            branch: 'secret-a',
            head: 'abc1234',
            upstream: null,
            ahead: null,
            behind: null,
            modified: 1,
            untracked: 0,
            stashes: 0,
            last_commit_at: null,
            operation: null,
            taken_at: '2026-01-01T00:00:00Z',
          },
        },
      ],
    });
    expect(pushed.body.checkouts[0].status).toBe('applied');
  });
  afterAll(async () => {
    await app.close();
  });

  const state = async () => ({
    feed: (await call(app, 'GET', '/api/sync/changes?since=0', a.auth)).body,
    machines: (await call(app, 'GET', '/api/machines', a.auth)).body,
  });

  it('has a sample request for every route of the route table', () => {
    const missing = app.routeTable
      .map((r) => `${r.method} ${r.url}`)
      .filter((r) => !PUBLIC.has(r.replace(/^HEAD /, 'GET ')))
      .filter((r) => !sampleFor(r.split(' ')[0]!, r.split(' ')[1]!));
    expect(missing, 'add these routes to SAMPLES in isolation.test.ts').toEqual([]);
  });

  it('refuses every route without a usable key, alike for fake and revoked keys', async () => {
    const before = await state();
    const bad: [string, Record<string, string>][] = [
      ['none', {}],
      ['fake', { authorization: 'Bearer wp_test_0000000000000000000000000000000000000000000' }],
      ['revoked', revoked.auth],
      ['basic', { authorization: `Basic ${a.key}` }],
      ['key in query only', {}],
    ];
    let refused = 0;
    for (const route of app.routeTable) {
      const sample = sampleFor(route.method, route.url);
      if (!sample) continue;
      const { url, body } = sample(target);
      const messages = new Map<string, string>();
      for (const [label, headers] of bad) {
        const withKey =
          label === 'key in query only'
            ? `${url}${url.includes('?') ? '&' : '?'}key=${a.key}`
            : url;
        const res = await app.inject({
          method: route.method as Method,
          url: withKey,
          headers,
          ...(body === undefined ? {} : { payload: body as object }),
        });
        expect(res.statusCode, `${route.method} ${url} ${label}`).toBe(401);
        refused++;
        if (route.method === 'HEAD') continue;
        expect(Object.keys(res.json())).toEqual(['error']);
        for (const s of [a.key, b.key, revoked.key, ...SECRETS]) expect(res.body).not.toContain(s);
        messages.set(label, res.json().error);
      }
      // A revoked key is told apart from a made-up one by nothing.
      if (route.method !== 'HEAD') expect(messages.get('revoked')).toBe(messages.get('fake'));
    }
    expect(await state()).toEqual(before);
    console.log(`isolation [${backend().name}]: ${refused} requests refused with 401`);
  });

  it("lets another account's key see and change nothing of the account", async () => {
    const before = await state();
    const missingId = 2_000_000_000;
    for (const route of app.routeTable) {
      const sample = sampleFor(route.method, route.url);
      if (!sample) continue;
      const { url, body } = sample(target);
      const res = await app.inject({
        method: route.method as Method,
        url,
        headers: b.auth,
        ...(body === undefined ? {} : { payload: body as object }),
      });
      const where = `${route.method} ${url}`;
      expect(res.statusCode, where).toBeLessThan(500);
      for (const s of [a.key, ...SECRETS]) expect(res.body, where).not.toContain(s);
      if (route.url.includes(':id')) {
        // The same answer as for an id that exists nowhere: no existence oracle.
        expect(res.statusCode, where).toBe(404);
        const none = await app.inject({
          method: route.method as Method,
          url: url.replace(String(target.id), String(missingId)),
          headers: b.auth,
          ...(body === undefined ? {} : { payload: body as object }),
        });
        if (route.method !== 'HEAD')
          expect(res.json().error.replace(String(target.id), 'N')).toBe(
            none.json().error.replace(String(missingId), 'N'),
          );
      }
      if (route.url === '/api/sync/push') {
        expect(res.json().results[0].status).toBe('rejected');
        expect(res.json().checkouts[0].status).toBe('rejected');
      }
    }
    expect(await state()).toEqual(before);
    const aProject = await call(app, 'GET', `/api/projects/${target.id}`, a.auth);
    expect(aProject.body.name).toBe('secret-a');
  });

  it('accepts the owner on every sampled route (so the refusals above are about the key)', async () => {
    const owner = await newAccount(backend().storage, 'iso-owner');
    const made = await call(app, 'POST', '/api/projects', owner.auth, { name: 'mine' });
    const own: Target = { id: made.body.id, uuid: made.body.uuid, rev: 0 };
    // DELETE last: the others need the project.
    const routes = [...app.routeTable].sort(
      (x, y) => Number(x.method === 'DELETE') - Number(y.method === 'DELETE'),
    );
    for (const route of routes) {
      const sample = sampleFor(route.method, route.url);
      if (!sample) continue;
      const feed = await call(app, 'GET', '/api/sync/changes?since=0', owner.auth);
      own.rev = feed.body.changes.find((c: { uuid: string }) => c.uuid === own.uuid)?.rev ?? 0;
      const { url, body } = sample(own);
      const res = await app.inject({
        method: route.method as Method,
        url,
        headers: owner.auth,
        ...(body === undefined ? {} : { payload: body as object }),
      });
      expect(res.statusCode, `${route.method} ${url}: ${res.body}`).toBeLessThan(300);
    }
  });
});

describeBackends('keys stay out of the logs of a real work-prod (trace level)', () => {
  beforeAll(() => requireBuilt());
  afterAll(() => {
    killServers();
    removeTempDirs();
  });

  it('logs no key, valid, revoked or malformed, on any route', async () => {
    const db = ['--db', join(makeTempDir('work-prod-logs-'), 'w.db')];
    const server = await startServer(db, { WORK_PROD_LOG_LEVEL: 'trace', USER: 'logger' });
    const key = (await server.waitFor(/--key (wp_[\w-]{43})$/m))[1]!;
    const extra = JSON.parse(
      (await runBin(['key', 'create', '--user', 'logger', '--json', ...db])).stdout,
    ) as {
      key: string;
      prefix: string;
    };
    await runBin(['key', 'revoke', extra.prefix, ...db]);
    const target: Target = { id: 1, uuid: randomUUID(), rev: 1 };
    for (const [label, sample] of Object.entries(SAMPLES)) {
      const [method] = label.split(' ');
      const { url, body } = sample(target);
      for (const auth of [`Bearer ${key}`, `Bearer ${extra.key}`, `Bearer ${key}x`, key]) {
        const res = await fetch(`${server.url}${url}`, {
          method,
          headers: { authorization: auth, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        expect(await res.text()).not.toContain(key);
      }
    }
    await server.stop();
    // The key appears only in the three lines printed once on first start.
    expect(server.output().split(key).length - 1).toBe(3);
    expect(server.output()).not.toContain(extra.key);
    expect(server.output()).toMatch(/"reqId"/); // requests were logged at all
  });
}, ['sqlite']);
