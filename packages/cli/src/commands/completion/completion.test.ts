/** `completion`, run in this process with a test context against real folders and git repositories. */
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { machine } from '../../../test/support/machine.js';

afterAll(removeTempDirs);

describe('completion', () => {
  it('prints completion scripts for bash, zsh and fish', async () => {
    const m = machine();
    const bash = await m.cli(['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain('complete -F _dev_infra dev-infra');
    expect(bash.stdout).toContain('--template-version');
    expect(bash.stdout).toContain(
      "exec) opts='--tag --type --status --dirty --jobs --stream --json",
    );
    expect(bash.stdout).toContain(
      "clone) opts='--name --missing --tag --type --jobs --dry-run --json",
    );
    expect((await m.cli(['completion', 'zsh'])).stdout).toContain('#compdef dev-infra');
    expect((await m.cli(['completion', 'fish'])).stdout).toContain('complete -c dev-infra');
    expect((await m.cli(['completion', 'tcsh'])).code).toBe(2);
  });
});
