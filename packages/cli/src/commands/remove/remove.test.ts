/** `remove`, run in this process with a test context against real folders and git repositories. */
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { makeRepo } from '../../../test/support/cli.js';
import { machine } from '../../../test/support/machine.js';

afterAll(removeTempDirs);

describe('remove', () => {
  it('drops an entry by name or by path and never touches the files', async () => {
    const m = machine();
    const a = makeRepo(join(m.code, 'a'));
    const b = makeRepo(join(m.code, 'b'));
    writeFileSync(join(a, 'keep.txt'), 'data');
    await m.cli(['add', a]);
    await m.cli(['add', b]);
    const byName = await m.cli(['remove', 'a']);
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.stdout).toContain('not touched');
    expect(readFileSync(join(a, 'keep.txt'), 'utf8')).toBe('data');
    symlinkSync(b, join(m.root, 'link-to-b'));
    expect((await m.cli(['unregister', join(m.root, 'link-to-b')])).code).toBe(0);
    expect(await m.list()).toEqual([]);
    const missing = await m.cli(['remove', 'a']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no project named or at "a"');
    expect((await m.cli(['remove'])).code).toBe(2);
  });
});
