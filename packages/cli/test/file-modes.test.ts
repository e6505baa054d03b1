/**
 * The files under DEV_INFRA_HOME name private projects, paths and remotes: after a real add,
 * sync against work-prod on 127.0.0.1 and `list --all`, every file there is 0600 and the
 * folders the CLI created are 0700; a registry and cache left 0644 by an older version become
 * 0600 at their next write.
 */
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { removeTempDirs } from '../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../server/test/helpers.js';
import { machine } from './support/machine.js';
import { useListeningApp } from './sync/listening-app.js';

afterAll(removeTempDirs);

/** Every file and folder under `dir`, with its permission bits. */
function modes(dir: string): { path: string; dir: boolean; mode: number }[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).map((e) => {
    const path = join(e.parentPath, e.name);
    return { path, dir: e.isDirectory(), mode: statSync(path).mode & 0o777 };
  });
}

describeBackends(
  'state file modes',
  (backend) => {
    const url = useListeningApp(backend);

    it('writes registry, config, cache and listing owner-only, even over older 0644 files', async () => {
      const { key } = await newAccount(backend().storage, 'modes');
      const m = machine();
      const run = async (args: string[]) => {
        const r = await m.cli(args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      };
      mkdirSync(join(m.code, 'api'));
      mkdirSync(join(m.code, 'web'));
      await run(['remote', 'set', url(), '--key', key]);
      await run(['add', join(m.code, 'api')]);
      await run(['sync']);
      await run(['list', '--all']);

      expect(statSync(m.home).mode & 0o077).toBe(0);
      const found = modes(m.home);
      const names = found.filter((f) => !f.dir).map((f) => f.path.slice(m.home.length + 1));
      expect(names).toEqual(
        expect.arrayContaining(['registry.json', 'config.yml', 'remote-listing.tsv']),
      );
      expect(names.some((n) => n.includes('cache'))).toBe(true);
      for (const f of found) expect(f.mode & 0o077, f.path).toBe(0);

      // As an older version left them: world-readable. The next writes close them again.
      const cache = found.find((f) => !f.dir && f.path.includes('cache'))!.path;
      chmodSync(join(m.home, 'registry.json'), 0o644);
      chmodSync(cache, 0o644);
      await run(['add', join(m.code, 'web')]);
      expect(statSync(join(m.home, 'registry.json')).mode & 0o777).toBe(0o600);
      await run(['sync']);
      expect(statSync(cache).mode & 0o777).toBe(0o600);
    });
  },
  ['sqlite'],
);
