/** `config`, run in this process with a test context against real folders and git repositories. */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { machine } from '../../../test/support/machine.js';

afterAll(removeTempDirs);

describe('config', () => {
  it('lists, gets and sets machine.name and clone_root; config.yml is mode 0600', async () => {
    const m = machine();
    const list = await m.cli(['config', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const defaults = JSON.parse(list.stdout) as Record<string, string | null>;
    expect(defaults['machine.id']).toBeNull();
    expect(defaults.clone_root).toBe('~/code');
    expect((await m.cli(['config', 'set', 'machine.name', 'work-laptop'])).code).toBe(0);
    expect((await m.cli(['config', 'get', 'machine.name'])).stdout).toBe('work-laptop\n');
    expect((await m.cli(['config', 'set', 'clone_root', '/srv/src'])).code).toBe(0);
    expect((await m.cli(['config', 'get', 'clone_root'])).stdout).toBe('/srv/src\n');
    expect(statSync(join(m.home, 'config.yml')).mode & 0o777).toBe(0o600);
    const registry = JSON.parse(m.registryText());
    expect(registry.machine.name).toBe('work-laptop');
    expect(registry.machine.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await m.cli(['config', 'get', 'machine.id'])).stdout).toBe(`${registry.machine.id}\n`);
    expect((await m.cli(['config', 'unset', 'clone_root'])).code).toBe(0);
    expect((await m.cli(['config', 'get', 'clone_root'])).stdout).toBe('~/code\n');

    const unknown = await m.cli(['config', 'set', 'colour', 'on']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('valid keys: machine.name, clone_root');
    expect((await m.cli(['config', 'get', 'nope'])).code).toBe(2);
    expect((await m.cli(['config', 'set', 'clone_root', 'relative/dir'])).code).toBe(2);
  });

  it('keeps comments and unknown keys of config.yml', async () => {
    const m = machine();
    mkdirSync(m.home, { recursive: true });
    writeFileSync(join(m.home, 'config.yml'), '# mine\nremote:\n  url: https://example.com\n');
    expect((await m.cli(['config', 'set', 'clone_root', '~/src'])).code).toBe(0);
    const text = readFileSync(join(m.home, 'config.yml'), 'utf8');
    expect(text).toContain('# mine');
    expect(text).toContain('url: https://example.com');
    expect(text).toContain('clone_root: ~/src');
  });
});
