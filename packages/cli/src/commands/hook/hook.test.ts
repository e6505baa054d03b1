/**
 * `hook`, run in this process: each shell's script (what it reads, what it runs, the cd
 * function and its name). The scripts themselves run in real shells in test/hook-shells.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { machine } from '../../../test/support/machine.js';

afterAll(removeTempDirs);

describe('hook', () => {
  it('prints a prompt hook for bash, zsh and fish that reads the stamp and starts the sync', async () => {
    const m = machine();
    const installs = {
      bash: 'PROMPT_COMMAND="__dev_infra_prompt',
      zsh: 'add-zsh-hook precmd __dev_infra_prompt',
      fish: 'function __dev_infra_prompt --on-event fish_prompt',
    };
    for (const [shell, install] of Object.entries(installs)) {
      const r = await m.cli(['hook', shell]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(install);
      expect(r.stdout).toContain('/sync-due');
      expect(r.stdout).toContain('dev-infra sync --background </dev/null >/dev/null 2>&1 &');
      expect(r.stdout).toContain('dev-infra path');
      expect(r.stdout).toMatch(/^(function )?dcd\b/m);
    }
  });

  it('names the cd function as asked, and refuses a name that is not one', async () => {
    const m = machine();
    const r = await m.cli(['hook', 'zsh', '--cd', 'pcd']);
    expect(r.stdout).toMatch(/^pcd\(\) /m);
    expect(r.stdout).toContain('compdef __dev_infra_cd_complete pcd');
    expect(r.stdout).not.toMatch(/\bdcd\b/);
    const bad = await m.cli(['hook', 'bash', '--cd', 'x;rm']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'error: --cd must be a function name (letters, digits and _, not starting with a digit); got "x;rm"\n',
    );
    expect((await m.cli(['hook', 'tcsh'])).code).toBe(2);
    const none = await m.cli(['hook', 'fish', '--no-cd']);
    expect(none.stdout).toContain('function __dev_infra_prompt --on-event fish_prompt');
    expect(none.stdout).not.toMatch(/dcd|cd_complete|dev-infra path/);
  });
});
