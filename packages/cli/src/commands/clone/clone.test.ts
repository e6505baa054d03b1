/**
 * `clone` and names shared by two projects, against a real work-prod: `list --all` tells them
 * apart, `NAME@MACHINE` and id prefixes name either, an ambiguous name lists the choices, and a
 * failed git clone shows all that git said.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../../../server/test/helpers.js';
import { machine, ok } from '../../../test/support/machine.js';
import { poisonCache } from '../../../test/support/poison-cache.js';
import { useListeningApp } from '../../../test/sync/listening-app.js';
import { makeOriginAndClone } from '../../../test/sync/support.js';
import { safeLine, safeLines } from '../../output/safe-text.js';

afterAll(removeTempDirs);

describeBackends(
  'clone and shared names',
  (backend) => {
    const url = useListeningApp(backend);

    it('tells same-name projects apart and clones the other one by NAME@MACHINE', async () => {
      const { key } = await newAccount(backend().storage, 'clone');
      const [desktop, laptop] = [machine(), machine()];
      for (const [m, name] of [
        [desktop, 'desktop'],
        [laptop, 'laptop'],
      ] as const) {
        await ok(m, ['config', 'set', 'machine.name', name]);
        await ok(m, ['config', 'set', 'clone_root', join(m.root, 'clones')]);
        await ok(m, ['remote', 'set', url(), '--key', key]);
        makeOriginAndClone(m.root, 'lib1', join(m.code, 'lib1'));
        await ok(m, ['add', join(m.code, 'lib1')]);
      }
      await ok(desktop, ['sync']);
      await ok(laptop, ['sync']);

      const listed = await ok(laptop, ['list', '--all']);
      const names = listed
        .trim()
        .split('\n')
        .map((line) => line.split('\t')[0]);
      expect(names).toEqual(['lib1', 'lib1@desktop']);
      expect(await ok(laptop, ['list', '--remote-only'])).toMatch(/^lib1@desktop\t/);

      const plain = await laptop.cli(['clone', 'lib1']);
      expect(plain.code).toBe(1);
      expect(plain.stderr).toMatch(
        /^error: "lib1" could be any of: lib1 \(here, at .*lib1\), lib1@desktop; name one of them\n$/,
      );
      const taken = await laptop.cli(['clone', 'lib1@desktop']);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toMatch(
        /already used here by .*; clone it under another: .* --name NEW/,
      );

      const cloned = await ok(laptop, ['clone', 'lib1@desktop', '--name', 'lib1-desktop']);
      expect(cloned).toMatch(/^Cloned lib1 as lib1-desktop into /);
      expect(existsSync(join(laptop.root, 'clones', 'lib1-desktop', '.git'))).toBe(true);
      const here = await laptop.list();
      const desktopId = here.find((p) => p.name === 'lib1-desktop')!.id;
      const ownId = here.find((p) => p.name === 'lib1')!.id;
      expect(desktopId).not.toBe(ownId);

      // Local commands take NAME@THIS-MACHINE and an id prefix; another machine's name is refused.
      expect(JSON.parse(await ok(laptop, ['show', 'lib1@laptop', '--json'])).id).toBe(ownId);
      expect(JSON.parse(await ok(laptop, ['show', ownId.slice(0, 6), '--json'])).id).toBe(ownId);
      const elsewhere = await laptop.cli(['show', 'lib1@desktop']);
      expect(elsewhere.code).toBe(1);
      expect(elsewhere.stderr).toMatch(
        /names a project on desktop, not on this machine \(laptop\)/,
      );
      await ok(laptop, ['update', desktopId.slice(0, 8), '--description', 'by id']);
      expect(JSON.parse(await ok(laptop, ['show', 'lib1-desktop', '--json'])).description).toBe(
        'by id',
      );
    });

    it('a failed git clone shows every line git printed, before the one error line', async () => {
      const { key } = await newAccount(backend().storage, 'clone');
      const [a, b] = [machine(), machine()];
      const gone = 'ssh://git@127.0.0.1:9/acme/lost.git';
      for (const [m, name] of [
        [a, 'a'],
        [b, 'b'],
      ] as const) {
        await ok(m, ['config', 'set', 'machine.name', name]);
        await ok(m, ['remote', 'set', url(), '--key', key]);
      }
      makeOriginAndClone(a.root, 'lost', join(a.code, 'lost'));
      // Its origin is an ssh URL where nothing listens: git's cause is on its first line.
      execFileSync('git', ['-C', join(a.code, 'lost'), 'remote', 'set-url', 'origin', gone]);
      await ok(a, ['add', join(a.code, 'lost')]);
      await ok(a, ['sync']);
      await ok(b, ['sync']);
      const r = await b.cli(['clone', 'lost', join(b.root, 'lost')]);
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines.slice(0, -1).every((l) => l.startsWith('git: '))).toBe(true);
      expect(lines[0]).toMatch(/^git: ssh: connect to host 127\.0\.0\.1 port 9: /);
      expect(lines).toContain('git: and the repository exists.');
      expect(lines.at(-1)).toMatch(
        /^error: git clone of ssh:\/\/127\.0\.0\.1:9\/acme\/lost\.git failed \(exit 128\): ssh: connect to host 127\.0\.0\.1 port 9: /,
      );
    });

    it('refuses a server name that would put the clone outside clone_root, and a URL git would read as an option', async () => {
      const { key } = await newAccount(backend().storage, 'clone');
      const [a, b] = [machine(), machine()];
      for (const [m, name] of [
        [a, 'a'],
        [b, 'b'],
      ] as const) {
        await ok(m, ['config', 'set', 'machine.name', name]);
        await ok(m, ['remote', 'set', url(), '--key', key]);
      }
      const root = join(b.root, 'deep', 'er', 'clones');
      await ok(b, ['config', 'set', 'clone_root', root]);
      for (const name of ['up', 'abs', 'dash']) {
        makeOriginAndClone(a.root, name, join(a.code, name));
        await ok(a, ['add', join(a.code, name)]);
      }
      await ok(a, ['sync']);
      await ok(b, ['sync']);
      await poisonCache(b, {
        up: (r) => ({ ...r, fields: { ...r.fields, name: '../../escaped' } }),
        abs: (r) => ({ ...r, fields: { ...r.fields, name: join(b.root, 'srv', 'x') } }),
        dash: (r) => ({ ...r, fields: { ...r.fields, remote_url: '--upload-pack=touch pwned' } }),
      });

      // The cache's reader drops a record whose name fails the local name rule, so clone never
      // sees one (clone checks the name and the target again, should a record get through).
      const up = await b.cli(['clone', '../../escaped']);
      expect(up.code).toBe(1);
      expect(up.stderr).toMatch(
        /^error: no project named "\.\.\/\.\.\/escaped" is known from the server/,
      );
      const abs = await b.cli(['clone', join(b.root, 'srv', 'x')]);
      expect(abs.code).toBe(1);
      expect(abs.stderr).toMatch(/^error: no project named ".*srv\/x" is known from the server/);
      const dash = await b.cli(['clone', 'dash']);
      expect(dash.code).toBe(1);
      expect(dash.stderr).toBe(
        'error: dash has a remote URL beginning with "-"; refusing to pass it to git\n',
      );

      // Nothing was made: not the escaped folder, not /srv/x, no clone root, no pwned file.
      expect(existsSync(join(root, '..', '..', 'escaped'))).toBe(false);
      expect(existsSync(join(b.root, 'srv'))).toBe(false);
      expect(existsSync(root)).toBe(false);
      expect(readdirSync(b.root).sort()).toEqual(['code', 'home']);
      expect(existsSync(join(b.code, 'pwned'))).toBe(false);
      expect((await b.list()).map((p) => p.name)).toEqual([]);
    });
  },
  ['sqlite'],
);

describe('text from git on the terminal', () => {
  it('shows control characters and bidi overrides as escapes, one line at a time', () => {
    expect(safeLine('a\u001b[31mred\u0007 \u202eevil')).toBe('a\\x1b[31mred\\x07 \\u202eevil');
    expect(safeLines('ssh: Could not resolve hostname x\r\nfatal: no\n\nadvice\rmore\n')).toEqual([
      'ssh: Could not resolve hostname x',
      'fatal: no',
      'advice',
      'more',
    ]);
  });
});
