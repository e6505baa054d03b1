/**
 * Conditional GET over real HTTP: `ETag` on `GET /api/projects` and `GET /api/sync/changes`,
 * `If-None-Match` answered 304 with no body, a write changing the tag, and one account's tag
 * never matching another account's answer.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends, makeApp, newAccount } from './helpers.js';

describeBackends('conditional GET', (backend) => {
  let app: FastifyInstance;
  let base = '';
  beforeAll(async () => {
    app = await makeApp(backend().storage);
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
  });

  const get = (path: string, key: string, ifNoneMatch?: string) =>
    fetch(`${base}${path}`, {
      headers: {
        authorization: `Bearer ${key}`,
        ...(ifNoneMatch === undefined ? {} : { 'if-none-match': ifNoneMatch }),
      },
    });

  for (const path of ['/api/projects', '/api/sync/changes?since=0']) {
    it(`${path}: 304 with no body for the current tag, 200 again after a write`, async () => {
      const a = await newAccount(backend().storage);
      const first = await get(path, a.key);
      expect(first.status).toBe(200);
      const tag = first.headers.get('etag');
      expect(tag).toMatch(/^"[\w-]+"$/);
      expect(first.headers.get('cache-control')).toBe('private, no-cache');
      const body = await first.text();

      const same = await get(path, a.key, tag!);
      expect(same.status).toBe(304);
      expect(await same.text()).toBe('');
      expect(same.headers.get('etag')).toBe(tag);
      expect(same.headers.get('content-type')).toBeNull();
      // A list of tags and the weak form match too (RFC 9110's weak comparison).
      expect((await get(path, a.key, `"other", W/${tag}`)).status).toBe(304);
      expect((await get(path, a.key, '"other"')).status).toBe(200);

      const created = await fetch(`${base}/api/projects`, {
        method: 'POST',
        headers: { authorization: `Bearer ${a.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'changed' }),
      });
      expect(created.status).toBe(201);
      const after = await get(path, a.key, tag!);
      expect(after.status).toBe(200);
      expect(after.headers.get('etag')).not.toBe(tag);
      expect(await after.text()).not.toBe(body);
    });

    it(`${path}: one account's tag never matches another's answer`, async () => {
      const a = await newAccount(backend().storage);
      const b = await newAccount(backend().storage);
      const aAnswer = await get(path, a.key);
      const bAnswer = await get(path, b.key);
      // Both accounts are empty, so the bodies are the same; the tags still differ.
      expect(await bAnswer.text()).toBe(await aAnswer.text());
      expect(bAnswer.headers.get('etag')).not.toBe(aAnswer.headers.get('etag'));
      const crossed = await get(path, b.key, aAnswer.headers.get('etag')!);
      expect(crossed.status).toBe(200);
    });
  }

  it('gives no tag to an error answer', async () => {
    const a = await newAccount(backend().storage);
    const bad = await get('/api/sync/changes?since=x', a.key);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('etag')).toBeNull();
  });
});
