/**
 * `sync --background` as its detached child runs it (in this process, marked by the child's
 * environment variable) against a real work-prod on 127.0.0.1 behind a request-counting proxy:
 * the lock (a second one exits quietly and asks the server nothing), the next-due stamp, the
 * bounded log and what `status` shows of it; `sync.frequency` and the stamp it resets.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKGROUND_LOG_LINES } from '@dev-infra/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../../../server/test/helpers.js';
import { makeRepo } from '../../../test/support/cli.js';
import { runInProcess } from '../../../test/support/context.js';
import { machine, ok } from '../../../test/support/machine.js';
import { useListeningApp } from '../../../test/sync/listening-app.js';
import { type CountingProxy, startProxy } from '../../../test/sync/support.js';
import { resolvePaths } from '../../registry/paths.js';
import {
  BACKGROUND_CHILD_ENV,
  backgroundFiles,
  backgroundLockHeld,
  tryBackgroundLock,
} from '../../sync/background.js';

afterAll(removeTempDirs);

const CHILD = { [BACKGROUND_CHILD_ENV]: '1' };
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** A PID no process has: above Linux's pid_max. */
const DEAD_PID = 4_194_304 + 12_345;

describe('the background lock', () => {
  it('one holder at a time; a dead holder is taken over; release frees only its own', () => {
    const home = machine().home;
    mkdirSync(home, { recursive: true });
    const file = join(home, 'sync-background.lock');
    const release = tryBackgroundLock(file);
    expect(release).toBeDefined();
    expect(backgroundLockHeld(file)).toBe(true);
    expect(tryBackgroundLock(file)).toBeUndefined();
    release!();
    expect(existsSync(file)).toBe(false);

    writeFileSync(file, `${DEAD_PID}\n`);
    expect(backgroundLockHeld(file)).toBe(false);
    const taken = tryBackgroundLock(file);
    expect(taken).toBeDefined();
    expect(readFileSync(file, 'utf8')).toBe(`${process.pid}\n`);
    // Someone took it over meanwhile: releasing ours must not remove theirs.
    writeFileSync(file, '1\n');
    taken!();
    expect(readFileSync(file, 'utf8')).toBe('1\n');
  });
});

