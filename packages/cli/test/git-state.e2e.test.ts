/**
 * Issue 15 §1 end to end: real git repositories (a bare origin, commits ahead of it, modified
 * and untracked files, a stash, a real conflicting rebase, a broken repository) on machine B,
 * separate DEV_INFRA_HOME folders, the built CLI and a real work-prod on loopback on each
 * backend. B syncs; A syncs and sees B's work in progress in `wip --json`, `wip`, `list --all
 * --json` and `list --all --long`; `exec` runs in each with the right exit code; `--no-git`
 * sends nothing. Then a hostile server's git state prints escaped.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitState } from '@dev-infra/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HostileServer,
  hostileRecord,
  startHostileServer,
  uuidOf,
} from '../../../test-support/hostile-server.js';
import { makeTempDir, removeTempDirs } from '../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../server/test/helpers.js';
import { ensureBuilt } from './support/cli.js';
import { useListeningApp } from './sync/listening-app.js';
import { cli, git, json, makeOriginAndClone, ok, setUpMachines } from './sync/support.js';

interface WipJson {
  machines: {
    id: string;
    name: string;
    this_machine: boolean;
    projects: { name: string; uuid: string; path: string; git: GitState }[];
  }[];
}

interface ListAllGit {
  name: string;
  git: GitState | null;
  checkouts: { machine: string; path: string; git: GitState | null }[];
}

beforeAll(ensureBuilt);

/** True when `text` holds a control character other than a newline or a tab (a pipe's columns). */
function hasControl(text: string): boolean {
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c !== 10 && c !== 9 && (c < 32 || (c >= 0x7f && c <= 0x9f))) return true;
  }
  return false;
}
afterAll(removeTempDirs);

function commit(dir: string, file: string, text: string): void {
  writeFileSync(join(dir, file), text);
  git(['-C', dir, 'add', file]);
  git(['-C', dir, 'commit', '-q', '-m', file]);
}

/** A repository at `dir` with one commit. */
function localRepo(dir: string): void {
  git(['init', '-q', '-b', 'main', dir]);
  commit(dir, 'f.txt', 'base\n');
}

