/**
 * `move`: the project keeps its id, refuses paths that are taken or in the wrong state, and the
 * next sync moves this machine's checkout on a real work-prod (as another machine sees it).
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../../../server/test/helpers.js';
import { makeRepo } from '../../../test/support/cli.js';
import { machine, ok } from '../../../test/support/machine.js';
import { useListeningApp } from '../../../test/sync/listening-app.js';

afterAll(removeTempDirs);

describe('move', () => {
  it('records a moved folder, or moves it with --files, keeping the id', async () => {
    const m = machine();
    const api = makeRepo(join(m.code, 'api'));
    makeRepo(join(m.code, 'web'));
    await ok(m, ['add', api]);
    await ok(m, ['add', join(m.code, 'web')]);
    const [before] = await m.list();
    renameSync(api, join(m.code, 'api2'));
    const out = await ok(m, ['move', 'api', join(m.code, 'api2')]);
    expect(out).toMatch(/^Moved api from .*api to .*api2; the next sync tells the server\n$/);
    let [after] = await m.list();
    expect(after).toMatchObject({ id: before!.id, name: 'api', path: join(m.code, 'api2') });

    // With --files the folder moves too; a relative NEWPATH is resolved against the working folder.
    mkdirSync(join(m.code, 'moved'));
    const files = await m.cli(['move', 'api', 'moved/api', '--files'], m.code);
    expect(files.code, files.stderr).toBe(0);
    expect(existsSync(join(m.code, 'moved', 'api', '.git'))).toBe(true);
    expect(existsSync(join(m.code, 'api2'))).toBe(false);
    [after] = await m.list();
    expect(after).toMatchObject({ id: before!.id, path: join(m.code, 'moved', 'api') });
  });

  it('refuses a registered path, a missing folder, an existing one with --files', async () => {
    const m = machine();
    await ok(m, ['add', makeRepo(join(m.code, 'api'))]);
    await ok(m, ['add', makeRepo(join(m.code, 'web'))]);
    const cases: [string[], RegExp][] = [
      [['move', 'api', join(m.code, 'web')], /is already registered as "web"/],
      [
        ['move', 'api', join(m.code, 'nowhere')],
        /is not a folder; move the folder first, or .* --files/,
      ],
      [['move', 'api', join(m.code, 'web'), '--files'], /already exists; --files moves the folder/],
      [
        ['move', 'api', join(m.code, 'no', 'such'), '--files'],
        /no does not exist; create it first/,
      ],
      [['move', 'nope', join(m.code, 'web')], /no project named "nope"/],
    ];
    for (const [args, message] of cases) {
      const r = await m.cli(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect((await m.list()).find((p) => p.name === 'api')!.path).toBe(join(m.code, 'api'));
  });
});

describeBackends(
  'move and sync',
  (backend) => {
    const url = useListeningApp(backend);

    it('the next sync moves the checkout: another machine sees the new path', async () => {
      const { key } = await newAccount(backend().storage, 'move');
      const [a, b] = [machine(), machine()];
      for (const [m, name] of [
        [a, 'a'],
        [b, 'b'],
      ] as const) {
        await ok(m, ['config', 'set', 'machine.name', name]);
        await ok(m, ['remote', 'set', url(), '--key', key]);
      }
      const api = makeRepo(join(a.code, 'api'), 'https://example.com/acme/api.git');
      await ok(a, ['add', api]);
      await ok(a, ['sync']);
      const checkoutOnB = async () => {
        await ok(b, ['sync']);
        const rows = JSON.parse(await ok(b, ['list', '--all', '--json'])) as {
          name: string;
          checkouts: { machine: string; path: string }[];
        }[];
        return rows.find((r) => r.name === 'api')?.checkouts;
      };
      expect(await checkoutOnB()).toEqual([expect.objectContaining({ machine: 'a', path: api })]);
      await ok(a, ['move', 'api', join(a.code, 'api-moved'), '--files']);
      await ok(a, ['sync']);
      expect(await checkoutOnB()).toEqual([
        expect.objectContaining({ machine: 'a', path: join(a.code, 'api-moved') }),
      ]);
    });
  },
  ['sqlite'],
);
