/**
 * The real `work-prod` program (built dist), spawned: first start prints a key once, admin
 * commands, graceful SIGTERM, body limit, per-key rate limit, OpenAPI, keys kept out of logs.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeBackends,
  killServers,
  requireBuilt,
  runBin,
  type ServerProcess,
  startServer,
  syncFields,
} from './helpers.js';

const record = (name: string) => syncFields(name, { description: 'x'.repeat(100) });

/** POSTs JSON with node:http and resolves once the whole body was handed to the socket. */
function postJson(url: string, key: string, body: unknown) {
  const payload = Buffer.from(JSON.stringify(body));
  let onWritten!: () => void;
  const written = new Promise<void>((resolve) => {
    onWritten = resolve;
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'content-length': payload.length,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload, onWritten);
  });
  return { written, response };
}

const get = (url: string, key?: string) =>
  fetch(url, key ? { headers: { authorization: `Bearer ${key}` } } : {});

describeBackends('work-prod process', (backend) => {
  let first: ServerProcess | undefined;
  let firstKey = '';
  const db = () => ['--db', backend().dbArg];
  beforeAll(() => requireBuilt());
  afterAll(() => killServers());

  it('on first start creates an account and prints its key once, with the line to paste', async () => {
    first = await startServer(db(), {
      WORK_PROD_LOG_LEVEL: 'trace',
      WORK_PROD_RATE_LIMIT: '30',
      USER: 'tester',
    });
    const line = new RegExp(
      `^dev-infra remote set ${first.url.replace(/\./g, '\\.')} --key (wp_[\\w-]{43})$`,
      'm',
    );
    firstKey = (await first.waitFor(line))[1]!;
    expect(first.output()).toContain('Created the first account, tester (named after $USER).');
    const health = await get(`${first.url}/api/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', capabilities: ['sync-v1'] });
    const list = await get(`${first.url}/api/projects`, firstKey);
    expect(list.status).toBe(200);
  });

  it('serves the OpenAPI document generated from the route schemas', async () => {
    const res = await get(`${first!.url}/api/openapi.json`, firstKey);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/api/health',
      '/api/projects',
      '/api/projects/{id}',
      '/api/projects/{id}/archive',
      '/api/projects/import',
      '/api/sync/changes',
      '/api/sync/push',
      '/api/machines',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
    expect(JSON.stringify(doc.paths['/api/projects']!.post)).toContain('organization');
  });

  it('answers an oversized body with 413 and {"error"}', async () => {
    const { response } = postJson(`${first!.url}/api/projects`, firstKey, {
      name: 'big',
      description: 'x'.repeat(1024 * 1024 + 10),
    });
    const res = await response;
    expect(res.status).toBe(413);
    expect(Object.keys(JSON.parse(res.body))).toEqual(['error']);
  });

  it('limits requests per key (429 with {"error"}) without touching other keys', async () => {
    const made = await runBin(['key', 'create', '--user', 'tester', '--json', ...db()]);
    expect(made.code, made.stderr).toBe(0);
    const { key } = JSON.parse(made.stdout) as { key: string };
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++)
      statuses.push((await get(`${first!.url}/api/machines`, key)).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    const limited = await get(`${first!.url}/api/machines`, key);
    expect(limited.status).toBe(429);
    expect(Object.keys((await limited.json()) as object)).toEqual(['error']);
    expect((await get(`${first!.url}/api/machines`, firstKey)).status).toBe(200);
  });

  it('finishes a request in flight on SIGTERM, closes the database and exits 0', async () => {
    const machine = { id: randomUUID(), name: 'box' };
    const changes = Array.from({ length: 1000 }, (_, i) => ({
      uuid: randomUUID(),
      base_rev: 0,
      fields: record(`p${i}`),
    }));
    const { written, response } = postJson(`${first!.url}/api/sync/push`, firstKey, {
      machine,
      changes,
    });
    await written;
    const exit = first!.stop('SIGTERM');
    const res = await response;
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { results: { status: string }[] };
    expect(body.results.filter((r) => r.status === 'applied')).toHaveLength(1000);
    expect(await exit).toBe(0);
    expect(first!.output()).toContain('work-prod stopped');
    // No key in any log line (the only occurrences are the three lines printed on first start).
    expect(first!.output().split(firstKey).length - 1).toBe(3);
    expect(await backend().storage.listProjects(1, {})).toHaveLength(1000);
  });

  it('on a second start prints no key and still has the data', async () => {
    const again = await startServer(db(), { WORK_PROD_LOG_LEVEL: 'trace' });
    try {
      const res = await get(`${again.url}/api/sync/changes?since=0&limit=1`, firstKey);
      expect(((await res.json()) as { head: number }).head).toBe(1000);
      await get(`${again.url}/api/projects`, 'wp_wrong');
      expect(again.output()).not.toMatch(/wp_[\w-]{20}/);
      expect(again.output()).not.toContain('Created the first account');
    } finally {
      expect(await again.stop('SIGINT')).toBe(0);
    }
  });
});
