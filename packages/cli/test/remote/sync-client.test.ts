import type {
  ChangesResponse,
  PushRequest,
  PushResponse,
  SharedFields,
  SyncRecord,
} from '@dev-infra/core';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleFields } from '../../../core/test/fixtures.js';
import { detectCapabilities } from '../../src/remote/capabilities.js';
import { HttpClient, RemoteError } from '../../src/remote/http.js';
import { SyncClient, splitPushRequest } from '../../src/remote/sync-client.js';
import { closeAll, json, startServer } from './servers.js';

afterEach(closeAll);

const fields: SharedFields = sampleFields({ name: 'p' });
const record = (seq: number): SyncRecord => ({
  uuid: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  rev: seq,
  seq,
  deleted: false,
  fields: { ...fields, name: `p${seq}` },
  checkouts: [],
});

/** A small sync-v1 feed of `total` records, served in pages as the real server does. */
async function feedServer(total: number) {
  const all = Array.from({ length: total }, (_, i) => record(i + 1));
  return startServer((hit, res) => {
    const url = new URL(hit.url, 'http://x');
    if (url.pathname === '/api/health') {
      return json(res, 200, {
        status: 'ok',
        message: 'up',
        capabilities: ['sync-v1'],
        version: '1.2.3',
      });
    }
    if (url.pathname === '/api/sync/changes') {
      const since = Number(url.searchParams.get('since'));
      const limit = Number(url.searchParams.get('limit'));
      const changes = all.filter((r) => r.seq > since).slice(0, limit);
      const next = changes.at(-1)?.seq ?? since;
      const body: ChangesResponse = { changes, next, more: next < total, head: total };
      return json(res, 200, body);
    }
    if (url.pathname === '/api/sync/push' && hit.method === 'POST') {
      const req = JSON.parse(hit.body) as PushRequest;
      const body: PushResponse = {
        results: req.changes.map((c, i) => ({
          uuid: c.uuid,
          status: 'applied',
          rev: total + i + 1,
          seq: total + i + 1,
        })),
        checkouts: (req.checkouts ?? []).map((c) => ({ uuid: c.uuid, status: 'applied', seq: 1 })),
        head: total + req.changes.length,
      };
      return json(res, 200, body);
    }
    if (url.pathname === '/api/machines') {
      return json(res, 200, {
        machines: [{ id: 'm1', name: 'laptop', last_sync: null, checkouts: 0 }],
      });
    }
    return json(res, 404, { error: 'not found' });
  });
}

describe('detectCapabilities', () => {
  it('finds sync-v1 and the version', async () => {
    const s = await feedServer(0);
    expect(await detectCapabilities(new HttpClient({ url: s.url }))).toEqual({
      protocol: 'sync-v1',
      version: '1.2.3',
    });
  });

  it('falls back to basic without capabilities, and refuses a non-object answer', async () => {
    const s = await startServer((hit, res) =>
      hit.url === '/api/health'
        ? json(res, 200, { status: 'ok', message: 'hi' })
        : json(res, 200, [1]),
    );
    expect(await detectCapabilities(new HttpClient({ url: s.url }))).toEqual({ protocol: 'basic' });
    const other = new HttpClient({ url: `${s.url}/elsewhere` });
    await expect(detectCapabilities(other)).rejects.toMatchObject({ kind: 'protocol' });
  });
});

