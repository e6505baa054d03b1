/**
 * `restore`, run in this process: two machines (separate DEV_INFRA_HOME folders) with a
 * checkout of the same repository, against a real work-prod on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../../../server/test/helpers.js';
import { makeRepo } from '../../../test/support/cli.js';
import { machine, ok } from '../../../test/support/machine.js';
import { useListeningApp } from '../../../test/sync/listening-app.js';

afterAll(removeTempDirs);

describeBackends('restore', (backend) => {
  const serverUrl = useListeningApp(backend);

  it('makes a project deleted remotely live again everywhere at the next sync', async () => {
    const account = await newAccount(backend().storage, 'restore');
    const origin = join(makeTempDir('dev-infra-restore-'), 'one.git');
    execFileSync('git', ['init', '-q', '--bare', origin]);
    const [A, B] = [machine(), machine()];
    for (const m of [A, B]) {
      await ok(m, ['remote', 'set', serverUrl(), '--key', account.key]);
      await ok(m, ['add', makeRepo(join(m.code, 'one'), origin)]);
    }
    await ok(A, ['sync']);
    await ok(B, ['sync']); // links B's checkout to A's record
    await ok(B, ['remove', '--everywhere', 'one']);
    await ok(B, ['sync']);
    expect(await ok(A, ['sync'])).toMatch(/deleted remotely: one/);

    const json = JSON.parse(await ok(A, ['restore', 'one', '--json']));
    expect(json).toMatchObject({ name: 'one', restore: 'at next sync' });
    expect(await ok(A, ['sync'])).toMatch(/pushed 1/);
    const records = (await backend().storage.changes(account.id, 0, 100)).changes;
    expect(records).toEqual([expect.objectContaining({ deleted: false })]);
    expect(records[0]!.fields.name).toBe('one');
    // B removed it everywhere, so B no longer holds it: the live project is only on A.
    expect(records[0]!.checkouts.map((c) => c.path)).toEqual([join(A.code, 'one')]);
    // A holds it as an ordinary synced project again: nothing more to push or show.
    expect(await ok(A, ['status'])).not.toMatch(/deleted remotely/);
    expect(await ok(A, ['sync'])).toMatch(/pushed 0/);

    await ok(B, ['sync']);
    const onB = await B.list('--all');
    expect(onB).toEqual([
      expect.objectContaining({ name: 'one', local: false, state: 'not local' }),
    ]);
    expect(await B.list()).toEqual([]);
  });

  it('refuses a project that is not deleted remotely, or not registered', async () => {
    const m = machine();
    await ok(m, ['add', makeRepo(join(m.code, 'two'))]);
    const live = await m.cli(['restore', 'two']);
    expect(live.code).toBe(1);
    expect(live.stderr.trim()).toBe('error: two is not deleted remotely: nothing to restore');
    const missing = await m.cli(['restore', 'ghost']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no project named or at "ghost"');
  });
});
