/** `doctor`, run in this process with a test context against real folders and git repositories. */
import { chmodSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { makeRepo } from '../../../test/support/cli.js';
import { machine } from '../../../test/support/machine.js';

afterAll(removeTempDirs);

describe('doctor', () => {
  it('passes on a healthy machine and lists problems with fixes (exit 1)', async () => {
    const m = machine();
    const a = makeRepo(join(m.code, 'a'));
    await m.cli(['add', a]);
    const ok = await m.cli(['doctor']);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toContain('No problems found.');

    rmSync(a, { recursive: true });
    writeFileSync(join(m.home, 'config.yml'), 'clone_root: /x\n');
    chmodSync(join(m.home, 'config.yml'), 0o644);
    const reg = JSON.parse(m.registryText());
    reg.projects.push({ ...reg.projects[0], id: 'other-id', path: '/elsewhere' });
    writeFileSync(join(m.home, 'registry.json'), JSON.stringify(reg));
    mkdirSync(join(m.home, 'registry.json.lock'));
    writeFileSync(join(m.home, 'registry.json.1a2b3c'), '{"half');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(m.home, 'registry.json.lock'), old, old);

    const bad = await m.cli(['doctor', '--json']);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as {
      ok: boolean;
      problems: { check: string; fix: string }[];
    };
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.check).sort()).toEqual(
      ['config', 'duplicate', 'lock', 'path', 'path', 'temp'].sort(),
    );
    for (const p of report.problems) expect(p.fix.length).toBeGreaterThan(0);
    const text = await m.cli(['doctor']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('fix: chmod 600');

    writeFileSync(join(m.home, 'registry.json'), '{"version": 1, "proj');
    const corrupt = await m.cli(['doctor', '--json']);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stdout).toContain('is not valid JSON');
  });

  it('reports a hand-edited registry name that fails name validation, and its fix works', async () => {
    const m = machine();
    const a = makeRepo(join(m.code, 'a'));
    await m.cli(['add', a]);
    const reg = JSON.parse(m.registryText());
    reg.projects[0].name = 'a/b';
    writeFileSync(join(m.home, 'registry.json'), JSON.stringify(reg));
    const id: string = reg.projects[0].id;

    const bad = await m.cli(['doctor', '--json']);
    expect(bad.code).toBe(1);
    const { problems } = JSON.parse(bad.stdout) as {
      problems: { check: string; message: string; fix: string }[];
    };
    expect(problems).toHaveLength(1);
    expect(problems[0]!.check).toBe('name');
    expect(problems[0]!.message).toMatch(/has the name "a\/b", which is not valid: /);
    expect(problems[0]!.fix).toBe(
      `\`dev-infra update ${id} --name NEW\` (or edit the registry file)`,
    );

    // The text form escapes what the file holds (a name may carry terminal escapes too).
    reg.projects[0].name = 'a/\u001b]0;x\u0007';
    writeFileSync(join(m.home, 'registry.json'), JSON.stringify(reg));
    const text = await m.cli(['doctor']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('has the name "a/\\x1b]0;x\\x07", which is not valid');
    expect(text.stdout).not.toContain('\u001b');

    const fixed = await m.cli(['update', id, '--name', 'ab']);
    expect(fixed.code, fixed.stderr).toBe(0);
    const ok = await m.cli(['doctor']);
    expect(ok.code, ok.stdout).toBe(0);
  });
});
