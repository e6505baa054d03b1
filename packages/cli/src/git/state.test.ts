/**
 * The git-state collector on captured porcelain output (parsing alone) and on real
 * repositories in temp folders: every state issue 15 lists, a broken repository, a timeout
 * (a real `git` on PATH that sleeps), a worktree whose `.git` is a file.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitKnownState, GitState } from '@dev-infra/core';
import { LIMITS } from '@dev-infra/core';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import { collectGitStates } from './pool.js';
import { PorcelainReader, parsePorcelainV2 } from './porcelain.js';
import { gitDirOf, looseCommitTime, readGitState } from './state.js';

afterAll(removeTempDirs);

const NOW = '2026-12-04T02:00:00.000Z';
const now = () => NOW;

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
      GIT_COMMITTER_DATE: '2026-12-01T10:00:00+00:00',
      GIT_AUTHOR_DATE: '2026-12-01T10:00:00+00:00',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function repo(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'commit.gpgsign', 'false');
  return dir;
}

function commit(dir: string, file: string, text: string, message = file): void {
  writeFileSync(join(dir, file), text);
  git(dir, 'add', file);
  git(dir, 'commit', '-q', '-m', message);
}

async function known(dir: string, budgetMs = 10_000): Promise<GitKnownState> {
  const s = await readGitState(dir, { now, budgetMs });
  expect(s).not.toBeNull();
  expect(s && 'unknown' in s ? s.unknown : 'known').toBe('known');
  return s as GitKnownState;
}

describe('parsePorcelainV2', () => {
  it('reads the headers and counts file lines without keeping names', () => {
    const out = [
      '# branch.oid 1234567890abcdef1234567890abcdef12345678',
      '# branch.head feature-x',
      '# branch.upstream origin/feature-x',
      '# branch.ab +3 -1',
      '# stash 2',
      '1 .M N... 100644 100644 100644 aaa bbb src/a.ts',
      '1 M. N... 100644 100644 100644 aaa bbb src/secret-name.ts',
      '2 R. N... 100644 100644 100644 aaa bbb R100 new.ts\told.ts',
      'u UU N... 100644 100644 100644 100644 a b c conflict.ts',
      '? notes.txt',
      '? tmp/',
      '! ignored.log',
      '',
    ].join('\n');
    const s = parsePorcelainV2(out);
    expect(s).toEqual({
      branch: 'feature-x',
      head: '1234567890abcdef1234567890abcdef12345678',
      upstream: 'origin/feature-x',
      ahead: 3,
      behind: 1,
      modified: 4,
      untracked: 2,
      stashes: 0 + 2,
    });
    expect(JSON.stringify(s)).not.toContain('secret-name');
  });

  it('reads a detached HEAD, no commits, and an upstream that is gone', () => {
    expect(parsePorcelainV2('# branch.oid abc\n# branch.head (detached)\n')).toMatchObject({
      branch: null,
      head: 'abc',
      upstream: null,
      ahead: null,
    });
    expect(parsePorcelainV2('# branch.oid (initial)\n# branch.head main\n')).toMatchObject({
      branch: 'main',
      head: null,
    });
    // The upstream's branch was deleted: git prints no ab line.
    expect(
      parsePorcelainV2('# branch.oid abc\n# branch.head x\n# branch.upstream origin/x\n'),
    ).toMatchObject({ upstream: 'origin/x', ahead: null, behind: null });
  });

  it('cuts a branch name over the limit', () => {
    const long = 'b'.repeat(LIMITS.git_ref + 50);
    const s = parsePorcelainV2(`# branch.oid abc\n# branch.head ${long}\n`);
    expect(s.branch).toBe('b'.repeat(LIMITS.git_ref));
  });

  it('gives the same answer however the output is split into chunks', () => {
    const out =
      '# branch.oid abc\n# branch.head main\n# branch.upstream o/main\n# branch.ab +1 -0\n' +
      '1 .M N... 1 1 1 a b x\n? y\n? z\n# stash 1\n';
    const whole = parsePorcelainV2(out);
    for (let size = 1; size < 12; size++) {
      const r = new PorcelainReader();
      for (let i = 0; i < out.length; i += size) r.push(out.slice(i, i + size));
      expect(r.result()).toEqual(whole);
    }
  });
});

describe('readGitState on real repositories', () => {
  const root = makeTempDir('dev-infra-gitstate-');

  it('is null for a folder that is not a repository', async () => {
    const dir = join(root, 'plain');
    mkdirSync(dir);
    expect(await readGitState(dir, { now })).toBeNull();
  });

  it('reads a repository without commits and without upstream', async () => {
    const dir = repo(root, 'empty');
    writeFileSync(join(dir, 'new.txt'), 'x');
    const s = await known(dir);
    expect(s).toEqual({
      branch: 'main',
      head: null,
      upstream: null,
      ahead: null,
      behind: null,
      modified: 0,
      untracked: 1,
      stashes: 0,
      last_commit_at: null,
      operation: null,
      taken_at: NOW,
    });
  });

  it('reads ahead/behind against a bare origin, modified, untracked and stashes', async () => {
    const origin = join(root, 'origin.git');
    git(root, 'init', '-q', '--bare', '-b', 'main', origin);
    const dir = repo(root, 'work');
    commit(dir, 'a.txt', 'a');
    git(dir, 'remote', 'add', 'origin', origin);
    git(dir, 'push', '-q', '-u', 'origin', 'main');
    // Behind by one: another clone pushes.
    const other = join(root, 'other');
    git(root, 'clone', '-q', origin, other);
    git(other, 'config', 'commit.gpgsign', 'false');
    commit(other, 'b.txt', 'b');
    git(other, 'push', '-q', 'origin', 'main');
    git(dir, 'fetch', '-q');
    // Ahead by two.
    commit(dir, 'c.txt', 'c');
    commit(dir, 'd.txt', 'd');
    // A stash, then two modified files and one untracked.
    writeFileSync(join(dir, 'a.txt'), 'stashed');
    git(dir, 'stash', '-q');
    writeFileSync(join(dir, 'a.txt'), 'changed');
    writeFileSync(join(dir, 'c.txt'), 'changed');
    writeFileSync(join(dir, 'u.txt'), 'new');
    const s = await known(dir);
    expect(s).toMatchObject({
      branch: 'main',
      upstream: 'origin/main',
      ahead: 2,
      behind: 1,
      modified: 2,
      untracked: 1,
      stashes: 1,
      last_commit_at: '2026-12-01T10:00:00.000Z',
      operation: null,
    });
    expect(s.head).toBe(git(dir, 'rev-parse', 'HEAD').trim());
  });

  it('reads the last commit time from a loose object, and from git once it is packed', async () => {
    const dir = repo(root, 'packed');
    commit(dir, 'a.txt', 'a');
    const head = git(dir, 'rev-parse', 'HEAD').trim();
    expect(looseCommitTime(join(dir, '.git'), head)).toBe('2026-12-01T10:00:00.000Z');
    git(dir, 'gc', '-q');
    expect(looseCommitTime(join(dir, '.git'), head)).toBeNull();
    expect((await known(dir)).last_commit_at).toBe('2026-12-01T10:00:00.000Z');
  });

  it('reads a detached HEAD', async () => {
    const dir = repo(root, 'detached');
    commit(dir, 'a.txt', 'a');
    commit(dir, 'b.txt', 'b');
    git(dir, 'checkout', '-q', 'HEAD~1');
    const s = await known(dir);
    expect(s.branch).toBeNull();
    expect(s.head).toMatch(/^[0-9a-f]{40}$/);
  });

  it('sees a rebase in progress (a real conflict)', async () => {
    const dir = repo(root, 'rebasing');
    commit(dir, 'f.txt', 'base\n');
    git(dir, 'checkout', '-q', '-b', 'topic');
    commit(dir, 'f.txt', 'topic\n');
    git(dir, 'checkout', '-q', 'main');
    commit(dir, 'f.txt', 'main\n');
    git(dir, 'checkout', '-q', 'topic');
    expect(() => git(dir, 'rebase', 'main')).toThrow();
    const s = await known(dir);
    expect(s.operation).toBe('rebase');
    expect(s.modified).toBeGreaterThan(0);
  });

  it('sees a merge in progress', async () => {
    const dir = repo(root, 'merging');
    commit(dir, 'f.txt', 'base\n');
    git(dir, 'checkout', '-q', '-b', 'topic');
    commit(dir, 'f.txt', 'topic\n');
    git(dir, 'checkout', '-q', 'main');
    commit(dir, 'f.txt', 'main\n');
    expect(() => git(dir, 'merge', 'topic')).toThrow();
    expect((await known(dir)).operation).toBe('merge');
  });

  it('reports a repository with a corrupt HEAD as broken, not as the folder around it', async () => {
    // The broken repository sits inside a healthy one: git must not answer for the outer.
    const outer = repo(root, 'outer');
    commit(outer, 'o.txt', 'o');
    const dir = join(outer, 'inner');
    mkdirSync(dir);
    git(dir, 'init', '-q', '-b', 'main');
    writeFileSync(join(dir, '.git', 'HEAD'), 'garbage\n');
    const s = await readGitState(dir, { now });
    expect(s).toEqual({ unknown: 'broken', taken_at: NOW });
  });

  it('reads a worktree whose .git is a file, with its own operation state', async () => {
    const main = repo(root, 'wt-main');
    commit(main, 'f.txt', 'base\n');
    git(main, 'branch', 'side');
    const wt = join(root, 'wt-side');
    git(main, 'worktree', 'add', '-q', wt, 'side');
    expect(gitDirOf(wt)).toContain(join('.git', 'worktrees'));
    writeFileSync(join(wt, 'x.txt'), 'x');
    const s = await known(wt);
    expect(s).toMatchObject({ branch: 'side', untracked: 1, operation: null });
    // A merge in the main checkout is not the worktree's.
    git(main, 'checkout', '-q', '-b', 't');
    commit(main, 'f.txt', 't\n');
    git(main, 'checkout', '-q', 'main');
    commit(main, 'f.txt', 'm\n');
    expect(() => git(main, 'merge', 't')).toThrow();
    expect((await known(main)).operation).toBe('merge');
    expect((await known(wt)).operation).toBeNull();
  });

  it('reports a git that outlives its budget as timeout, killing it (a real process)', async () => {
    const bin = join(root, 'slow-bin');
    mkdirSync(bin);
    const fake = join(bin, 'git');
    writeFileSync(fake, '#!/bin/sh\nsleep 30\n');
    chmodSync(fake, 0o755);
    const dir = repo(root, 'slow');
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    const started = Date.now();
    const s = await readGitState(dir, { now, budgetMs: 300, env });
    expect(s).toEqual({ unknown: 'timeout', taken_at: NOW });
    // Killed, not waited for: well under the fake's 30 s.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('reports broken when git cannot run at all', async () => {
    const dir = repo(root, 'nogit');
    const s = await readGitState(dir, { now, env: { PATH: join(root, 'nowhere') } });
    expect(s).toEqual({ unknown: 'broken', taken_at: NOW });
  });
});

describe('collectGitStates', () => {
  it('reads every folder with a bounded pool, in order, nulls for non-repositories', async () => {
    const root = makeTempDir('dev-infra-gitpool-');
    const dirs: string[] = [];
    for (let i = 0; i < 9; i++) {
      if (i % 3 === 2) {
        const d = join(root, `plain-${i}`);
        mkdirSync(d);
        dirs.push(d);
        continue;
      }
      const d = repo(root, `r-${i}`);
      for (let k = 0; k < i; k++) writeFileSync(join(d, `u${k}`), 'x');
      dirs.push(d);
    }
    const states = await collectGitStates(dirs, { now, jobs: 2 });
    const summary = states.map((s: GitState | null) =>
      s === null ? null : 'unknown' in s ? s.unknown : s.untracked,
    );
    expect(summary).toEqual([0, 1, null, 3, 4, null, 6, 7, null]);
  });

  it('through its shells: a git past its budget is killed, the next repository still read', async () => {
    const root = makeTempDir('dev-infra-gitpool-');
    const bin = join(root, 'bin');
    mkdirSync(bin);
    const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    // Slow only in the folder named "slow"; git itself everywhere else.
    writeFileSync(
      join(bin, 'git'),
      `#!/bin/sh\ncase "$2" in *slow) sleep 30 ;; esac\nexec ${real} "$@"\n`,
    );
    chmodSync(join(bin, 'git'), 0o755);
    const dirs = [repo(root, 'slow'), repo(root, 'after'), repo(root, 'then')];
    writeFileSync(join(dirs[1]!, 'new.txt'), 'x');
    mkdirSync(join(root, 'broken'));
    writeFileSync(join(root, 'broken', '.git'), 'not a gitdir line\n');
    dirs.push(join(root, 'broken'));
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    const started = Date.now();
    // One worker: the same shell meets the slow repository, then the others.
    const states = await collectGitStates(dirs, { now, jobs: 1, budgetMs: 300, env });
    expect(states[0]).toEqual({ unknown: 'timeout', taken_at: NOW });
    expect(states[1]).toMatchObject({ untracked: 1, modified: 0, taken_at: NOW });
    expect(states[2]).toMatchObject({ untracked: 0, modified: 0 });
    expect(states[3]).toEqual({ unknown: 'broken', taken_at: NOW });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("through its shells: git's stdin is not the shell's queue of requests", async () => {
    const root = makeTempDir('dev-infra-gitpool-');
    const bin = join(root, 'bin');
    mkdirSync(bin);
    const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    // A git that reads its stdin first (as an fsmonitor hook might): it must see nothing.
    writeFileSync(join(bin, 'git'), `#!/bin/sh\ncat >/dev/null\nexec ${real} "$@"\n`);
    chmodSync(join(bin, 'git'), 0o755);
    const dirs = [repo(root, 'one'), repo(root, 'two')];
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    const states = await collectGitStates(dirs, { now, jobs: 1, budgetMs: 2000, env });
    expect(states).toEqual([
      expect.objectContaining({ modified: 0, untracked: 0 }),
      expect.objectContaining({ modified: 0, untracked: 0 }),
    ]);
  });

  it('reads a folder whose name the shell cannot take on one line, by itself', async () => {
    const root = makeTempDir('dev-infra-gitpool-');
    const odd = repo(root, 'two\nlines');
    writeFileSync(join(odd, 'u'), 'x');
    const [state] = await collectGitStates([odd], { now });
    expect(state).toMatchObject({ untracked: 1 });
  });

  it('reports timeout for what the overall deadline leaves unstarted', async () => {
    const root = makeTempDir('dev-infra-gitpool-');
    const dirs = [repo(root, 'a'), repo(root, 'b')];
    const states = await collectGitStates(dirs, { now, totalMs: 0 });
    expect(states).toEqual([
      { unknown: 'timeout', taken_at: NOW },
      { unknown: 'timeout', taken_at: NOW },
    ]);
  });
});
