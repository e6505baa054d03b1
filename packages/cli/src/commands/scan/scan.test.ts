/** `scan`, run in this process with a test context against real folders and git repositories. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { makeRepo } from '../../../test/support/cli.js';
import { machine } from '../../../test/support/machine.js';

afterAll(removeTempDirs);

describe('scan', () => {
  it('registers repositories and .dev-infra.yml folders, skipping node_modules and nested repos', async () => {
    const m = machine();
    const tree = join(m.code, 'tree');
    const a = makeRepo(join(tree, 'a'), 'git@github.com:acme/a.git');
    makeRepo(join(tree, 'a', 'vendor', 'inner')); // inside a found repository
    const b = makeRepo(join(tree, 'group', 'b'));
    makeRepo(join(tree, 'x', 'node_modules', 'dep'));
    const c = join(tree, 'plain', 'c');
    mkdirSync(c, { recursive: true });
    writeFileSync(join(c, '.dev-infra.yml'), 'template: t\n');
    makeRepo(join(tree, 'l1', 'l2', 'l3', 'deep'));
    const dup = makeRepo(join(tree, 'dup', 'a')); // name clash with a
    const done = makeRepo(join(tree, 'done'));
    await m.cli(['add', done]);

    const dry = await m.cli(['scan', tree, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would add');
    expect(await m.list()).toHaveLength(1);

    const r = await m.cli(['scan', tree]);
    expect(r.code, r.stderr).toBe(0);
    const names = (await m.list()).map((p) => [p.name, p.path]);
    expect(names).toEqual([
      ['a', a],
      ['b', b],
      ['c', c],
      ['done', done],
    ]);
    expect(r.stdout).toMatch(/skipped.*done: already registered as "done"/);
    expect(r.stdout).toMatch(new RegExp(`skipped.*${dup}: the name "a" is already used`));
    expect(r.stdout).toContain('Added 3, skipped 2');
    expect(r.stdout).not.toContain('inner');
    expect(r.stdout).not.toContain('node_modules');

    const deeper = await m.cli(['scan', tree, '--depth', '4']);
    expect(deeper.stdout).toContain('added    deep');
    expect((await m.cli(['scan', tree, '--depth', 'x'])).code).toBe(2);
    expect((await m.cli(['scan', join(m.code, 'nope')])).code).toBe(1);
  });
});
