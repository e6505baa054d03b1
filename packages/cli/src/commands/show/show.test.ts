/** `show`, run in this process with a test context against real folders and git repositories. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { makeRepo } from '../../../test/support/cli.js';
import { type Listed, machine } from '../../../test/support/machine.js';

afterAll(removeTempDirs);

describe('show', () => {
  it('prints fields, JSON with --json, and hides remote credentials', async () => {
    const m = machine();
    const dir = makeRepo(join(m.code, 'secret'), 'https://me:tok3n@github.com/acme/secret.git');
    await m.cli(['add', dir, '--tag', 'x']);
    const text = await m.cli(['show', 'secret']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^name:\s+secret$/m);
    expect(text.stdout).toContain('https://github.com/acme/secret.git');
    const json = await m.cli(['show', 'secret', '--json']);
    const p = JSON.parse(json.stdout) as Listed;
    expect(p).toMatchObject({ name: 'secret', path: dir, tags: ['x'], missing: false });
    expect(text.stdout + json.stdout).not.toContain('tok3n');
    // No git state read yet: no line; after refresh, this machine's state and when.
    expect(text.stdout).not.toMatch(/^git:/m);
    expect((await m.cli(['refresh'])).code).toBe(0);
    const after = await m.cli(['show', 'secret']);
    expect(after.stdout).toMatch(/^git:\s+\S+ {2}(clean|no upstream) {2}\(as of \d{4}-\d\d-\d\dT/m);
    const unknown = await m.cli(['show', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      'error: no project named "nope" on this machine; see `dev-infra list`\n',
    );
  });
});