describeBackends('git state across machines', (backend) => {
  const serverUrl = useListeningApp(backend);

  it('A sees what B left unfinished; exec runs where it should; --no-git sends nothing', async () => {
    const account = await newAccount(backend().storage, 'git-state');
    const root = makeTempDir('dev-infra-gitstate-e2e-');
    const [A, B] = await setUpMachines(root, serverUrl(), account.key);
    const code = join(B, 'code');
    // api: two commits ahead of its bare origin, one modified and one untracked file.
    const api = join(code, 'api');
    makeOriginAndClone(root, 'api', api);
    git(['-C', api, 'push', '-q', '-u', 'origin', 'main']);
    commit(api, 'a.txt', 'a\n');
    commit(api, 'b.txt', 'b\n');
    writeFileSync(join(api, 'a.txt'), 'changed\n');
    writeFileSync(join(api, 'new.txt'), 'new\n');
    // tidy: clean and pushed, so not work in progress.
    const tidy = join(code, 'tidy');
    makeOriginAndClone(root, 'tidy', tidy);
    git(['-C', tidy, 'push', '-q', '-u', 'origin', 'main']);
    // stashy: a stash, nothing else.
    const stashy = join(code, 'stashy');
    localRepo(stashy);
    writeFileSync(join(stashy, 'f.txt'), 'stashed\n');
    git(['-C', stashy, 'stash', '-q']);
    // rebasing: a real conflicting rebase, stopped.
    const rebasing = join(code, 'rebasing');
    localRepo(rebasing);
    git(['-C', rebasing, 'checkout', '-q', '-b', 'topic']);
    commit(rebasing, 'f.txt', 'topic\n');
    git(['-C', rebasing, 'checkout', '-q', 'main']);
    commit(rebasing, 'f.txt', 'main\n');
    git(['-C', rebasing, 'checkout', '-q', 'topic']);
    expect(() => git(['-C', rebasing, 'rebase', 'main'])).toThrow();
    // broken: its HEAD is garbage.
    const broken = join(code, 'broken');
    localRepo(broken);
    writeFileSync(join(broken, '.git', 'HEAD'), 'garbage\n');
    for (const dir of [api, tidy, stashy, rebasing, broken]) await ok(B, ['add', dir]);

    // B's own view before any sync: refresh then wip, all local.
    expect(await ok(B, ['refresh'])).toBe(
      'refreshed 5 projects: 3 with work in progress, 1 unknown\n',
    );
    const local = await json<WipJson>(B, ['wip', '--json']);
    expect(local.machines.map((m) => [m.name, m.this_machine])).toEqual([['desktop', true]]);
    expect((await cli(B, ['wip', '--exit-code'])).code).toBe(1);

    await ok(B, ['sync']);
    await ok(A, ['sync']);

    const seen = await json<WipJson>(A, ['wip', '--json']);
    expect(seen.machines).toHaveLength(1);
    const desk = seen.machines[0]!;
    expect(desk).toMatchObject({ name: 'desktop', this_machine: false });
    const byName = Object.fromEntries(desk.projects.map((p) => [p.name, p.git]));
    expect(Object.keys(byName).sort()).toEqual(['api', 'broken', 'rebasing', 'stashy']);
    expect(byName.api).toMatchObject({
      branch: 'main',
      upstream: 'origin/main',
      ahead: 2,
      behind: 0,
      modified: 1,
      untracked: 1,
      stashes: 0,
      operation: null,
    });
    expect(byName.stashy).toMatchObject({ stashes: 1, modified: 0, upstream: null });
    expect(byName.rebasing).toMatchObject({ operation: 'rebase' });
    expect(byName.broken).toMatchObject({ unknown: 'broken' });
    expect(desk.projects.find((p) => p.name === 'api')!.path).toBe(api);
    // Never a file name: neither in what A holds nor in what it prints.
    expect(JSON.stringify(seen)).not.toMatch(/new\.txt|a\.txt/);

    // The dashboard's own view of the same states (its JSON API, as the page reads it).
    const dash = (await (
      await fetch(`${serverUrl()}/api/dashboard/wip`, {
        headers: { authorization: `Bearer ${account.key}` },
      })
    ).json()) as { machines: { machine_name: string; checkouts: { name: string }[] }[] };
    expect(dash.machines.map((m) => m.machine_name)).toEqual(['desktop']);
    expect(dash.machines[0]!.checkouts.map((c) => c.name).sort()).toEqual([
      'api',
      'broken',
      'rebasing',
      'stashy',
    ]);

    const text = await ok(A, ['wip']);
    expect(text).toMatch(
      /^desktop +api +main +2 unpushed, 1 modified, 1 untracked +\/\S+ +(just now|\d+ \w+ ago)$/m,
    );
    expect(text).toMatch(/^desktop +rebasing .*rebase in progress/m);
    expect(text).toMatch(/^desktop +broken +unknown \(git failed\)/m);
    expect(text).not.toMatch(/tidy/);

    const all = await json<ListAllGit[]>(A, ['list', '--all', '--json']);
    const apiRow = all.find((r) => r.name === 'api')!;
    expect(apiRow.checkouts).toHaveLength(1);
    expect(apiRow.checkouts[0]).toMatchObject({ machine: 'desktop', git: { ahead: 2 } });
    expect(all.find((r) => r.name === 'tidy')!.checkouts[0]!.git).toMatchObject({
      modified: 0,
      untracked: 0,
      ahead: 0,
    });
    const long = await ok(A, ['list', '--all', '--long']);
    expect(long).toMatch(/api\t.*desktop: main \+2 ~1 \?1/);
    // B's own list carries its state per project.
    const bList = await json<{ name: string; git: GitState | null }[]>(B, ['list', '--json']);
    expect(bList.find((p) => p.name === 'stashy')!.git).toMatchObject({ stashes: 1 });

    // exec: in every project, the broken one fails (exit 1); --dirty runs in the dirty ones.
    const every = await cli(B, ['exec', '--json', '--', 'git', 'rev-parse', 'HEAD']);
    expect(every.code).toBe(1);
    const results = JSON.parse(every.stdout) as { name: string; exit_code: number }[];
    expect(results.filter((r) => r.exit_code !== 0).map((r) => r.name)).toEqual(['broken']);
    const dirty = await cli(B, ['exec', '--dirty', '--json', '--', 'true']);
    expect(dirty.code).toBe(0);
    expect((JSON.parse(dirty.stdout) as { name: string }[]).map((r) => r.name).sort()).toEqual([
      'api',
      'rebasing',
    ]);

    // --no-git: B cleans api and syncs without git; A still sees the old state.
    git(['-C', api, 'checkout', '-q', '--', 'a.txt']);
    // A new git state alone is not a change the user made: a dry run has nothing to push.
    expect(await ok(B, ['sync', '--dry-run'])).toMatch(/would pull 0, would push 0/);
    await ok(B, ['sync', '--no-git']);
    await ok(A, ['sync']);
    const stale = await json<WipJson>(A, ['wip', '--json']);
    expect(stale.machines[0]!.projects.find((p) => p.name === 'api')!.git).toMatchObject({
      modified: 1,
    });
    // A plain sync sends the new state.
    await ok(B, ['sync']);
    await ok(A, ['sync']);
    const fresh = await json<WipJson>(A, ['wip', '--json']);
    expect(fresh.machines[0]!.projects.find((p) => p.name === 'api')!.git).toMatchObject({
      modified: 0,
      untracked: 1,
      ahead: 2,
    });
    // status --git shows the same section.
    expect(await ok(A, ['status', '--git', '--offline'])).toMatch(/Work in progress:\n.*MACHINE/);
  });
});

