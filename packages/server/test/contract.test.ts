/**
 * The original work-prod API, as one table of request / expected-response cases, run against
 * both backends. Each case gets a fresh account holding its `given` projects; `{0}`, `{1}`
 * in a URL stand for their integer ids.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ProjectInput } from '../src/storage/types.js';
import { call, describeBackends, makeApp, newAccount } from './helpers.js';

type Given = ProjectInput & { deleted?: true };
interface Case {
  title: string;
  given?: Given[];
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  body?: unknown;
  /** Send no Authorization header. */
  anonymous?: true;
  status: number;
  /** The response body must contain this (deep partial match). */
  expect?: unknown;
  /** The response body's `error` must match this. */
  error?: RegExp;
  /** Keys the response object(s) must not have. */
  absent?: string[];
  /** Names of the projects a list must return, in order. */
  names?: string[];
  location?: true;
}

const long = (n: number) => 'x'.repeat(n);
const UUID = '3b241101-e2bb-4255-8caf-4136c566a962';
const alpha: Given = {
  name: 'alpha',
  path: '/code/alpha',
  organization: 'acme',
  classification: 'primary',
  project_type: 'Work',
  status: 'active',
  description: 'The Alpha service',
  remote_url: 'git@github.com:acme/alpha.git',
};
const beta: Given = {
  name: 'beta',
  path: '/code/beta',
  organization: 'home',
  classification: 'secondary',
  project_type: 'Personal',
  status: 'paused',
  description: 'notes and such',
  remote_url: 'https://gitlab.com/me/beta',
};

