/**
 * `list --all` through the listing (remote-listing.tsv) with the built CLI against a real
 * work-prod: it is written by the first listing after a pull, follows every later change of
 * the cache, and a listing that is damaged or from another cache state is never believed.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../../server/test/helpers.js';
import { ensureBuilt } from '../support/cli.js';
import { useListeningApp } from './listening-app.js';
import { ok, setUpMachines } from './support.js';

describeBackends(
  'list --all from the listing',
  (backend) => {
    const serverUrl = useListeningApp(backend);
    let A: string;
    let B: string;
    const listing = () => join(B, 'remote-listing.tsv');
    /** Registers a new folder `name` on machine `home`. */
    const add = async (home: string, name: string, ...flags: string[]) => {
      mkdirSync(join(home, 'code', name), { recursive: true });
      await ok(home, ['add', join(home, 'code', name), ...flags]);
    };
    /** B's `list --all` rows by name, as printed when piped (name, where, type, status, remote). */
    const rowsOnB = async (flags = ['--all']) =>
      (await ok(B, ['list', ...flags]))
        .trimEnd()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t'));

    beforeAll(async () => {
      await ensureBuilt();
      const account = await newAccount(backend().storage, 'listing');
      [A, B] = await setUpMachines(makeTempDir('dev-infra-listing-'), serverUrl(), account.key);
    });
    afterAll(removeTempDirs);

    it('is written by the first list --all after a pull and matches what --long shows', async () => {
      for (const name of ['web', 'api', 'cli']) {
        await add(A, name, '--type', 'work');
      }
      await ok(A, ['sync']);
      await add(B, 'own');
      await ok(B, ['sync']);
      expect(() => statSync(listing())).toThrow(); // a pull never writes it
      const rows = await rowsOnB();
      expect(statSync(listing()).isFile()).toBe(true);
      expect(rows.map((r) => r[0])).toEqual(['own', 'api', 'cli', 'web']);
      expect(rows[1]).toEqual(['api', 'not local (laptop)', 'Work', 'active', '(none)']);
      // The same rows a second time, read from the listing; and --long agrees on who is where.
      expect(await rowsOnB()).toEqual(rows);
      const long = await rowsOnB(['--all', '--long']);
      expect(
        long.map((r) => [r[0], r[1]!.startsWith('here') || r[1]!.includes('laptop:')]),
      ).toEqual(rows.map((r) => [r[0], true]));
      expect((await rowsOnB(['--remote-only'])).map((r) => r[0])).toEqual(['api', 'cli', 'web']);
    });

    it('follows the cache: an edit, a new project and a delete pulled later all show', async () => {
      await rowsOnB(); // the listing matches the cache as it is now
      await ok(A, ['update', 'web', '--status', 'paused']);
      await add(A, 'zed');
      await ok(A, ['remove', 'cli', '--everywhere']);
      await ok(A, ['sync']);
      await ok(B, ['sync', 'pull']);
      const rows = await rowsOnB();
      expect(rows.map((r) => r[0])).toEqual(['own', 'api', 'web', 'zed']);
      expect(rows.find((r) => r[0] === 'web')?.[3]).toBe('paused');
    });

    it('ignores a listing that is damaged or belongs to another cache state', async () => {
      const good = await rowsOnB();
      const text = readFileSync(listing(), 'utf8');
      // Cut short: the header's byte count no longer matches.
      writeFileSync(listing(), text.slice(0, text.length - 20));
      expect(await rowsOnB()).toEqual(good);
      // The last row's newline lost, the length kept: the rows no longer match the index.
      writeFileSync(listing(), `${text.slice(0, -1)} `);
      expect(await rowsOnB()).toEqual(good);
      // From another cache state (as after a sync that a crash kept from rebuilding it).
      writeFileSync(listing(), text.replace(/"cache":"[^"]*"/, '"cache":"0:0:0"'));
      expect(await rowsOnB()).toEqual(good);
      rmSync(listing());
      expect(await rowsOnB()).toEqual(good);
      // Each time the listing was rebuilt whole.
      expect(readFileSync(listing(), 'utf8')).toBe(text);
    });
  },
  ['sqlite'],
);
