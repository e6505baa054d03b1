/**
 * Control characters (issue 14): every string field of every write route refuses ESC, BEL,
 * NUL and the C1 control U+0085 with a 400 naming the field; an import counts such an item as
 * an error and stores nothing; a pushed record holding one is rejected alone (as any invalid
 * record is). Newline and tab pass in description only. Both backends, through `app.inject`.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, describeBackends, makeApp, newAccount, syncFields } from './helpers.js';

const CONTROLS = ['\u001b', '\u0007', '\u0000', '\u0085'];
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const esc = (c: string) => `U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Original-API string fields and a value each is valid with (the control is appended). */
const API_FIELDS: Record<string, string> = {
  name: 'ctl',
  path: '/srv/ctl',
  organization: 'org',
  description: 'text',
  remote_url: 'https://example.com/ctl.git',
  template: 'tpl',
  template_version: '1',
};
/** Record fields of a push (created_at and updated_at too), each with a control appended. */
const PUSH_FIELDS = [
  'name',
  'description',
  'remote_url',
  'organization',
  'template',
  'template_version',
  'created_at',
  'updated_at',
] as const;

describeBackends('control characters', (backend) => {
  let app: FastifyInstance;
  let auth: Record<string, string>;
  let projectId: number;
  let projectUuid: string;
  const dash = () => ({ ...auth, 'x-work-prod-dashboard': '1' });
  const count = async () => (await call(app, 'GET', '/api/projects', auth)).body.length as number;

  beforeAll(async () => {
    app = await makeApp(backend().storage);
    ({ auth } = await newAccount(backend().storage));
    const made = await call(app, 'POST', '/api/projects', auth, { name: 'base' });
    expect(made.status).toBe(201);
    projectId = made.body.id;
    projectUuid = made.body.uuid;
  });
  afterAll(async () => {
    await app.close();
  });

  // Regression (fuzz seed 1051457595): a tag made only of a whitespace control was trimmed away
  // before the check, so the write was accepted.
  it.each(['\f', '\v', '\r'])('refuses a tag that is only %j before trimming it', async (c) => {
    const created = await call(app, 'POST', '/api/projects', auth, { name: 'x', tags: [c] });
    expect(created.status).toBe(400);
    expect(created.body.error).toMatch(/^tags: /);
    const patched = await call(app, 'PATCH', `/api/projects/${projectId}`, auth, { tags: [c] });
    expect(patched.status).toBe(400);
    const res = await call(app, 'POST', '/api/projects/import', auth, {
      projects: [{ name: 'imp', tags: [c] }],
    });
    expect(res.body.imported).toBe(0);
    expect(res.body.errors[0]).toMatch(/^projects\[0\]: tags: /);
    expect(await count()).toBe(1);
  });

  describe.each(CONTROLS)('%j', (c) => {
    it('POST and PATCH /api/projects name the field', async () => {
      for (const [field, good] of Object.entries(API_FIELDS)) {
        const value = `${good}${c}`;
        const body = field === 'name' ? { name: value } : { name: 'x', [field]: value };
        const created = await call(app, 'POST', '/api/projects', auth, body);
        expect(created.status, `${field} ${esc(c)}`).toBe(400);
        expect(created.body.error).toMatch(new RegExp(`^${field}: `));
        const patched = await call(app, 'PATCH', `/api/projects/${projectId}`, auth, {
          [field]: value,
        });
        expect(patched.status, `${field} ${esc(c)}`).toBe(400);
        expect(patched.body.error).toMatch(new RegExp(`^${field}: `));
      }
      const tagged = await call(app, 'POST', '/api/projects', auth, { name: 'x', tags: [`t${c}`] });
      expect(tagged.status).toBe(400);
      expect(tagged.body.error).toMatch(/^tags: /);
      expect(await count()).toBe(1);
    });

    it('import counts each bad item as an error and stores nothing', async () => {
      const items = [
        ...Object.entries(API_FIELDS).map(([field, good]) => ({
          name: 'imp',
          [field]: `${good}${c}`,
        })),
        { name: 'imp', tags: [`t${c}`] },
      ];
      const res = await call(app, 'POST', '/api/projects/import', auth, { projects: items });
      expect(res.status).toBe(201);
      expect(res.body.imported).toBe(0);
      expect(res.body.errors).toHaveLength(items.length);
      const fields = [...Object.keys(API_FIELDS), 'tags'];
      fields.forEach((field, i) => {
        expect(res.body.errors[i]).toMatch(new RegExp(`^projects\\[${i}\\]: ${field}: `));
      });
      expect(await count()).toBe(1);
    });

    it('sync push: machine and checkout paths are 400, a bad record is rejected alone', async () => {
      const machine = { id: 'm1', name: 'laptop' };
      for (const key of ['id', 'name'] as const) {
        const res = await call(app, 'POST', '/api/sync/push', auth, {
          machine: { ...machine, [key]: `m${c}` },
          changes: [],
        });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatch(new RegExp(`^machine\\.${key}: `));
      }
      const path = await call(app, 'POST', '/api/sync/push', auth, {
        machine,
        changes: [],
        checkouts: [{ uuid: projectUuid, path: `/home/x${c}` }],
      });
      expect(path.status).toBe(400);
      expect(path.body.error).toMatch(/^checkouts\[0\]\.path: /);
      const feed = await call(
        app,
        'GET',
        `/api/sync/changes?machine_id=m1&machine_name=${encodeURIComponent(`l${c}`)}`,
        auth,
      );
      expect(feed.status).toBe(400);
      expect(feed.body.error).toMatch(/machine_name: /);

      const changes = PUSH_FIELDS.map((field, i) => {
        const fields = syncFields(`p${i}`);
        return {
          uuid: uuid(i + 1),
          base_rev: 0,
          fields: { ...fields, [field]: `${fields[field] ?? 'x'}${c}` },
        };
      });
      changes.push({
        uuid: uuid(99),
        base_rev: 0,
        fields: { ...syncFields('t'), tags: [`t${c}`] },
      });
      const res = await call(app, 'POST', '/api/sync/push', auth, { machine, changes });
      expect(res.status).toBe(200);
      const fields = [...PUSH_FIELDS, 'tags'];
      res.body.results.forEach((r: { status: string; error: string }, i: number) => {
        expect(r.status).toBe('rejected');
        expect(r.error).toMatch(new RegExp(`^${fields[i]}: `));
      });
      expect(await count()).toBe(1);
    });

    it('dashboard edits name the field', async () => {
      for (const edit of [{ description: `d${c}` }, { tags: [`t${c}`] }]) {
        const res = await call(app, 'PATCH', `/api/dashboard/projects/${projectUuid}`, dash(), {
          base_rev: 0,
          ...edit,
        });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatch(new RegExp(`^${Object.keys(edit)[0]}: `));
      }
    });
  });

  it('accepts newline and tab in description on every route, nowhere else', async () => {
    const text = 'line one\n\tline two';
    const made = await call(app, 'POST', '/api/projects', auth, { name: 'ml', description: text });
    expect(made.status).toBe(201);
    expect(made.body.description).toBe(text);
    const patched = await call(app, 'PATCH', `/api/projects/${projectId}`, auth, {
      description: text,
    });
    expect(patched.status).toBe(200);
    const imported = await call(app, 'POST', '/api/projects/import', auth, {
      projects: [{ name: 'ml2', description: text }],
    });
    expect(imported.body.imported).toBe(1);
    const pushed = await call(app, 'POST', '/api/sync/push', auth, {
      machine: { id: 'm1', name: 'laptop' },
      changes: [
        { uuid: uuid(500), base_rev: 0, fields: { ...syncFields('ml3'), description: text } },
      ],
    });
    expect(pushed.body.results[0].status).toBe('applied');
    const page = await call(app, 'GET', `/api/dashboard/projects/${projectUuid}`, auth);
    const edited = await call(app, 'PATCH', `/api/dashboard/projects/${projectUuid}`, dash(), {
      base_rev: page.body.project.rev,
      description: `${text}!`,
    });
    expect(edited.status).toBe(200);
    const name = await call(app, 'POST', '/api/projects', auth, { name: 'a\nb' });
    expect(name.status).toBe(400);
    expect(name.body.error).toMatch(/^name: /);
  });
});
