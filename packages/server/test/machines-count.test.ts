/**
 * The Machines answer (`GET /api/machines`, which the dashboard's Machines page shows) counts
 * only checkouts of live projects (issue 13 §5): a deleted project's checkout rows stay with its
 * tombstone, and used to be counted. Deleted by a sync push and by the API's DELETE, read with
 * a key and with a dashboard session. Both backends.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, describeBackends, makeApp, newAccount, syncFields } from './helpers.js';

const CSRF = { 'x-work-prod-dashboard': '1' };

describeBackends('machines count live checkouts only', (backend) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await makeApp(backend().storage);
  });
  afterAll(async () => {
    await app.close();
  });

  it('a project deleted by a push or by the API no longer counts, on the dashboard too', async () => {
    const account = await newAccount(backend().storage);
    const laptop = { id: randomUUID(), name: 'laptop' };
    const desktop = { id: randomUUID(), name: 'desktop' };
    const uuids = [randomUUID(), randomUUID(), randomUUID()];
    const push = async (machine: typeof laptop, changes: unknown[], checkouts: unknown[]) => {
      const res = await call(app, 'POST', '/api/sync/push', account.auth, {
        machine,
        changes,
        checkouts,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as { results: { uuid: string; rev: number }[] };
    };
    const created = await push(
      laptop,
      uuids.map((uuid, i) => ({ uuid, base_rev: 0, fields: syncFields(`p${i}`) })),
      uuids.map((uuid, i) => ({ uuid, path: `/home/me/p${i}` })),
    );
    await push(
      desktop,
      [],
      uuids.slice(0, 2).map((uuid, i) => ({ uuid, path: `/work/p${i}` })),
    );
    // The sign-in of a dashboard user, to read the page's answer as the page does.
    const signIn = await call(app, 'POST', '/api/session', CSRF, { key: account.key });
    const cookie = String(
      (Array.isArray(signIn.headers['set-cookie'])
        ? signIn.headers['set-cookie']
        : [signIn.headers['set-cookie']]
      ).find((c) => String(c).startsWith('wp_session=')),
    ).split(';')[0]!;
    const counts = async () => {
      const byKey = await call(app, 'GET', '/api/machines', account.auth);
      const bySession = await call(app, 'GET', '/api/machines', { cookie });
      expect(bySession.status).toBe(200);
      expect(bySession.body).toEqual(byKey.body);
      return Object.fromEntries(
        (byKey.body.machines as { name: string; checkouts: number }[]).map((m) => [
          m.name,
          m.checkouts,
        ]),
      );
    };
    expect(await counts()).toEqual({ laptop: 3, desktop: 2 });

    // Deleted everywhere from the desktop: the laptop's checkout row stays with the tombstone.
    const rev0 = created.results.find((r) => r.uuid === uuids[0])!.rev;
    await push(desktop, [{ uuid: uuids[0], base_rev: rev0, deleted: true }], []);
    expect(await counts()).toEqual({ laptop: 2, desktop: 1 });

    // Deleted through the original API (a tombstone too).
    const listed = await call(app, 'GET', '/api/projects', account.auth);
    const list = (Array.isArray(listed.body) ? listed.body : listed.body.projects) as {
      id: number;
      name: string;
    }[];
    const p1 = list.find((p) => p.name === 'p1')!;
    expect((await call(app, 'DELETE', `/api/projects/${p1.id}`, account.auth)).status).toBe(204);
    expect(await counts()).toEqual({ laptop: 1, desktop: 0 });
  });
});