const CASES: Case[] = [
  {
    title: 'health',
    method: 'GET',
    url: '/api/health',
    anonymous: true,
    status: 200,
    expect: { status: 'ok', capabilities: ['sync-v1'] },
  },
  { title: 'empty list', method: 'GET', url: '/api/projects', status: 200, expect: [] },
  {
    title: 'create with only a name',
    method: 'POST',
    url: '/api/projects',
    body: { name: 'solo' },
    status: 201,
    location: true,
    expect: {
      name: 'solo',
      path: null,
      status: 'active',
      classification: null,
      project_type: null,
      organization: null,
      description: null,
      remote_url: null,
      tags: [],
      checkouts: [],
    },
  },
  {
    title: 'create with every field',
    method: 'POST',
    url: '/api/projects',
    status: 201,
    location: true,
    body: {
      ...alpha,
      uuid: UUID,
      tags: ['svc', 'go', 'svc'],
      template: 'node',
      template_version: '2',
    },
    expect: { ...alpha, uuid: UUID, tags: ['go', 'svc'], template: 'node', template_version: '2' },
  },
  {
    title: 'unknown fields are ignored',
    method: 'POST',
    url: '/api/projects',
    status: 201,
    body: { name: 'extra', colour: 'red', id: 999 },
    absent: ['colour'],
  },
  {
    title: 'name is required',
    method: 'POST',
    url: '/api/projects',
    body: { description: 'x' },
    status: 400,
    error: /name/,
  },
  {
    title: 'empty name',
    method: 'POST',
    url: '/api/projects',
    body: { name: ' ' },
    status: 400,
    error: /name/,
  },
  {
    title: 'name over 200',
    method: 'POST',
    url: '/api/projects',
    body: { name: long(201) },
    status: 400,
    error: /name/,
  },
  {
    title: 'path over 500',
    method: 'POST',
    url: '/api/projects',
    body: { name: 'p', path: long(501) },
    status: 400,
    error: /path/,
  },
  {
    title: 'remote_url over 500',
    method: 'POST',
    url: '/api/projects',
    body: { name: 'p', remote_url: long(501) },
    status: 400,
    error: /remote_url/,
  },
  {
    title: 'organization over 100',
    method: 'POST',
    url: '/api/projects',
    body: { name: 'p', organization: long(101) },
    status: 400,
    error: /organization/,
  },
  {
    title: 'bad status',
    method: 'POST',
    url: '/api/projects',
    body: { name: 'p', status: 'done' },
    status: 400,
    error: /status/,
  },
  {
    title: 'bad classification',
    method: 'POST',
    url: '/api/projects',
    body: { name: 'p', classification: 'tertiary' },
    status: 400,
    error: /classification/,
  },
  {
    title: 'bad project_type',
    method: 'POST',
    url: '/api/projects',
    body: { name: 'p', project_type: 'work' },
    status: 400,
    error: /project_type/,
  },
  {
    title: 'bad uuid',
    method: 'POST',
    url: '/api/projects',
    body: { name: 'p', uuid: 'nope' },
    status: 400,
    error: /uuid/,
  },
  {
    title: 'not JSON',
    method: 'POST',
    url: '/api/projects',
    body: '{name',
    status: 400,
    error: /JSON/,
  },
  {
    title: 'duplicate path',
    given: [alpha],
    method: 'POST',
    url: '/api/projects',
    body: { name: 'other', path: alpha.path },
    status: 409,
    error: /path/,
  },
  {
    title: 'path of a deleted project is free',
    given: [{ ...alpha, deleted: true }],
    method: 'POST',
    url: '/api/projects',
    body: { name: 'other', path: alpha.path },
    status: 201,
  },
  {
    title: 'list',
    given: [alpha, beta],
    method: 'GET',
    url: '/api/projects',
    status: 200,
    names: ['alpha', 'beta'],
  },
  {
    title: 'list leaves out deleted',
    given: [alpha, { ...beta, deleted: true }],
    method: 'GET',
    url: '/api/projects',
    status: 200,
    names: ['alpha'],
  },
  {
    title: 'filter status',
    given: [alpha, beta],
    method: 'GET',
    url: '/api/projects?status=paused',
    status: 200,
    names: ['beta'],
  },
  {
    title: 'filter organization',
    given: [alpha, beta],
    method: 'GET',
    url: '/api/projects?organization=acme',
    status: 200,
    names: ['alpha'],
  },
  {
    title: 'filter classification',
    given: [alpha, beta],
    method: 'GET',
    url: '/api/projects?classification=secondary',
    status: 200,
    names: ['beta'],
  },
  {
    title: 'filter project_type',
    given: [alpha, beta],
    method: 'GET',
    url: '/api/projects?project_type=Work',
    status: 200,
    names: ['alpha'],
  },
  {
    title: 'search name, any case',
    given: [alpha, beta],
    method: 'GET',
    url: '/api/projects?search=ALP',
    status: 200,
    names: ['alpha'],
  },
  {
    title: 'search description',
    given: [alpha, beta],
    method: 'GET',
    url: '/api/projects?search=Notes',
    status: 200,
    names: ['beta'],
  },
  {
    title: 'search remote_url',
    given: [alpha, beta],
    method: 'GET',
    url: '/api/projects?search=gitlab',
    status: 200,
    names: ['beta'],
  },
  {
    title: 'search wildcards are literal',
    given: [alpha, beta],
    method: 'GET',
    url: '/api/projects?search=%25',
    status: 200,
    names: [],
  },
  {
    title: 'filters combine',
    given: [alpha, beta],
    method: 'GET',
    url: '/api/projects?status=active&organization=home',
    status: 200,
    names: [],
  },
  {
    title: 'get by id',
    given: [alpha],
    method: 'GET',
    url: '/api/projects/{0}',
    status: 200,
    expect: alpha,
  },
  {
    title: 'get unknown id',
    method: 'GET',
    url: '/api/projects/987654',
    status: 404,
    error: /not found/,
  },
  {
    title: 'get an id beyond 32 bits',
    method: 'GET',
    url: '/api/projects/99999999999',
    status: 400,
    error: /id/,
  },
  {
    title: 'get non-integer id',
    method: 'GET',
    url: '/api/projects/abc',
    status: 400,
    error: /id/,
  },
  {
    title: 'get deleted',
    given: [{ ...alpha, deleted: true }],
    method: 'GET',
    url: '/api/projects/{0}',
    status: 404,
  },
  {
    title: 'patch some fields',
    given: [alpha],
    method: 'PATCH',
    url: '/api/projects/{0}',
    body: { description: 'new', tags: ['b', 'a'], unknown: 1 },
    status: 200,
    expect: { ...alpha, description: 'new', tags: ['a', 'b'] },
    absent: ['unknown'],
  },
  {
    title: 'patch path',
    given: [alpha],
    method: 'PATCH',
    url: '/api/projects/{0}',
    body: { path: '/elsewhere' },
    status: 200,
    expect: { path: '/elsewhere' },
  },
  {
    title: 'patch null clears',
    given: [alpha],
    method: 'PATCH',
    url: '/api/projects/{0}',
    body: { organization: null },
    status: 200,
    expect: { organization: null, name: 'alpha' },
  },
  {
    title: 'patch bad enum',
    given: [alpha],
    method: 'PATCH',
    url: '/api/projects/{0}',
    body: { status: 'nope' },
    status: 400,
    error: /status/,
  },
  {
    title: 'patch to a taken path',
    given: [alpha, beta],
    method: 'PATCH',
    url: '/api/projects/{1}',
    body: { path: alpha.path },
    status: 409,
    error: /path/,
  },
  {
    title: 'patch unknown',
    method: 'PATCH',
    url: '/api/projects/987654',
    body: { name: 'x' },
    status: 404,
  },
  {
    title: 'patch deleted',
    given: [{ ...alpha, deleted: true }],
    method: 'PATCH',
    url: '/api/projects/{0}',
    body: { name: 'x' },
    status: 404,
  },
  { title: 'delete', given: [alpha], method: 'DELETE', url: '/api/projects/{0}', status: 204 },
  { title: 'delete unknown', method: 'DELETE', url: '/api/projects/987654', status: 404 },
  {
    title: 'delete twice',
    given: [{ ...alpha, deleted: true }],
    method: 'DELETE',
    url: '/api/projects/{0}',
    status: 404,
  },
  {
    title: 'archive',
    given: [alpha],
    method: 'PUT',
    url: '/api/projects/{0}/archive',
    status: 200,
    expect: { name: 'alpha', classification: 'archive', status: 'completed' },
  },
  { title: 'archive unknown', method: 'PUT', url: '/api/projects/987654/archive', status: 404 },
  {
    title: 'import skips known remote URLs (normalised)',
    given: [alpha],
    method: 'POST',
    url: '/api/projects/import',
    status: 200,
    body: {
      projects: [
        { name: 'a2', remote_url: 'https://github.com/acme/alpha' },
        { name: 'new', remote_url: 'ssh://git@github.com/acme/new.git' },
        { name: 'new-again', remote_url: 'git@github.com:acme/new' },
        { name: 'no-remote' },
        { name: '' },
        { name: 'bad', status: 'nope' },
      ],
    },
    expect: { imported: 2, skipped: 2 },
  },
  {
    title: 'import needs a projects array',
    method: 'POST',
    url: '/api/projects/import',
    body: { items: [] },
    status: 400,
    error: /projects/,
  },
  { title: 'unknown route', method: 'GET', url: '/api/nothing', status: 404, error: /no route/ },
];

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
    if (typeof c.body === 'string') headers['content-type'] = 'application/json';
    const res = await call(app, c.method, url, headers, c.body);

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
