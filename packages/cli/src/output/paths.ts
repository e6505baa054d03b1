/** Paths as people read them. */
import { homedir } from 'node:os';

/** Replaces the home folder prefix with `~` (`/home/me/code/x` -> `~/code/x`). */
export function shortenPath(path: string, home: string = homedir()): string {
  if (home.length <= 1) return path;
  const base = home.endsWith('/') ? home.slice(0, -1) : home;
  if (path === base) return '~';
  if (path.startsWith(`${base}/`)) return `~${path.slice(base.length)}`;
  return path;
}

/** Expands a leading `~` or `~/` to the home folder. */
export function expandHome(path: string, home: string = homedir()): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return `${home}${path.slice(1)}`;
  return path;
}
