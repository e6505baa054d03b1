/**
 * `status`'s "last heard from the server", run in this process at chosen times against a real
 * work-prod on 127.0.0.1 (a machine of its own DEV_INFRA_HOME).
 */
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../../../server/test/helpers.js';
import { makeRepo } from '../../../test/support/cli.js';
import { runInProcess } from '../../../test/support/context.js';
import { machine, ok } from '../../../test/support/machine.js';
import { useListeningApp } from '../../../test/sync/listening-app.js';

afterAll(removeTempDirs);

describeBackends('status: last heard from the server', (backend) => {
  const serverUrl = useListeningApp(backend);

  it('is set by a push-only first sync and moved by syncs that found nothing to do', async () => {
    const account = await newAccount(backend().storage, 'heard');
    const m = machine();
    const at = async (iso: string, args: string[]) => {
      const r = await runInProcess(args, { home: m.home, cwd: m.code, now: new Date(iso) });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    const heard = async (iso: string) => JSON.parse(await at(iso, ['status', '--json'])).last_heard;
    await ok(m, ['remote', 'set', serverUrl(), '--key', account.key]);
    await ok(m, ['add', makeRepo(join(m.code, 'one'))]);
    expect(await at('2026-03-01T10:00:00.000Z', ['status'])).toMatch(
      /Last heard from the server never\n/,
    );

    await at('2026-03-01T10:00:00.000Z', ['sync', 'push']);
    expect(await heard('2026-03-01T10:05:00.000Z')).toBe('2026-03-01T10:00:00.000Z');
    expect(await at('2026-03-01T10:05:00.000Z', ['status'])).toMatch(
      /Last heard from the server 5 minutes ago\n/,
    );

    expect(await at('2026-03-01T12:00:00.000Z', ['sync'])).toMatch(/pushed 0/);
    expect(await heard('2026-03-01T12:00:30.000Z')).toBe('2026-03-01T12:00:00.000Z');
    expect(await at('2026-03-01T12:00:30.000Z', ['status'])).toMatch(
      /Last heard from the server just now\n/,
    );
    // Nothing new at all now (an empty feed page): still an answer from the server.
    expect(await at('2026-03-01T12:10:00.000Z', ['sync'])).toMatch(/pulled 0, pushed 0/);
    expect(await heard('2026-03-01T12:10:00.000Z')).toBe('2026-03-01T12:10:00.000Z');
    // Within the minute it stays, so that such a sync writes nothing.
    await at('2026-03-01T12:10:40.000Z', ['sync']);
    expect(await heard('2026-03-01T12:10:40.000Z')).toBe('2026-03-01T12:10:00.000Z');
    expect(await at('2026-03-02T13:00:00.000Z', ['status'])).toMatch(/server 1 day ago\n/);
  });
});
