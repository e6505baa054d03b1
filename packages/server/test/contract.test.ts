/**
 * The original work-prod API: the table of cases in support/original-api-cases.ts, run
 * against both backends, and the limits that must not apply to it.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, describeBackends, makeApp, newAccount } from './helpers.js';
import { CASES } from './support/original-api-cases.js';

describeBackends('original API contract', (backend) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await makeApp(backend().storage);
  });
  afterAll(async () => {
    await app.close();
  });

  it.each(CASES)('$title', async (c) => {
    const { storage } = backend();
    const account = await newAccount(storage);
    const ids: number[] = [];
    for (const { deleted, ...input } of c.given ?? []) {
      const outcome = await storage.createProject(account.id, input);
      if (outcome.kind !== 'ok') throw new Error(`setup failed: ${outcome.kind}`);
      ids.push(outcome.project.id);
      if (deleted) await storage.deleteProject(account.id, outcome.project.id);
    }
    const url = c.url.replace(/\{(\d+)\}/g, (_, i: string) => String(ids[Number(i)]));
    const headers: Record<string, string> = c.anonymous ? {} : account.auth;
    if (typeof c.body === 'string' || c.emptyJson) headers['content-type'] = 'application/json';
    const res = await call(app, c.method, url, headers, c.emptyJson ? '' : c.body);

    expect(res.status, JSON.stringify(res.body)).toBe(c.status);
    if (c.status >= 400) {
      expect(Object.keys(res.body)).toEqual(['error']);
      expect(typeof res.body.error).toBe('string');
    }
    if (c.status === 204) expect(res.body).toBeUndefined();
    if (c.expect !== undefined) expect(res.body).toMatchObject(c.expect as object);
    if (c.error) expect(res.body.error).toMatch(c.error);
    if (c.names) expect(res.body.map((p: { name: string }) => p.name)).toEqual(c.names);
    for (const key of c.absent ?? []) expect(res.body).not.toHaveProperty(key);
    if (c.location) {
      expect(Number.isInteger(res.body.id)).toBe(true);
      expect(res.headers.location).toBe(`/api/projects/${res.body.id}`);
    }
    if (c.title.startsWith('import skips')) expect(res.body.errors).toHaveLength(2);
  });
});

describeBackends('original API limits', (backend) => {
  it('never rate-limits GET /api/health (monitors poll it)', async () => {
    const app = await makeApp(backend().storage, { rateLimit: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await call(app, 'GET', '/api/health', {})).status);
      expect(statuses).toEqual(Array(8).fill(200));
      const limited: number[] = [];
      for (let i = 0; i < 4; i++)
        limited.push((await call(app, 'GET', '/api/openapi.json', {})).status);
      expect(limited).toContain(429);
    } finally {
      await app.close();
    }
  });
});
