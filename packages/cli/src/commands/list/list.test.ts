/** `list`, run in this process with a test context against real folders and git repositories. */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { makeRepo } from '../../../test/support/cli.js';
import { runInProcess } from '../../../test/support/context.js';
import { machine } from '../../../test/support/machine.js';

afterAll(removeTempDirs);

describe('list', () => {
  it('prints tab-separated lines when piped, filters, marks missing folders, --json', async () => {
    const m = machine();
    const api = makeRepo(join(m.code, 'api'), 'ssh://git@github.com/acme/api.git/');
    const web = makeRepo(join(m.code, 'web'), 'https://GitHub.com/acme/web');
    const gone = makeRepo(join(m.code, 'gone'));
    await m.cli(['add', api, '--tag', 'go', '--type', 'Work']);
    await m.cli(['add', web, '--tag', 'js', '--status', 'paused']);
    await m.cli(['add', gone]);
    rmSync(gone, { recursive: true });

    const plain = await m.cli(['list']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain('\u001b[');
    expect(
      plain.stdout
        .slice(0, -1)
        .split('\n')
        .map((l) => l.split('\t')),
    ).toEqual([
      ['api', api, 'Work', 'active', 'go', 'github.com/acme/api', ''],
      ['gone', gone, '', 'active', '', '', 'missing'],
      ['web', web, '', 'paused', 'js', 'github.com/acme/web', ''],
    ]);
    expect((await m.list('--tag', 'go')).map((p) => p.name)).toEqual(['api']);
    expect((await m.list('--status', 'paused')).map((p) => p.name)).toEqual(['web']);
    expect((await m.list()).find((p) => p.name === 'gone')!.missing).toBe(true);
    const ls = await m.cli(['ls', '--status', 'completed']);
    expect(ls.stdout).toBe('');
    expect(ls.stderr).toContain('No projects match');
    expect((await m.cli(['list', '--status', 'nope'])).code).toBe(2);
  });

  it('gives a hint on an empty registry and does not create files', async () => {
    const m = machine();
    const r = await m.cli(['list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('dev-infra add');
    expect((await m.cli(['list', '--json'])).stdout).toBe('[]\n');
    expect(existsSync(m.home)).toBe(false);
  });

  it('on a terminal: an aligned table with a bold header; no colour with NO_COLOR', async () => {
    const m = machine();
    await m.cli(['add', makeRepo(join(m.code, 'api'))]);
    const shown = await runInProcess(['list'], { home: m.home, tty: true });
    expect(shown.stdout).toContain('\u001b[1mNAME\u001b[22m');
    const plain = await runInProcess(['list'], { home: m.home, tty: true, env: { NO_COLOR: '1' } });
    expect(plain.stdout).not.toContain('\u001b[');
    expect(plain.stdout).toMatch(/^NAME {2}PATH/);
  });
});