describe('SyncClient', () => {
  it('reads one page and passes the machine so the server can note the pull', async () => {
    const s = await feedServer(5);
    const client = new SyncClient(new HttpClient({ url: s.url }));
    const page = await client.changes(1, 2, { id: 'm1', name: 'laptop' });
    expect(page.changes.map((r) => r.seq)).toEqual([2, 3]);
    expect(page).toMatchObject({ next: 3, more: true, head: 5 });
    expect(s.hits[0]!.url).toBe(
      '/api/sync/changes?since=1&limit=2&machine_id=m1&machine_name=laptop',
    );
  });

  it('pages through every change in order, and once when nothing changed', async () => {
    const s = await feedServer(7);
    const client = new SyncClient(new HttpClient({ url: s.url }));
    const seen: number[] = [];
    for await (const page of client.pages(0, { limit: 3 })) {
      seen.push(...page.changes.map((r) => r.seq));
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(s.hits).toHaveLength(3);

    const pages: ChangesResponse[] = [];
    for await (const page of client.pages(7)) pages.push(page);
    expect(pages).toEqual([{ changes: [], next: 7, more: false, head: 7, refused: [] }]);
    expect(s.hits).toHaveLength(4);
  });

  it('stops with an error when the cursor does not move instead of looping', async () => {
    const s = await startServer((_hit, res) =>
      json(res, 200, { changes: [], next: 4, more: true, head: 9 }),
    );
    const client = new SyncClient(new HttpClient({ url: s.url }));
    const run = async () => {
      for await (const _ of client.pages(4)) {
        // drain
      }
    };
    await expect(run()).rejects.toBeInstanceOf(RemoteError);
    expect(s.hits).toHaveLength(1);
  });

  it('refuses an answer of the wrong shape', async () => {
    const s = await startServer((_hit, res) => json(res, 200, { changes: 'nope' }));
    const client = new SyncClient(new HttpClient({ url: s.url }));
    await expect(client.changes(0)).rejects.toMatchObject({ kind: 'protocol' });
    await expect(
      client.push({ machine: { id: 'm', name: 'n' }, changes: [] }),
    ).rejects.toMatchObject({ kind: 'protocol' });
    await expect(client.machines()).rejects.toMatchObject({ kind: 'protocol' });
  });

  it('names the field of an invalid answer, in one line', async () => {
    const bad = { ...record(4), fields: { ...fields, tags: 'go' } };
    const s = await startServer((hit, res) => {
      if (hit.url.startsWith('/api/sync/changes')) {
        return json(res, 200, {
          changes: [record(1), record(2), record(3), bad],
          next: 4,
          more: false,
          head: 4,
        });
      }
      if (hit.url === '/api/sync/push') {
        const results = [{ uuid: 'u1', status: 'conflict', current: { ...record(1), rev: null } }];
        return json(res, 200, { results, checkouts: [], head: 1 });
      }
      if (hit.url === '/api/health') return json(res, 200, { status: 'ok', capabilities: 1 });
      return json(res, 200, { machines: [{ id: 'm1', name: 'laptop', checkouts: 0 }] });
    });
    const http = new HttpClient({ url: s.url });
    const client = new SyncClient(http);
    const said = (e: unknown) => {
      expect(e).toBeInstanceOf(RemoteError);
      expect((e as RemoteError).kind).toBe('protocol');
      return (e as RemoteError).message;
    };
    // A bad record is refused on its own (issue 14): the rest of its page is kept.
    const page = await client.changes(0);
    expect(page.refused).toEqual([
      { uuid: expect.any(String), reason: 'fields.tags must be an array' },
    ]);
    expect(page.changes).toHaveLength(3);
    const push = client.push({ machine: { id: 'm', name: 'n' }, changes: [] });
    expect(said(await push.catch((e: unknown) => e))).toMatch(
      /invalid answer to POST \/api\/sync\/push: results\[0\]\.current\.rev must be an integer$/,
    );
    expect(said(await client.machines().catch((e: unknown) => e))).toMatch(
      /invalid answer to GET \/api\/machines: machines\[0\]\.last_sync is missing$/,
    );
    expect(said(await detectCapabilities(http).catch((e: unknown) => e))).toMatch(
      /invalid answer to GET \/api\/health: message is missing$/,
    );
  });

  it('accepts a push answer without checkouts, from a server that has none', async () => {
    const s = await startServer((_hit, res) =>
      json(res, 200, { results: [{ uuid: 'u1', status: 'rejected', error: 'no' }], head: 3 }),
    );
    const out = await new SyncClient(new HttpClient({ url: s.url })).push({
      machine: { id: 'm', name: 'n' },
      changes: [{ uuid: 'u1', base_rev: 0, fields }],
    });
    expect(out).toEqual({
      results: [{ uuid: 'u1', status: 'rejected', error: 'no' }],
      checkouts: [],
      head: 3,
    });
  });

  it('pushes a batch and lists machines', async () => {
    const s = await feedServer(2);
    const client = new SyncClient(new HttpClient({ url: s.url, apiKey: 'k' }));
    const req: PushRequest = {
      machine: { id: 'm1', name: 'laptop' },
      changes: [
        { uuid: 'u1', base_rev: 0, fields },
        { uuid: 'u2', base_rev: 2, deleted: true },
      ],
      checkouts: [{ uuid: 'u1', path: '/home/u/p' }],
    };
    const out = await client.push(req);
    expect(out.results.map((r) => [r.uuid, r.status])).toEqual([
      ['u1', 'applied'],
      ['u2', 'applied'],
    ]);
    expect(out.checkouts).toHaveLength(1);
    expect(JSON.parse(s.hits[0]!.body)).toEqual(req);
    expect(s.hits[0]!.headers.authorization).toBe('Bearer k');
    expect((await client.machines()).machines[0]!.name).toBe('laptop');
  });

  it('splits large pushes and refuses to send an oversized one', async () => {
    const machine = { id: 'm', name: 'n' };
    const changes = Array.from({ length: 5 }, (_, i) => ({ uuid: `u${i}`, base_rev: 0, fields }));
    const parts = splitPushRequest(
      { machine, changes, checkouts: [{ uuid: 'u0', removed: true }] },
      2,
    );
    expect(parts.map((p) => p.changes.length)).toEqual([2, 2, 1]);
    expect(parts.map((p) => p.checkouts?.length ?? 0)).toEqual([1, 0, 0]);
    expect(parts.every((p) => p.machine === machine)).toBe(true);
    expect(splitPushRequest({ machine, changes: [] })).toEqual([{ machine, changes: [] }]);

    const client = new SyncClient(new HttpClient({ url: 'http://127.0.0.1:1' }));
    const big = Array.from({ length: 1001 }, (_, i) => ({ uuid: `u${i}`, base_rev: 0, fields }));
    await expect(client.push({ machine, changes: big })).rejects.toBeInstanceOf(RangeError);
  });
});
