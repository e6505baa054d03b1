/** Reading git facts about a folder by running git itself (no shell). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The folder's `origin` remote URL as git has it, or null (no remote, not a repo, no git). */
export function readOriginUrl(dir: string): string | null {
  const result = spawnSync('git', ['-C', dir, 'config', '--get', 'remote.origin.url'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (result.status !== 0) return null;
  const url = result.stdout.trim();
  return url.length > 0 ? url : null;
}

/** True when `dir` is the top of a git working tree (has a `.git` folder or file). */
export function isGitTopLevel(dir: string): boolean {
  return existsSync(join(dir, '.git'));
}

/**
 * Whether the working tree has changes (`git status --porcelain` prints anything); null when
 * git cannot tell (not a repository, no git). A stopgap for `exec --dirty`: to be replaced by
 * the git-state collector another engineer is building.
 */
export function isDirty(dir: string): boolean | null {
  const result = spawnSync('git', ['-C', dir, 'status', '--porcelain'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (result.status !== 0) return null;
  return result.stdout.trim().length > 0;
}
