/**
 * `refresh` and `wip` in this process against real git repositories: the summary line and
 * its JSON, this machine's work in progress, `--exit-code`, a clean registry, the state kept
 * in the registry, and the git settings' checks.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { machineEnv, makeRepo } from '../../../test/support/cli.js';
import { machine, ok } from '../../../test/support/machine.js';

afterAll(removeTempDirs);

function commitAll(dir: string): void {
  const env = machineEnv(dir);
  execFileSync('git', ['-C', dir, 'add', '.'], { env });
  execFileSync('git', ['-C', dir, 'commit', '-q', '-m', 'x'], { env });
}

describe('refresh and wip', () => {
  it('collect this machine, list only what has work in progress, and say so in JSON', async () => {
    const m = machine();
    const busy = makeRepo(join(m.code, 'busy'));
    writeFileSync(join(busy, 'a.txt'), 'a');
    commitAll(busy);
    writeFileSync(join(busy, 'a.txt'), 'changed');
    writeFileSync(join(busy, 'b.txt'), 'new');
    const tidy = makeRepo(join(m.code, 'tidy'));
    writeFileSync(join(tidy, 'a.txt'), 'a');
    commitAll(tidy);
    const plain = join(m.code, 'plain');
    execFileSync('mkdir', [plain]);
    for (const dir of [busy, tidy, plain]) await ok(m, ['add', dir]);

    // Never collected yet, and still shown: wip reads this machine's repositories as they are
    // (writing nothing: the registry holds no state until refresh or sync).
    expect(await ok(m, ['wip'])).toMatch(/\(this\) +busy +/);
    expect(m.registryText()).not.toMatch(/"git"/);
    expect(await ok(m, ['refresh'])).toBe(
      'refreshed 3 projects: 1 with work in progress, 1 not git\n',
    );
    expect(JSON.parse(await ok(m, ['refresh', '--json']))).toEqual({
      projects: 3,
      repositories: 2,
      work_in_progress: 1,
      unknown: 0,
      missing: 0,
    });
    const registry = JSON.parse(m.registryText()) as {
      projects: { name: string; git?: unknown }[];
    };
    const kept = Object.fromEntries(registry.projects.map((p) => [p.name, p.git]));
    expect(kept.plain).toBeNull();
    expect(kept.tidy).toMatchObject({ modified: 0, untracked: 0, branch: expect.any(String) });

    const text = await ok(m, ['wip']);
    expect(text).toMatch(/^MACHINE +PROJECT +BRANCH +WORK +PATH +REPORTED$/m);
    expect(text).toMatch(/\(this\) +busy +\S+ +1 modified, 1 untracked, no upstream +~?\S+ +/);
    expect(text).not.toMatch(/tidy|plain/);
    const j = JSON.parse(await ok(m, ['wip', '--json'])) as {
      machines: { this_machine: boolean; projects: { name: string; path: string }[] }[];
    };
    expect(j.machines).toHaveLength(1);
    expect(j.machines[0]!.this_machine).toBe(true);
    expect(j.machines[0]!.projects.map((p) => [p.name, p.path])).toEqual([['busy', busy]]);
    expect((await m.cli(['wip', '--exit-code'])).code).toBe(1);

    const list = JSON.parse(await ok(m, ['list', '--json'])) as { name: string; git: unknown }[];
    expect(list.find((p) => p.name === 'busy')!.git).toMatchObject({ modified: 1, untracked: 1 });
    expect(list.find((p) => p.name === 'plain')!.git).toBeNull();

    // Committed: wip sees it at once; with git.state off, only what was stored is shown.
    commitAll(busy);
    await ok(m, ['config', 'set', 'git.state', 'false']);
    expect(await ok(m, ['wip'])).toMatch(/\(this\) +busy +/);
    await ok(m, ['config', 'unset', 'git.state']);
    expect(await ok(m, ['wip'])).toBe('No work in progress on any machine.\n');
    expect((await m.cli(['wip', '--exit-code'])).code).toBe(0);
    expect(await ok(m, ['status', '--git', '--offline'])).toMatch(
      /Work in progress:\nNo work in progress on any machine\.\n$/,
    );
  });

  it('checks the git settings', async () => {
    const m = machine();
    await ok(m, ['config', 'set', 'git.state', 'false']);
    expect((await ok(m, ['config', 'get', 'git.state'])).trim()).toBe('false');
    for (const [key, value] of [
      ['git.state', 'maybe'],
      ['git.jobs', '0'],
      ['git.timeout', 'soon'],
    ] as const) {
      const r = await m.cli(['config', 'set', key, value]);
      expect(r.code, `${key}=${value}`).toBe(2);
    }
    await ok(m, ['config', 'set', 'git.jobs', '3']);
    // Written by hand as YAML scalars: read as the text `config set` stores.
    writeFileSync(
      join(m.home, 'config.yml'),
      'git:\n  state: false\n  jobs: 2\nsync:\n  frequency: 0\n',
    );
    expect((await ok(m, ['config', 'get', 'git.state'])).trim()).toBe('false');
    expect((await ok(m, ['config', 'get', 'git.jobs'])).trim()).toBe('2');
    expect((await ok(m, ['config', 'get', 'sync.frequency'])).trim()).toBe('0');
  });
});
