/** Reading git facts about a folder by running git itself (no shell); its state: git/. */
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
