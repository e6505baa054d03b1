/** The command tree's help, run in this process with a test context. */
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../test-support/tmp.js';
import { machine } from '../test/support/machine.js';

afterAll(removeTempDirs);

describe('help', () => {
  it('every command has --help with an example', async () => {
    const m = machine();
    for (const cmd of [
      ['add'],
      ['init'],
      ['remove'],
      ['restore'],
      ['update'],
      ['show'],
      ['list'],
      ['scan'],
      ['config'],
      ['config', 'set'],
      ['doctor'],
      ['completion'],
    ]) {
      const r = await m.cli([...cmd, '--help']);
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.stdout, cmd.join(' ')).toContain('Examples:');
      expect(r.stdout).toContain(`$ dev-infra ${cmd[0]}`);
    }
  });
});
