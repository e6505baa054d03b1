/**
 * The dashboard's server side on both backends: sessions (cookie, CSRF, sign-out, expiry),
 * the projects query (search, filters, sort, paging), project history, and edits with the
 * sync push's compare-and-swap.
 */
import { randomUUID } from 'node:crypto';
import type { SharedFields } from '@dev-infra/core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { hashKey } from '../src/keys.js';
import { openStorage } from '../src/storage/open.js';
import { call, describeBackends, makeApp, newAccount, syncFields } from './helpers.js';

const fields = syncFields;

const CSRF = { 'x-work-prod-dashboard': '1' };

/** The session cookie pair ("wp_session=...") from a sign-in answer. */
function sessionCookie(headers: Record<string, unknown>): string {
  const set = headers['set-cookie'];
  const line = (Array.isArray(set) ? set : [set]).find((c) => String(c).startsWith('wp_session='));
  if (!line) throw new Error('no session cookie was set');
  return String(line).split(';')[0]!;
}

describeBackends('dashboard', (backend) => {
  let app: FastifyInstance;
  let account: Awaited<ReturnType<typeof newAccount>>;
  const laptop = { id: randomUUID(), name: 'laptop' };
  const desktop = { id: randomUUID(), name: 'desktop' };

  beforeAll(async () => {
    app = await makeApp(backend().storage);
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(async () => {
    account = await newAccount(backend().storage);
  });

  const signIn = async () => {
    const res = await call(app, 'POST', '/api/session', CSRF, { key: account.key });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return { cookie: sessionCookie(res.headers) };
  };
  const push = async (machine: typeof laptop, changes: unknown[], checkouts: unknown[] = []) => {
    const res = await call(app, 'POST', '/api/sync/push', account.auth, {
      machine,
      changes,
      checkouts,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  it('signs in with a key into an httpOnly, SameSite=Strict cookie; a wrong key is refused', async () => {
    const wrong = await call(app, 'POST', '/api/session', CSRF, { key: 'wp_not-a-key' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatch(/not valid/);
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const res = await call(app, 'POST', '/api/session', CSRF, { key: account.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ account: account.name });
    const line = String(res.headers['set-cookie']);
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Strict/);
    expect(line).not.toMatch(/Secure/);
    // Only the hash is stored: the token itself opens nothing at the key table.
    const token = sessionCookie(res.headers).split('=')[1]!;
    expect(await backend().storage.accountForKey(hashKey(token))).toBeUndefined();
    expect(await backend().storage.accountForSession(hashKey(token))).toBe(account.id);

    const me = await call(app, 'GET', '/api/session', { cookie: sessionCookie(res.headers) });
    expect(me.body).toEqual({ account: account.name });
  });

  it('marks the cookie Secure behind an https proxy', async () => {
    const proxied = await makeApp(backend().storage, { trustProxy: true });
    try {
      const res = await call(
        proxied,
        'POST',
        '/api/session',
        { ...CSRF, 'x-forwarded-proto': 'https' },
        { key: account.key },
      );
      expect(res.status).toBe(200);
      expect(String(res.headers['set-cookie'])).toMatch(/Secure/);
    } finally {
      await proxied.close();
    }
  });

  it('lets a session read the API, refuses cookie writes without the dashboard header', async () => {
    const { cookie } = await signIn();
    const uuid = randomUUID();
    await push(laptop, [{ uuid, base_rev: 0, fields: fields('p') }]);
    const read = await call(app, 'GET', '/api/sync/changes?since=0', { cookie });
    expect(read.status).toBe(200);
    expect(read.body.changes).toHaveLength(1);

    const body = { base_rev: 1, description: 'forged' };
    const forged = await call(app, 'PATCH', `/api/dashboard/projects/${uuid}`, { cookie }, body);
    expect(forged.status).toBe(403);
    const forgedPush = await call(
      app,
      'POST',
      '/api/sync/push',
      { cookie },
      { machine: laptop, changes: [] },
    );
    expect(forgedPush.status).toBe(403);
    const signInForm = await call(app, 'POST', '/api/session', {}, { key: account.key });
    expect(signInForm.status).toBe(403);
    const page = await call(app, 'GET', `/api/dashboard/projects/${uuid}`, { cookie });
    expect(page.body.project.fields.description).toBeNull();
  });

  it('signs out by deleting the session; an expired session is refused', async () => {
    const { cookie } = await signIn();
    const out = await call(app, 'DELETE', '/api/session', { cookie, ...CSRF });
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/wp_session=;/);
    const after = await call(app, 'GET', '/api/dashboard/projects', { cookie });
    expect(after.status).toBe(401);
    expect(after.body.error).toMatch(/sign in again/);

    const token = 'expired-token-for-test';
    await backend().storage.createSession(
      account.id,
      hashKey(token),
      new Date(Date.now() - 1000),
      hashKey(account.key),
    );
    const expired = await call(app, 'GET', '/api/session', { cookie: `wp_session=${token}` });
    expect(expired.status).toBe(401);
  });

  it('ends a session when its key is revoked, even by another process', async () => {
    const { cookie } = await signIn();
    const other = await newAccount(backend().storage);
    const uuid = randomUUID();
    const pushBody = {
      machine: laptop,
      changes: [{ uuid, base_rev: 0, fields: fields('s') }],
    };
    const asSession = () => [
      call(app, 'GET', '/api/dashboard/projects', { cookie }),
      call(app, 'GET', '/api/projects', { cookie }),
      call(app, 'GET', '/api/sync/changes?since=0', { cookie }),
      call(app, 'POST', '/api/sync/push', { cookie, ...CSRF }, pushBody),
    ];
    for (const res of await Promise.all(asSession())) expect(res.status).toBe(200);

    // `work-prod key revoke` is another process: a second storage on the same database, so
    // this app's key cache is not told.
    const admin = await openStorage(backend().target);
    try {
      expect(await admin.revokeKey(account.prefix)).toBe('revoked');
    } finally {
      await admin.close();
    }
    for (const res of await Promise.all(asSession())) {
      expect(res.status).toBe(401);
      expect(res.body.error).toMatch(/sign in again/);
    }
    expect((await call(app, 'GET', '/api/session', { cookie })).status).toBe(401);
    // Another account's key and session are untouched.
    const theirs = await call(app, 'POST', '/api/session', CSRF, { key: other.key });
    expect(theirs.status).toBe(200);
    const page = await call(app, 'GET', '/api/dashboard/projects', {
      cookie: sessionCookie(theirs.headers),
    });
    expect(page.status).toBe(200);
  });

  it('a signed-out cookie is refused on every API', async () => {
    const { cookie } = await signIn();
    expect((await call(app, 'DELETE', '/api/session', { cookie, ...CSRF })).status).toBe(204);
    for (const res of await Promise.all([
      call(app, 'GET', '/api/projects', { cookie }),
      call(app, 'GET', '/api/sync/changes?since=0', { cookie }),
      call(app, 'POST', '/api/sync/push', { cookie, ...CSRF }, { machine: laptop, changes: [] }),
    ]))
      expect(res.status).toBe(401);
  });

  it('searches, filters, sorts and pages on the server', async () => {
    const ids = Object.fromEntries(
      ['alpha', 'beta', 'gamma', 'delta', 'orphan'].map((n) => [n, randomUUID()]),
    );
    await push(
      laptop,
      [
        {
          uuid: ids.alpha,
          base_rev: 0,
          fields: fields('alpha', {
            tags: ['go', 'svc'],
            remote_url: 'git@github.com:acme/alpha.git',
          }),
        },
        {
          uuid: ids.beta,
          base_rev: 0,
          fields: fields('Beta', { status: 'paused', tags: ['web'] }),
        },
        { uuid: ids.orphan, base_rev: 0, fields: fields('orphan', { project_type: 'Personal' }) },
      ],
      [
        { uuid: ids.alpha, path: '/home/me/alpha' },
        { uuid: ids.beta, path: '/home/me/beta' },
      ],
    );
    await push(
      desktop,
      [
        {
          uuid: ids.gamma,
          base_rev: 0,
          fields: fields('gamma', { description: 'Uses 100%_of the CPU', tags: ['gopher'] }),
        },
        { uuid: ids.delta, base_rev: 0, fields: fields('delta', { project_type: 'Learning' }) },
      ],
      [
        { uuid: ids.gamma, path: '/src/gamma' },
        { uuid: ids.delta, path: '/src/delta' },
        { uuid: ids.alpha, path: '/src/alpha' },
      ],
    );
    const list = async (query: string) => {
      const res = await call(app, 'GET', `/api/dashboard/projects?${query}`, account.auth);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as {
        total: number;
        projects: { fields: SharedFields; checkouts: unknown[] }[];
      };
    };
    const names = async (query: string) => (await list(query)).projects.map((p) => p.fields.name);

    expect(await names('')).toEqual(['alpha', 'Beta', 'delta', 'gamma', 'orphan']);
    expect(await names('sort=name&order=desc')).toEqual([
      'orphan',
      'gamma',
      'delta',
      'Beta',
      'alpha',
    ]);
    expect(await names('sort=type')).toEqual(['delta', 'orphan', 'alpha', 'Beta', 'gamma']);
    expect(await names('q=ACME')).toEqual(['alpha']);
    expect(await names('q=100%25_')).toEqual(['gamma']);
    expect(await names('q=gopher')).toEqual(['gamma']);
    expect(await names('tag=go')).toEqual(['alpha']);
    expect(await names('status=paused')).toEqual(['Beta']);
    expect(await names('type=Learning')).toEqual(['delta']);
    expect(await names(`machine=${laptop.id}`)).toEqual(['alpha', 'Beta']);
    expect(await names(`machine=${desktop.id}&q=a`)).toEqual(['alpha', 'delta', 'gamma']);
    expect(await names('orphan=1')).toEqual(['orphan']);
    const paged = await list('per_page=2&page=2');
    expect(paged.total).toBe(5);
    expect(paged.projects.map((p) => p.fields.name)).toEqual(['delta', 'gamma']);
    const alpha = (await list('q=alpha')).projects[0]!;
    expect(alpha.checkouts).toHaveLength(2);

    const tags = await call(app, 'GET', '/api/dashboard/tags', account.auth);
    expect(tags.body).toEqual({ tags: ['go', 'gopher', 'svc', 'web'] });
    const bad = await call(app, 'GET', '/api/dashboard/projects?sort=size', account.auth);
    expect(bad.status).toBe(400);
  });

  it('edits with compare-and-swap: applied on the current rev, refused on a stale one', async () => {
    const { cookie } = await signIn();
    const uuid = randomUUID();
    await push(laptop, [{ uuid, base_rev: 0, fields: fields('p', { tags: ['x'] }) }]);
    const headers = { cookie, ...CSRF };
    const edit = await call(app, 'PATCH', `/api/dashboard/projects/${uuid}`, headers, {
      base_rev: 1,
      description: 'from the dashboard',
      tags: ['Y', 'x'],
      status: 'paused',
    });
    expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    expect(edit.body.rev).toBe(2);
    expect(edit.body.fields).toMatchObject({
      description: 'from the dashboard',
      tags: ['Y', 'x'],
      status: 'paused',
      project_type: 'Work',
    });
    // The change reaches machines through the feed.
    const feed = await call(app, 'GET', '/api/sync/changes?since=1', account.auth);
    expect(feed.body.changes.map((c: { fields: SharedFields }) => c.fields.description)).toEqual([
      'from the dashboard',
    ]);

    const stale = await call(app, 'PATCH', `/api/dashboard/projects/${uuid}`, headers, {
      base_rev: 1,
      description: 'stale',
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatch(/changed elsewhere/);
    expect(stale.body.current.fields.description).toBe('from the dashboard');
    // A retry of the applied edit is not a conflict (same content).
    const retry = await call(app, 'PATCH', `/api/dashboard/projects/${uuid}`, headers, {
      base_rev: 1,
      description: 'from the dashboard',
    });
    expect(retry.status).toBe(200);
    expect(retry.body.rev).toBe(2);

    const invalid = await call(app, 'PATCH', `/api/dashboard/projects/${uuid}`, headers, {
      base_rev: 2,
      status: 'gone',
    });
    expect(invalid.status).toBe(400);
    const missing = await call(app, 'PATCH', `/api/dashboard/projects/${randomUUID()}`, headers, {
      base_rev: 0,
    });
    expect(missing.status).toBe(404);

    // The dashboard is not a machine.
    const machines = await call(app, 'GET', '/api/machines', account.auth);
    expect(machines.body.machines.map((m: { name: string }) => m.name)).toEqual(['laptop']);
  });

  it('records every kind of change in the project history', async () => {
    const { cookie } = await signIn();
    const uuid = randomUUID();
    await push(laptop, [{ uuid, base_rev: 0, fields: fields('h') }], [{ uuid, path: '/a' }]);
    await push(
      desktop,
      [{ uuid, base_rev: 1, fields: fields('h', { description: 'd' }) }],
      [{ uuid, path: '/b' }],
    );
    await push(laptop, [], [{ uuid, path: '/a2' }]);
    await call(
      app,
      'PATCH',
      `/api/dashboard/projects/${uuid}`,
      { cookie, ...CSRF },
      {
        base_rev: 3,
        tags: ['t'],
      },
    );
    const view = await call(app, 'GET', `/api/dashboard/projects/${uuid}`, account.auth);
    expect(view.status).toBe(200);
    const id = (await call(app, 'GET', '/api/projects', account.auth)).body.find(
      (p: { uuid: string }) => p.uuid === uuid,
    ).id;
    await call(app, 'PATCH', `/api/projects/${id}`, account.auth, { organization: 'acme' });
    await push(laptop, [], [{ uuid, removed: true }]);
    await call(app, 'DELETE', `/api/projects/${id}`, account.auth);

    const project = await backend().storage.projectByUuid(account.id, uuid);
    expect(project).toBeUndefined();
    const history = await backend().storage.projectHistory(account.id, id, 50);
    expect(
      history.map((e) => `${e.seq} ${e.source} ${e.kind} ${e.fields.join(',')}`).reverse(),
    ).toEqual([
      '1 laptop created ',
      '2 laptop checkout added',
      '3 desktop updated description',
      '4 desktop checkout added',
      '5 laptop checkout moved',
      '6 dashboard updated tags',
      '7 api updated organization',
      '8 laptop checkout removed',
      '9 api deleted ',
    ]);
    expect(view.body.history.map((e: { seq: number }) => e.seq)).toEqual([6, 5, 4, 3, 2, 1]);
  });

  it('keeps accounts apart', async () => {
    const uuid = randomUUID();
    await push(laptop, [{ uuid, base_rev: 0, fields: fields('mine') }]);
    const other = await newAccount(backend().storage);
    const seen = await call(app, 'GET', '/api/dashboard/projects', other.auth);
    expect(seen.body.total).toBe(0);
    const page = await call(app, 'GET', `/api/dashboard/projects/${uuid}`, other.auth);
    expect(page.status).toBe(404);
    const edit = await call(app, 'PATCH', `/api/dashboard/projects/${uuid}`, other.auth, {
      base_rev: 1,
      description: 'x',
    });
    expect(edit.status).toBe(404);
  });

  it('serves the built page at / with a strict CSP, and unknown paths keep the JSON 404', async () => {
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<script type="module" src="/app.js"></script>');
    expect(String(page.headers['content-security-policy'])).toMatch(/script-src 'self'/);
    const script = await app.inject({ method: 'GET', url: '/app.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    const missing = await call(app, 'GET', '/no-such-page', {});
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'no route GET /no-such-page' });
  });
});
