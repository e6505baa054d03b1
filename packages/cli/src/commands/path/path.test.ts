/** `path`, run in this process against a real folder and git repository. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { makeRepo } from '../../../test/support/cli.js';
import { machine, ok } from '../../../test/support/machine.js';

afterAll(removeTempDirs);

describe('path', () => {
  it("prints a project's whole path alone on its line, JSON with --json, an error when unknown", async () => {
    const m = machine();
    const dir = makeRepo(join(m.code, 'api'), 'https://github.com/acme/api.git');
    await ok(m, ['add', dir]);
    expect(await ok(m, ['path', 'api'])).toBe(`${dir}\n`);
    expect(JSON.parse(await ok(m, ['path', 'api', '--json']))).toEqual({ name: 'api', path: dir });
    const unknown = await m.cli(['path', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      'error: no project named "nope" on this machine; see `dev-infra list`\n',
    );
  });
});