describeBackends(
  'sync --background',
  (backend) => {
    const url = useListeningApp(backend);
    let proxy: CountingProxy;
    beforeAll(async () => {
      proxy = await startProxy(url());
    });
    afterAll(() => proxy.close());

    async function setUp() {
      const account = await newAccount(backend().storage, 'background');
      const { key } = account;
      const m = machine();
      await ok(m, ['remote', 'set', proxy.url, '--key', key]);
      await ok(m, ['add', makeRepo(join(m.code, 'api'))]);
      const files = backgroundFiles(resolvePaths({ DEV_INFRA_HOME: m.home }));
      const child = async (iso: string, flags: string[] = []) => {
        const r = await runInProcess(['sync', '--background', ...flags], {
          home: m.home,
          cwd: m.code,
          env: CHILD,
          now: new Date(iso),
        });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout + r.stderr).toBe('');
      };
      const at = async (iso: string, args: string[]) => {
        const r = await runInProcess(args, { home: m.home, cwd: m.code, now: new Date(iso) });
        return r;
      };
      const log = () => (existsSync(files.log) ? readFileSync(files.log, 'utf8') : '');
      return { m, files, child, at, log, key, account };
    }

    it('syncs, writes the next-due stamp and one log line, and frees the lock', async () => {
      const { m, files, child, log } = await setUp();
      await child('2026-03-01T10:00:00.000Z');
      expect(readFileSync(files.stamp, 'utf8')).toBe(
        `${epoch('2026-03-01T10:00:00.000Z') + 600}\n`,
      );
      expect(log()).toBe('2026-03-01T10:00:00.000Z ok pulled 0, pushed 1\n');
      expect(existsSync(files.lock)).toBe(false);
      // It really synced: the project is on the server now.
      const status = JSON.parse(
        (await runInProcess(['status', '--json'], { home: m.home })).stdout,
      );
      expect(status.projects.map((p: { state: string }) => p.state)).toEqual(['synced']);
      expect(status.background_sync).toEqual({
        at: '2026-03-01T10:00:00.000Z',
        ok: true,
        message: 'pulled 0, pushed 1',
      });
      for (const f of [files.stamp, files.log]) expect(statSync(f).mode & 0o777).toBe(0o600);
    });

    it('exits at once, asking the server nothing, while another background sync runs', async () => {
      const { m, files, child, log } = await setUp();
      // This test's own process: alive, so the lock is held.
      writeFileSync(files.lock, `${process.pid}\n`);
      proxy.seen.length = 0;
      await child('2026-03-01T10:00:00.000Z');
      expect(proxy.seen).toEqual([]);
      expect(log()).toBe('');
      expect(existsSync(files.stamp)).toBe(false);
      expect(readFileSync(files.lock, 'utf8')).toBe(`${process.pid}\n`);
      // The parent side sees it too and starts nothing.
      const r = await runInProcess(['sync', '--background'], { home: m.home });
      expect(r.stdout).toBe('A background sync is already running\n');
    });

    it('logs a failure in one line that status shows, and waits a period before the next', async () => {
      const { m, files, child, log, at } = await setUp();
      await ok(m, ['remote', 'set', 'http://127.0.0.1:9', '--no-verify']);
      await child('2026-03-01T10:00:00.000Z');
      const line = log();
      expect(line).toMatch(/^2026-03-01T10:00:00\.000Z failed .*127\.0\.0\.1:9.*\n$/);
      expect(line.split('\n')).toHaveLength(2);
      expect(readFileSync(files.stamp, 'utf8')).toBe(
        `${epoch('2026-03-01T10:00:00.000Z') + 600}\n`,
      );
      const text = (await at('2026-03-01T10:05:00.000Z', ['status', '--offline'])).stdout;
      expect(text).toMatch(
        /Last background sync 5 minutes ago \(2026-03-01T10:00:00\.000Z\) failed: .*127\.0\.0\.1:9/,
      );
      const json = JSON.parse((await at('2026-03-01T10:05:00.000Z', ['status', '--json'])).stdout);
      expect(json.background_sync.ok).toBe(false);
      expect(json.background_sync.message).toContain('127.0.0.1:9');
    });

    it('status escapes a logged message', async () => {
      const { files, at } = await setUp();
      writeFileSync(files.log, '2026-03-01T10:00:00.000Z failed evil \u001b[2J here\n');
      const text = (await at('2026-03-01T10:05:00.000Z', ['status', '--offline'])).stdout;
      expect(text).not.toContain('\u001b[2J');
      expect(text).toContain('failed: evil \\x1b[2J here');
    });

    it('keeps the log bounded', async () => {
      const { m, files, child, log } = await setUp();
      await ok(m, ['remote', 'set', 'http://127.0.0.1:9', '--no-verify']);
      const old = Array.from({ length: BACKGROUND_LOG_LINES }, (_, i) => `t${i} ok`);
      writeFileSync(files.log, `${old.join('\n')}\n`);
      await child('2026-03-01T10:00:00.000Z');
      const lines = log().trimEnd().split('\n');
      expect(lines).toHaveLength(BACKGROUND_LOG_LINES);
      expect(lines.slice(0, -1)).toEqual(old.slice(1));
      expect(lines.at(-1)).toMatch(/^2026-03-01T10:00:00\.000Z failed/);
    });

    it('sync.frequency: validated, its period used, off stops the hook, a change resets the stamp', async () => {
      const { m, files, child, at, log } = await setUp();
      const bad = await m.cli(['config', 'set', 'sync.frequency', 'soon']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^error: sync\.frequency must be a duration like 30s.*"soon"\n$/);
      await ok(m, ['config', 'set', 'sync.frequency', '1h30m']);
      await child('2026-03-01T10:00:00.000Z');
      expect(readFileSync(files.stamp, 'utf8')).toBe(
        `${epoch('2026-03-01T10:00:00.000Z') + 5400}\n`,
      );
      // A new period reaches the hook: the stamp is gone, so the next prompt syncs.
      await ok(m, ['config', 'set', 'sync.frequency', '30s']);
      expect(existsSync(files.stamp)).toBe(false);
      // A foreground sync moves the stamp too.
      expect((await at('2026-03-01T11:00:00.000Z', ['sync'])).code).toBe(0);
      expect(readFileSync(files.stamp, 'utf8')).toBe(`${epoch('2026-03-01T11:00:00.000Z') + 30}\n`);

      await ok(m, ['config', 'set', 'sync.frequency', '0']);
      expect(readFileSync(files.stamp, 'utf8')).toBe('off\n');
      expect(
        (await at('2026-03-01T11:00:00.000Z', ['config', 'get', 'sync.frequency'])).stdout,
      ).toBe('off\n');
      const before = log();
      proxy.seen.length = 0;
      await child('2026-03-01T12:00:00.000Z');
      expect(proxy.seen).toEqual([]);
      expect(log()).toBe(before);
      expect(readFileSync(files.stamp, 'utf8')).toBe('off\n');
      await ok(m, ['config', 'unset', 'sync.frequency']);
      expect(existsSync(files.stamp)).toBe(false);
    });

    it("sends the checkouts' git state as a sync at the prompt does; --no-git passes through", async () => {
      const { account, child } = await setUp();
      const gitOf = async () => {
        const [record] = (await backend().storage.changes(account.id, 0, 10)).changes;
        return record?.checkouts[0]?.git;
      };
      await child('2026-03-01T10:00:00.000Z', ['--no-git']);
      expect(await gitOf()).toBeUndefined();
      await child('2026-03-01T11:00:00.000Z');
      expect(await gitOf()).toMatchObject({ branch: expect.any(String), modified: 0 });
    });

    it('refuses --background on sync pull or sync push', async () => {
      const { m } = await setUp();
      for (const half of ['pull', 'push']) {
        const r = await m.cli(['sync', '--background', half]);
        expect(r.code).toBe(2);
        expect(r.stderr).toBe(
          `error: --background runs a whole sync: use \`dev-infra sync --background\`, not sync ${half}\n`,
        );
      }
    });

    it('refuses other flags with --background', async () => {
      const { m } = await setUp();
      const r = await m.cli(['sync', '--background', '--dry-run']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        'error: --background takes no other flag (it runs a plain `dev-infra sync`)\n',
      );
    });
  },
  ['sqlite'],
);
