import type { SharedFields } from '@dev-infra/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BasicServer, startBasicServer } from '../../../../test-support/basic-server.js';
import { BasicClient, fromBasicProject, toBasicInput } from '../../src/remote/basic-client.js';
import { detectCapabilities } from '../../src/remote/capabilities.js';
import { HttpClient, RemoteError } from '../../src/remote/http.js';
import { closeAll, json, startServer } from './servers.js';

const KEY = 'dik_basic_key_never_shown';
let server: BasicServer;
let client: BasicClient;

beforeAll(async () => {
  server = await startBasicServer();
  client = new BasicClient(new HttpClient({ url: server.url, apiKey: KEY }));
});
afterAll(() => server.close());
afterEach(closeAll);

/** The RemoteError `fn` must throw. */
async function failure(fn: () => Promise<unknown>): Promise<RemoteError> {
  const e = await fn().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RemoteError);
  expect((e as RemoteError).message).not.toContain(KEY);
  return e as RemoteError;
}

describe('basic server and client', () => {
  it('has no capabilities, so the CLI picks basic mode; a key is tolerated', async () => {
    expect(await detectCapabilities(new HttpClient({ url: server.url, apiKey: KEY }))).toEqual({
      protocol: 'basic',
    });
    expect(server.requests.at(-1)!.authorization).toBe(`Bearer ${KEY}`);
  });

  it('creates with integer ids, 201 and Location; drops fields it cannot hold', async () => {
    const a = await client.create({
      name: 'api',
      path: '/home/a/api',
      project_type: 'Work',
      remote_url: 'https://github.com/acme/api',
      // Fields the original API does not know are dropped by the server.
      ...({ tags: ['go'], template: 'svc', checkouts: [] } as object),
    });
    expect(Number.isInteger(a.id)).toBe(true);
    // project_type is ignored on a create, as by the real v0.3.0 (kept only by the import).
    expect(a.project).toMatchObject({
      name: 'api',
      status: 'active',
      path: '/home/a/api',
      project_type: null,
    });
    const stored = server.projects().find((p) => p.id === a.id)!;
    expect(Object.keys(stored).sort()).toEqual(
      [
        'classification',
        'created_at',
        'description',
        'id',
        'name',
        'organization',
        'path',
        'project_type',
        'remote_url',
        'status',
        'updated_at',
      ].sort(),
    );
    const b = await client.create({ name: 'web', organization: 'acme', status: 'paused' });
    expect(b.id).toBe(a.id + 1);
    expect(await client.get(b.id)).toMatchObject({ name: 'web', organization: 'acme' });
  });

  it('lists everything and filters', async () => {
    const all = await client.list();
    expect(all.map((p) => p.name)).toEqual(['api', 'web']);
    expect((await client.list({ status: 'paused' })).map((p) => p.name)).toEqual(['web']);
    expect(await client.list({ project_type: 'Work' })).toEqual([]);
    expect((await client.list({ search: 'WE' })).map((p) => p.name)).toEqual(['web']);
    expect(await client.list({ organization: 'nobody' })).toEqual([]);
  });

  it('patches fields and keeps the rest', async () => {
    const [api] = await client.list({ search: 'api' });
    const patched = await client.patch(api!.id, { description: 'the api', status: 'paused' });
    expect(patched).toMatchObject({ name: 'api', description: 'the api', status: 'paused' });
    expect(patched.path).toBe('/home/a/api');
  });

  it('maps a duplicate path to 409 with the path named', async () => {
    const err = await failure(() => client.create({ name: 'api-copy', path: '/home/a/api' }));
    expect(err.status).toBe(409);
    expect(err.message).toBe('work-prod already has a project at path /home/a/api (409)');
    const [web] = await client.list({ search: 'web' });
    const patchErr = await failure(() => client.patch(web!.id, { path: '/home/a/api' }));
    expect(patchErr.status).toBe(409);
  });

  it('maps a missing name and a bad enum to 400 with the server’s reason', async () => {
    const err = await failure(() => client.create({ description: 'no name' }));
    expect(err.status).toBe(400);
    expect(err.message).toBe('work-prod refused the project (400): name is required');
    const bad = await failure(() => client.create({ name: 'x', status: 'done' as 'active' }));
    expect(bad.message).toContain('refused project "x" (400): status must be one of');
  });

  it('archives, then hard-deletes (204) so the id is gone: 404', async () => {
    const [web] = await client.list({ search: 'web' });
    expect(await client.archive(web!.id)).toMatchObject({
      classification: 'archive',
      status: 'completed',
    });
    await client.delete(web!.id);
    expect(server.projects().some((p) => p.id === web!.id)).toBe(false);
    const err = await failure(() => client.get(web!.id));
    expect(err.status).toBe(404);
    expect(err.message).toBe(
      `work-prod has no project ${web!.id} (404); it may have been deleted there`,
    );
    expect((await failure(() => client.delete(web!.id))).status).toBe(404);
    expect((await failure(() => client.archive(999))).status).toBe(404);
  });

  it('imports, skipping known remote URLs and reporting bad rows', async () => {
    const r = await client.import([
      { name: 'api-again', remote_url: 'https://github.com/acme/api' },
      { name: 'cli', remote_url: 'https://github.com/acme/cli' },
      { description: 'nameless' },
    ]);
    expect(r.imported).toBe(1);
    expect(r.skipped).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(server.projects().map((p) => p.name)).toContain('cli');
  });

  it('answers unknown routes, wrong methods and bad JSON as the original does', async () => {
    const http = new HttpClient({ url: server.url });
    expect((await failure(() => http.get('/api/nothing'))).status).toBe(404);
    expect((await failure(() => http.get('/api/projects/abc'))).status).toBe(404);
    const [first] = await client.list();
    expect((await failure(() => http.request('PUT', `/api/projects/${first!.id}`))).status).toBe(
      405,
    );
    const bad = await failure(() => http.request('POST', '/api/projects', { body: [1] }));
    expect(bad).toMatchObject({ status: 400, serverError: 'body must be a JSON object' });
  });

  it('takes the id from Location when the answer has no body', async () => {
    const s = await startServer((_hit, res) =>
      res.writeHead(201, { location: 'http://host/api/projects/42' }).end(),
    );
    const bare = new BasicClient(new HttpClient({ url: s.url }));
    expect(await bare.create({ name: 'x' })).toEqual({ id: 42 });
  });

  it('refuses answers that are not the original API’s shapes', async () => {
    const s = await startServer((_hit, res) => json(res, 200, { something: 'else' }));
    const odd = new BasicClient(new HttpClient({ url: s.url }));
    await expect(odd.list()).rejects.toMatchObject({ kind: 'protocol' });
    await expect(odd.get(1)).rejects.toMatchObject({ kind: 'protocol' });
    await expect(odd.import([])).rejects.toMatchObject({ kind: 'protocol' });
    await expect(odd.create({ name: 'x' })).rejects.toMatchObject({ kind: 'protocol' });
  });

  it('names the field of a listed project that does not match the schema', async () => {
    const row = {
      id: 1,
      name: 'a',
      path: null,
      organization: null,
      classification: null,
      project_type: null,
      status: 'active',
      description: null,
      remote_url: null,
      created_at: 'x',
      updated_at: 'x',
    };
    const s = await startServer((hit, res) =>
      json(
        res,
        200,
        hit.url.startsWith('/api/projects/')
          ? { ...row, name: 7 }
          : [row, { ...row, id: 2, status: 'done' }],
      ),
    );
    const odd = new BasicClient(new HttpClient({ url: s.url }));
    const list = await failure(() => odd.list());
    expect(list.kind).toBe('protocol');
    expect(list.message).toBe(
      `work-prod at ${s.url} sent an invalid answer to GET /api/projects: [1].status must be one of active, paused, completed, cancelled, null`,
    );
    expect((await failure(() => odd.get(1))).message).toContain(
      'invalid answer to GET /api/projects/1: name must be a string',
    );
  });
});

describe('mapping shared fields to the basic API', () => {
  const fields: SharedFields = {
    name: 'api',
    description: 'd',
    remote_url: 'https://github.com/acme/api',
    project_type: 'Work',
    status: 'active',
    classification: 'primary',
    organization: 'acme',
    tags: ['go'],
    template: 'svc',
    template_version: null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-02T00:00:00.000Z',
  };

  it('names the fields that cannot reach the server, and round-trips the rest', async () => {
    const { input, dropped } = toBasicInput(fields, '/home/u/api2');
    expect(dropped).toEqual(['tags', 'template']);
    expect(input).not.toHaveProperty('tags');
    const made = await client.create(input);
    const back = fromBasicProject(await client.get(made.id), fields);
    // project_type too is lost on a create (as with the real v0.3.0); basic mode finds that
    // out from the answer and keeps it local (basic-mode.test.ts).
    expect({ ...back, created_at: fields.created_at, updated_at: fields.updated_at }).toEqual({
      ...fields,
      project_type: null,
    });
    expect(fromBasicProject(made.project!).tags).toEqual([]);
    expect(toBasicInput({ ...fields, tags: [], template: '' }).dropped).toEqual([]);
  });
});
