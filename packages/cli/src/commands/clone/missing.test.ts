/**
 * `clone --missing` against a real work-prod on loopback, with real git and bare origins: a
 * fresh machine clones every project the others hold, with their ids, reports the one whose
 * URL fails with git's own words, and a rerun finishes what is left once it is fixed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../../../server/test/helpers.js';
import { type Machine, machine, ok } from '../../../test/support/machine.js';
import { poisonCache } from '../../../test/support/poison-cache.js';
import { useListeningApp } from '../../../test/sync/listening-app.js';
import { git, makeOriginAndClone } from '../../../test/sync/support.js';
import { projectFilter } from '../../project-filter.js';

afterAll(removeTempDirs);

interface Report {
  dry_run: boolean;
  would_clone: { name: string; uuid: string; path: string; url: string }[];
  cloned: { name: string; uuid: string; path: string; url: string }[];
  skipped: {
    name: string;
    uuid: string;
    path: string | null;
    url: string | null;
    reason: string;
  }[];
  failed: { name: string; uuid: string; path: string; url: string; error: string; git: string[] }[];
}

const names = (entries: readonly { name: string }[]) => entries.map((e) => e.name).sort();

describeBackends(
  'clone --missing',
  (backend) => {
    const url = useListeningApp(backend);

    /**
     * Machine A holds api and web (tag work), lib (type Learning), notes (no remote URL) and
     * lost (its origin's URL names a repository that does not exist) and syncs them; machine
     * C is fresh, synced, with its clone root under its own folder.
     */
    async function fleet() {
      const { key } = await newAccount(backend().storage, 'missing');
      const [a, c] = [machine(), machine()];
      for (const [m, name] of [
        [a, 'a'],
        [c, 'c'],
      ] as const) {
        await ok(m, ['config', 'set', 'machine.name', name]);
        await ok(m, ['remote', 'set', url(), '--key', key]);
      }
      const clones = join(c.root, 'clones');
      await ok(c, ['config', 'set', 'clone_root', clones]);
      const gone = join(a.root, 'origins', 'gone.git');
      for (const [name, flags] of [
        ['api', ['--tag', 'work', '--type', 'Work']],
        ['web', ['--tag', 'work,ui', '--type', 'Personal']],
        ['lib', ['--type', 'Learning']],
        ['lost', ['--tag', 'work']],
      ] as const) {
        makeOriginAndClone(a.root, name, join(a.code, name));
        if (name === 'lost') git(['-C', join(a.code, name), 'remote', 'set-url', 'origin', gone]);
        await ok(a, ['add', join(a.code, name), ...flags]);
      }
      mkdirSync(join(a.code, 'notes'));
      await ok(a, ['add', join(a.code, 'notes')]);
      await ok(a, ['sync']);
      await ok(c, ['sync']);
      return { a, c, clones, gone, key };
    }

    const run = (m: Machine, ...args: string[]) => m.cli(['clone', '--missing', ...args]);

    it('clones every missing project with its id, reports the one git cannot clone, and a rerun finishes it once fixed', async () => {
      const { a, c, clones, gone } = await fleet();

      const first = await run(c);
      expect(first.code, first.stderr).toBe(1);
      const lines = first.stdout.trimEnd().split('\n');
      // Skipped first (decided before any clone), the clones as they end, the summary last.
      expect(lines[0]).toBe('skipped notes: no remote URL');
      expect(lines.at(-1)).toBe('cloned 3, skipped 1, failed 1');
      expect(lines.filter((l) => l.startsWith('cloned ')).sort()).toEqual([
        `cloned 3, skipped 1, failed 1`,
        `cloned api -> ${join(clones, 'api')}`,
        `cloned lib -> ${join(clones, 'lib')}`,
        `cloned web -> ${join(clones, 'web')}`,
      ]);
      const failure = lines.find((l) => l.startsWith('failed lost: '));
      expect(failure).toBe(
        `failed lost: git clone of ${gone} failed (exit 128): fatal: repository '${gone}' does not exist`,
      );
      // git made nothing it could leave behind.
      expect(readdirSync(clones).sort()).toEqual(['api', 'lib', 'web']);

      // The clones are real and registered with the ids A gave them.
      const ids = new Map((await a.list()).map((p) => [p.name, p.id]));
      const here = await c.list();
      expect(here.map((p) => [p.name, p.id])).toEqual(
        ['api', 'lib', 'web'].map((n) => [n, ids.get(n)]),
      );
      for (const p of here)
        expect(git(['-C', p.path, 'log', '-1', '--format=%s']).trim()).toBe('first');

      // The next sync sends C's checkouts onto the same records: no duplicates on the server.
      await ok(c, ['sync']);
      await ok(a, ['sync']);
      const all = JSON.parse(await ok(a, ['list', '--all', '--json'])) as {
        name: string;
        checkouts: { machine: string }[];
      }[];
      expect(all.map((r) => r.name).sort()).toEqual(['api', 'lib', 'lost', 'notes', 'web']);
      for (const r of all)
        expect(r.checkouts.map((ch) => ch.machine).sort(), r.name).toEqual(
          ['api', 'lib', 'web'].includes(r.name) ? ['a', 'c'] : ['a'],
        );
      expect(
        (await ok(c, ['list', '--remote-only'])).split('\n').map((l) => l.split('\t')[0]),
      ).toEqual(['lost', 'notes', '']);

      // A rerun clones nothing new and still reports the failure.
      const again = await run(c);
      expect(again.code).toBe(1);
      expect(again.stdout).not.toMatch(/^cloned [a-z]+ ->/m);
      expect(again.stdout).toMatch(/^failed lost: git clone of .* does not exist$/m);
      expect(again.stdout.trimEnd().split('\n').at(-1)).toBe('cloned 0, skipped 1, failed 1');

      // Once the repository exists, a rerun finishes it and exits 0.
      execFileSync('git', ['init', '-q', '--bare', gone]);
      const last = await run(c);
      expect(last.code, last.stdout + last.stderr).toBe(0);
      expect(last.stdout).toBe(
        `skipped notes: no remote URL\ncloned lost -> ${join(clones, 'lost')}\ncloned 1, skipped 1, failed 0\n`,
      );
      expect((await c.list()).find((p) => p.name === 'lost')?.id).toBe(ids.get('lost'));
    });

    it('--dry-run says what would go where and changes nothing; --tag and --type choose', async () => {
      const { c, clones } = await fleet();
      const before = c.registryText();

      const dry = await run(c, '--dry-run');
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(
        new RegExp(
          `^skipped notes: no remote URL\nwould clone api -> ${join(clones, 'api')} \\(from .*api\\.git\\)\n`,
        ),
      );
      expect(dry.stdout.match(/^would clone \S+ -> /gm)).toHaveLength(4);
      expect(dry.stdout.trimEnd().split('\n').at(-1)).toBe('would clone 4, skipped 1, failed 0');
      expect(existsSync(clones)).toBe(false);
      expect(c.registryText()).toBe(before);

      const work = JSON.parse((await run(c, '--tag', 'work', '--dry-run', '--json')).stdout);
      expect(names(work.would_clone)).toEqual(['api', 'lost', 'web']);
      // Repeated tags must all match.
      const both = JSON.parse(
        (await run(c, '--tag', 'work', '--tag', 'ui', '--dry-run', '--json')).stdout,
      ) as Report;
      expect(names(both.would_clone)).toEqual(['web']);
      const typed = await run(c, '--type', 'learning');
      expect(typed.code, typed.stderr).toBe(0);
      expect(typed.stdout).toBe(
        `cloned lib -> ${join(clones, 'lib')}\ncloned 1, skipped 0, failed 0\n`,
      );
      expect((await c.list()).map((p) => p.name)).toEqual(['lib']);

      const none = await run(c, '--tag', 'nope');
      expect(none.code).toBe(0);
      expect(none.stdout).toBe('');
      expect(none.stderr).toBe('No project missing here matches these filters.\n');
    });

    it('skips a target folder that exists, leaving it as it was; --json names every outcome', async () => {
      const { a, c, clones, gone } = await fleet();
      mkdirSync(join(clones, 'web'), { recursive: true });
      writeFileSync(join(clones, 'web', 'mine.txt'), 'keep me');

      const r = await run(c, '--json', '--jobs', '2');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('');
      const report = JSON.parse(r.stdout) as Report;
      const ids = new Map((await a.list()).map((p) => [p.name, p.id]));
      expect(report.dry_run).toBe(false);
      expect(report.would_clone).toEqual([]);
      expect(report.cloned.sort((x, y) => x.name.localeCompare(y.name))).toEqual(
        ['api', 'lib'].map((n) => ({
          name: n,
          uuid: ids.get(n),
          path: join(clones, n),
          url: join(a.root, 'origins', `${n}.git`),
        })),
      );
      expect(report.skipped).toEqual([
        { name: 'notes', uuid: ids.get('notes'), path: null, url: null, reason: 'no remote URL' },
        {
          name: 'web',
          uuid: ids.get('web'),
          path: join(clones, 'web'),
          url: join(a.root, 'origins', 'web.git'),
          reason: `target exists: ${join(clones, 'web')} (move it away, or register it with \`dev-infra add\`)`,
        },
      ]);
      expect(report.failed).toEqual([
        {
          name: 'lost',
          uuid: ids.get('lost'),
          path: join(clones, 'lost'),
          url: gone,
          error: `git clone of ${gone} failed (exit 128): fatal: repository '${gone}' does not exist`,
          git: [`fatal: repository '${gone}' does not exist`],
        },
      ]);
      expect(readdirSync(join(clones, 'web'))).toEqual(['mine.txt']);
      expect(readFileSync(join(clones, 'web', 'mine.txt'), 'utf8')).toBe('keep me');
      expect((await c.list()).map((p) => p.name)).toEqual(['api', 'lib']);
    });

    it('a clone git fails with several lines shows every one, escaped, and leaves no folder', async () => {
      const { key } = await newAccount(backend().storage, 'missing');
      const [a, c] = [machine(), machine()];
      for (const [m, name] of [
        [a, 'a'],
        [c, 'c'],
      ] as const) {
        await ok(m, ['config', 'set', 'machine.name', name]);
        await ok(m, ['remote', 'set', url(), '--key', key]);
      }
      const clones = join(c.root, 'clones');
      await ok(c, ['config', 'set', 'clone_root', clones]);
      makeOriginAndClone(a.root, 'far', join(a.code, 'far'));
      // An ssh URL where nothing listens: ssh's cause first, git's advice after.
      const far = 'ssh://git@127.0.0.1:9/acme/far.git';
      git(['-C', join(a.code, 'far'), 'remote', 'set-url', 'origin', far]);
      await ok(a, ['add', join(a.code, 'far')]);
      await ok(a, ['sync']);
      await ok(c, ['sync']);

      const r = await run(c);
      expect(r.code).toBe(1);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        /^failed far: git clone of ssh:\/\/127\.0\.0\.1:9\/acme\/far\.git failed \(exit 128\): ssh: connect to host 127\.0\.0\.1 port 9: /,
      );
      expect(lines[1]).toMatch(/^ {4}git: ssh: connect to host 127\.0\.0\.1 port 9: /);
      expect(lines).toContain('    git: and the repository exists.');
      expect(lines.slice(1, -1).every((l) => l.startsWith('    git: '))).toBe(true);
      expect(lines.at(-1)).toBe('cloned 0, skipped 0, failed 1');
      expect(readdirSync(clones)).toEqual([]);
      expect(await c.list()).toEqual([]);

      // Once nothing is missing, it says so on stderr and stdout stays empty.
      await ok(c, ['remove', 'far', '--everywhere']);
      expect(await run(c)).toEqual({
        code: 0,
        stdout: '',
        stderr: 'Nothing to clone: no project known from the server is missing here.\n',
      });
    });

    it('what a hostile server sends is refused or escaped: a "-" URL, escapes git echoes back', async () => {
      const { c, clones } = await fleet();
      await poisonCache(c, {
        api: (r) => ({ ...r, fields: { ...r.fields, remote_url: '--upload-pack=touch pwned' } }),
        web: (r) => ({
          ...r,
          fields: { ...r.fields, remote_url: '/nonexistent/\u001b[31mred\u202e.git' },
        }),
      });
      const r = await run(c, '--tag', 'work');
      expect(r.code).toBe(1);
      expect(r.stdout.includes('\u001b') || r.stdout.includes('\u202e')).toBe(false);
      expect(r.stdout).toMatch(
        /^failed api: its remote URL begins with "-"; refusing to pass it to git$/m,
      );
      expect(r.stdout).toMatch(
        /^failed web: git clone of \/nonexistent\/\\x1b\[31mred\\u202e\.git failed \(exit 128\): fatal: repository '\/nonexistent\/(\?|\\x1b)\[31mred\\u202e\.git' does not exist$/m,
      );
      expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('cloned 0, skipped 0, failed 3');
      expect(existsSync(join(c.code, 'pwned'))).toBe(false);
      expect(readdirSync(clones)).toEqual([]);
      // --json keeps the exact text (JSON escapes it).
      const j = JSON.parse((await run(c, '--tag', 'work', '--json')).stdout) as Report;
      expect(j.failed.find((f) => f.name === 'web')?.url).toBe(
        '/nonexistent/\u001b[31mred\u202e.git',
      );
    });

    it('leaves out what is deleted on the server or being deleted from here', async () => {
      const { a, c } = await fleet();
      await ok(a, ['remove', 'web', '--everywhere']);
      await ok(a, ['sync']);
      await ok(c, ['sync']);
      // C deletes lib everywhere without holding it: pending until its next push.
      await ok(c, ['remove', 'lib', '--everywhere']);
      const r = JSON.parse((await run(c, '--dry-run', '--json')).stdout) as Report;
      expect(names(r.would_clone)).toEqual(['api', 'lost']);
      expect(names(r.skipped)).toEqual(['notes']);
    });

    it('a name already used here, or two missing projects of one name, are skipped with what to type', async () => {
      const { a, c, clones, key } = await fleet();
      // C has an api of its own; a third machine, B, holds another "lib".
      makeOriginAndClone(c.root, 'api', join(c.code, 'api'));
      await ok(c, ['add', join(c.code, 'api')]);
      const b = machine();
      await ok(b, ['config', 'set', 'machine.name', 'b']);
      await ok(b, ['remote', 'set', url(), '--key', key]);
      makeOriginAndClone(b.root, 'lib', join(b.code, 'lib'));
      await ok(b, ['add', join(b.code, 'lib')]);
      await ok(b, ['sync']);
      await ok(c, ['sync']);

      const apiId = (await a.list()).find((p) => p.name === 'api')!.id.slice(0, 8);
      const libIds = [a, b].map((m) => m.list());
      const [aLib, bLib] = (await Promise.all(libIds)).map((ps) =>
        ps.find((p) => p.name === 'lib')!.id.slice(0, 8),
      );
      const r = await run(c, '--dry-run');
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines).toContain(
        `skipped api: the name is already used here by ${join(c.code, 'api')}; clone it under another: dev-infra clone ${apiId} --name NEW`,
      );
      for (const id of [aLib, bLib])
        expect(lines).toContain(
          `skipped lib: another project missing here has the same name; clone each by its id: dev-infra clone ${id} --name NEW`,
        );
      expect(lines.filter((l) => / -> /.test(l)).map((l) => l.split(' ')[2])).toEqual([
        'lost',
        'web',
      ]);
      expect(lines.at(-1)).toBe('would clone 2, skipped 4, failed 0');
      expect(existsSync(clones)).toBe(false);

      // The hint works: the id clones it under a new name.
      await ok(c, ['clone', aLib!, '--name', 'lib-a']);
      const after = await run(c, '--dry-run');
      expect(after.stdout).not.toMatch(/^skipped lib: /m);
      expect(after.stdout).toMatch(/^would clone lib -> /m);
    });
  },
  ['sqlite'],
);

