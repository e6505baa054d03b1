/** `add`, run in this process with a test context against real folders and git repositories. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { makeRepo } from '../../../test/support/cli.js';
import { runInProcess } from '../../../test/support/context.js';
import { machine } from '../../../test/support/machine.js';

afterAll(removeTempDirs);

describe('add', () => {
  it('registers an origin without its credentials; git keeps them, the registry never', async () => {
    const m = machine();
    const dir = makeRepo(join(m.code, 'b'), 'https://user:t0kenValue@github.com/a/b.git');
    const tokenOnly = makeRepo(join(m.code, 'c'), 'https://ghp_t0kenValue@github.com/a/c.git');
    const ssh = makeRepo(join(m.code, 'd'), 'ssh://git:t0kenValue@github.com/a/d.git');
    const scp = makeRepo(join(m.code, 'e'), 'git@github.com:a/e.git');
    for (const d of [dir, tokenOnly, ssh, scp]) {
      const r = await m.cli(['add', d]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain('t0kenValue');
    }
    // The registry itself, not a listing (which also hides an ssh user).
    const stored = m.registryText();
    for (const url of [
      'https://github.com/a/b.git',
      'https://github.com/a/c.git',
      'ssh://git@github.com/a/d.git',
      'git@github.com:a/e.git',
    ])
      expect(stored).toContain(`"remote_url": "${url}"`);
    expect(m.registryText()).not.toContain('t0kenValue');
    expect(readFileSync(join(dir, '.git', 'config'), 'utf8')).toContain('user:t0kenValue@');

    // A registry an older version wrote with the token loses it at the next change.
    const registry = join(m.home, 'registry.json');
    writeFileSync(
      registry,
      stored.replace('https://github.com/a/b.git', 'https://user:t0kenValue@github.com/a/b.git'),
    );
    expect(m.registryText()).toContain('t0kenValue');
    mkdirSync(join(m.code, 'f'));
    expect((await m.cli(['add', join(m.code, 'f')])).code).toBe(0);
    expect(m.registryText()).not.toContain('t0kenValue');
    expect(m.registryText()).toContain('"remote_url": "https://github.com/a/b.git"');
  });

  it('registers a git repository with its origin remote, flags and defaults', async () => {
    const m = machine();
    const api = makeRepo(join(m.code, 'api'), 'git@GitHub.com:acme/api.git');
    const r = await m.cli(['add', api, '--tag', 'svc', '--tag', 'go,svc', '--type', 'work']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Registered api');
    expect(r.stdout).toContain('github.com/acme/api');
    const [p] = await m.list();
    expect(p).toMatchObject({
      name: 'api',
      path: api,
      remote_url: 'git@GitHub.com:acme/api.git',
      tags: ['go', 'svc'],
      project_type: 'Work',
      status: 'active',
      description: null,
      missing: false,
    });
    expect(p!.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('defaults to the current folder and uses .dev-infra.yml for id and template', async () => {
    const m = machine();
    const dir = join(m.code, 'site');
    mkdirSync(dir);
    writeFileSync(
      join(dir, '.dev-infra.yml'),
      'id: 11111111-2222-3333-4444-555555555555\ntemplate: static\ntemplate_version: "2.1"\ncreated: 2024-05-01T10:00:00Z\n',
    );
    const r = await m.cli(
      ['register', '--name', 'my-site', '--description', 'The site', '--status', 'Paused'],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect((await m.list())[0]).toMatchObject({
      id: '11111111-2222-3333-4444-555555555555',
      name: 'my-site',
      path: dir,
      remote_url: null,
      description: 'The site',
      template: 'static',
      template_version: '2.1',
      status: 'paused',
      created_at: '2024-05-01T10:00:00.000Z',
    });
  });

  it('refuses a missing path, a file, a registered path, a taken name and a known id', async () => {
    const m = machine();
    const api = makeRepo(join(m.code, 'api'));
    expect((await m.cli(['add', api])).code).toBe(0);
    const before = m.registryText();

    const missing = await m.cli(['add', join(m.code, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*nope does not exist/);

    writeFileSync(join(m.code, 'file.txt'), 'x');
    const file = await m.cli(['add', join(m.code, 'file.txt')]);
    expect(file.code).toBe(1);
    expect(file.stderr).toContain('is not a folder');

    const again = await m.cli(['add', api]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already registered as "api"');

    const other = makeRepo(join(m.code, 'other', 'api'));
    const taken = await m.cli(['add', other]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('the name "api" is already used by');
    expect(taken.stderr).toContain('--name');

    const copy = join(m.code, 'copy');
    mkdirSync(copy);
    const id = (await m.list())[0]!.id;
    writeFileSync(join(copy, '.dev-infra.yml'), `id: ${id}\n`);
    const dup = await m.cli(['add', copy]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain(`project id ${id}`);

    for (const r of [missing, file, again, taken, dup]) {
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(m.registryText()).toBe(before);
  });

  it('treats a bad --type, --status or --name as a usage error (exit 2)', async () => {
    const m = machine();
    const api = makeRepo(join(m.code, 'api'));
    const type = await m.cli(['add', api, '--type', 'Hobby']);
    expect(type.code).toBe(2);
    expect(type.stderr).toContain('Work, Personal, Learning, Inactive');
    const status = await m.cli(['add', api, '--status', 'done']);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('active, paused, completed, cancelled');
    expect((await m.cli(['add', api, '--name', 'a/b'])).code).toBe(2);
    expect((await m.cli(['add', api, '--bogus'])).code).toBe(2);
    expect(existsSync(join(m.home, 'registry.json'))).toBe(false);
  });

  it('dates a new record by the clock when its folder has no .dev-infra.yml', async () => {
    const m = machine();
    const now = new Date('2030-01-02T03:04:05.000Z');
    const api = makeRepo(join(m.code, 'api'));
    expect((await runInProcess(['add', api], { home: m.home, now })).code).toBe(0);
    expect((await m.list())[0]).toMatchObject({
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    });
  });
});