describe('a hostile server', () => {
  let server: HostileServer;
  beforeAll(async () => {
    server = await startHostileServer();
  });
  afterAll(() => server.close());

  it("prints another machine's branch and name escaped, never raw", async () => {
    const CONTROL = 'x\u001b[31m\u0007\u009b';
    const state = {
      branch: `evil${CONTROL}`,
      head: 'abc1234',
      upstream: null,
      ahead: null,
      behind: null,
      modified: 3,
      untracked: 0,
      stashes: 0,
      last_commit_at: null,
      operation: null,
      taken_at: '2026-01-01T00:00:00.000Z',
    };
    const record = hostileRecord(
      uuidOf(1),
      1,
      { name: 'proj' },
      {
        checkouts: [
          {
            machine_id: 'other-machine',
            machine_name: `box${CONTROL}`,
            path: `/srv/${CONTROL}`,
            last_seen: '2026-01-01T00:00:00.000Z',
            git: state,
          },
        ],
      },
    );
    server.script({
      changes: ({ since }) =>
        since === 0
          ? { body: { changes: [record], next: 1, more: false, head: 1 } }
          : { body: { changes: [], next: since, more: false, head: 1 } },
    });
    const home = join(makeTempDir('dev-infra-gitstate-hostile-'), 'home');
    await ok(home, ['remote', 'set', server.url, '--key', 'hostile-key-123456']);
    await ok(home, ['sync', 'pull']);
    for (const args of [['wip'], ['list', '--all', '--long'], ['status', '--git', '--offline']]) {
      const r = await cli(home, args);
      expect(r.code, r.stderr).toBe(0);
      const out = r.stdout + r.stderr;
      expect(out, args.join(' ')).toMatch(/evil/);
      expect(hasControl(out), args.join(' ')).toBe(false);
    }
    const j = await json<WipJson>(home, ['wip', '--json']);
    expect(j.machines[0]!.projects[0]!.git).toMatchObject({ modified: 3 });
  });
});