describe('clone --missing without a server, and its flags', () => {
  it('says to set a remote and sync first', async () => {
    const m = machine();
    const r = await m.cli(['clone', '--missing']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: this machine has not synced yet: run `dev-infra remote set URL --key KEY`, then `dev-infra sync`\n',
    );
  });

  it('refuses a --jobs that is not a whole number from 1 to 64, in one line', async () => {
    const m = machine();
    for (const bad of ['0', '-1', 'many', '2.5', '65']) {
      const r = await m.cli(['clone', '--missing', '--jobs', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toBe(
        `error: option '--jobs <n>' argument '${bad}' is invalid. Use a whole number from 1 to 64.\n`,
      );
    }
  });

  it('keeps the two forms apart: NAME or --missing, and --missing-only flags', async () => {
    const m = machine();
    const cases: [string[], string][] = [
      [['clone'], 'error: give the NAME of a project to clone'],
      [['clone', 'api', '--missing'], 'error: --missing clones every missing project'],
      [['clone', '--missing', '--name', 'x'], 'error: --name and --missing do not mix'],
      [['clone', 'api', '--tag', 'go'], 'error: --tag needs --missing'],
      [['clone', 'api', '--dry-run'], 'error: --dry-run needs --missing'],
      [['clone', 'api', '--jobs', '2'], 'error: --jobs needs --missing'],
    ];
    for (const [args, start] of cases) {
      const r = await m.cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.startsWith(start), r.stderr).toBe(true);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('the filter: every tag must match, blank tags are ignored, type and status exact', () => {
    const f = { tags: ['go', 'work'], project_type: 'Work', status: 'active' };
    expect(projectFilter({})(f)).toBe(true);
    expect(projectFilter({ tag: ['go', ' work '] })(f)).toBe(true);
    expect(projectFilter({ tag: ['go', 'ui'] })(f)).toBe(false);
    expect(projectFilter({ tag: ['', ' '] })(f)).toBe(true);
    expect(projectFilter({ type: 'Work' })(f)).toBe(true);
    expect(projectFilter({ type: 'Personal' })(f)).toBe(false);
    expect(projectFilter({ status: 'paused' })(f)).toBe(false);
  });
});
