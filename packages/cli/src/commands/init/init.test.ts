/** `init`, run in this process with a test context against real folders and git repositories. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { makeRepo } from '../../../test/support/cli.js';
import { machine } from '../../../test/support/machine.js';

afterAll(removeTempDirs);

describe('init', () => {
  it('writes .dev-infra.yml when there is none, then registers with its id', async () => {
    const m = machine();
    const dir = makeRepo(join(m.code, 'tool'), 'https://github.com/acme/tool');
    const r = await m.cli(['init', dir, '--template', 'node-cli', '--template-version', '3']);
    expect(r.code, r.stderr).toBe(0);
    const file = readFileSync(join(dir, '.dev-infra.yml'), 'utf8');
    const [p] = await m.list();
    expect(file).toContain(`id: ${p!.id}`);
    expect(file).toContain('template: node-cli');
    expect(file).toMatch(/version: "?3"?/);
    expect(file).toMatch(/created: /);
    expect(p).toMatchObject({ name: 'tool', template: 'node-cli', template_version: '3' });
  });

  it('never overwrites values of an existing file (adds only what is missing)', async () => {
    const m = machine();
    const dir = join(m.code, 'kept');
    mkdirSync(dir);
    const original = '# my comment\ntemplate: mine\nversion: "7"\n';
    writeFileSync(join(dir, '.dev-infra.yml'), original);
    const r = await m.cli(['init', dir, '--template', 'other', '--template-version', '9']);
    expect(r.code, r.stderr).toBe(0);
    const file = readFileSync(join(dir, '.dev-infra.yml'), 'utf8');
    expect(file.startsWith(original)).toBe(true);
    expect(file).not.toContain('other');
    const [p] = await m.list();
    expect(file).toContain(`id: ${p!.id}`);
    expect(p).toMatchObject({ template: 'mine', template_version: '7' });

    // A complete file is left byte-identical.
    const full = join(m.code, 'full');
    mkdirSync(full);
    const complete =
      'id: aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\ntemplate: t\nversion: "1"\ncreated: 2024-01-01\n';
    writeFileSync(join(full, '.dev-infra.yml'), complete);
    expect((await m.cli(['init', full])).code).toBe(0);
    expect(readFileSync(join(full, '.dev-infra.yml'), 'utf8')).toBe(complete);
  });

  it('refuses an already registered folder without writing a file', async () => {
    const m = machine();
    const dir = makeRepo(join(m.code, 'x'));
    expect((await m.cli(['add', dir])).code).toBe(0);
    const r = await m.cli(['init', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already registered');
    expect(existsSync(join(dir, '.dev-infra.yml'))).toBe(false);
  });
});
