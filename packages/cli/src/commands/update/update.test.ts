/** `update`, run in this process with a test context against real folders and git repositories. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { makeRepo } from '../../../test/support/cli.js';
import { runInProcess } from '../../../test/support/context.js';
import { machine } from '../../../test/support/machine.js';

afterAll(removeTempDirs);

describe('update', () => {
  it('changes fields, tags and name; refuses a taken name and an unknown project', async () => {
    const m = machine();
    await m.cli(['add', makeRepo(join(m.code, 'a')), '--tag', 'old']);
    await m.cli(['add', makeRepo(join(m.code, 'b'))]);
    const r = await m.cli([
      'update',
      'a',
      '--name',
      'alpha',
      '--description',
      'first',
      '--tag',
      'new',
      '--untag',
      'old',
      '--type',
      'learning',
      '--status',
      'completed',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const alpha = (await m.list()).find((p) => p.path.endsWith('/a'));
    expect(alpha).toMatchObject({
      name: 'alpha',
      description: 'first',
      tags: ['new'],
      project_type: 'Learning',
      status: 'completed',
    });
    const taken = await m.cli(['update', 'alpha', '--name', 'b']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('already used');
    const unknown = await m.cli(['update', 'zzz', '--status', 'paused']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no project named "zzz"');
    const nothing = await m.cli(['update', 'alpha']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to update');
    expect((await m.cli(['update', 'alpha', '--status', 'gone'])).code).toBe(2);
    expect((await m.cli(['update', 'alpha', '--description', ''])).code).toBe(0);
    expect((await m.list()).find((p) => p.name === 'alpha')!.description).toBeNull();
  });

  it('stamps updated_at from the clock only when something changed', async () => {
    const m = machine();
    await m.cli(['add', makeRepo(join(m.code, 'api'))]);
    const now = new Date('2030-01-02T03:04:05.000Z');
    const at = { home: m.home, now };
    expect((await runInProcess(['update', 'api', '--status', 'paused'], at)).stdout).toBe(
      'Updated api\n',
    );
    const [p] = await m.list();
    expect(p).toMatchObject({ status: 'paused', updated_at: now.toISOString() });
    const later = { home: m.home, now: new Date('2031-01-01T00:00:00.000Z') };
    expect((await runInProcess(['update', 'api', '--tag', ''], later)).stdout).toBe(
      'api already had these values\n',
    );
    expect((await m.list())[0]).toMatchObject({ updated_at: now.toISOString() });
  });
});
