/**
 * Reading `git status --porcelain=v2 --branch --show-stash` as metadata only: the branch
 * headers are kept, every file line is only counted (its path is never looked at past the
 * first character). Streaming, so a repository with a million untracked files costs a count,
 * not a million strings.
 */
import { LIMITS } from '@dev-infra/core';

/** What the porcelain output says, before the commit time and operation are added. */
export interface PorcelainState {
  branch: string | null;
  head: string | null;
  upstream: string | null;
  ahead: number | null;
  behind: number | null;
  modified: number;
  untracked: number;
  stashes: number;
}

/** The longest header line kept (a branch name is cut to LIMITS.git_ref anyway). */
const MAX_HEADER = 4096;

/** Cuts `s` to at most `max` code points. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  return [...s].slice(0, max).join('');
}

function count(s: string): number | null {
  if (!/^\d+$/.test(s)) return null;
  return Math.min(Number(s), LIMITS.git_count);
}

/** Counts porcelain v2 lines fed in chunks; `result()` once the output has ended. */
export class PorcelainReader {
  private partial = '';
  /** True while the current (unfinished) line is a header worth keeping. */
  private state: PorcelainState = {
    branch: null,
    head: null,
    upstream: null,
    ahead: null,
    behind: null,
    modified: 0,
    untracked: 0,
    stashes: 0,
  };

  /** Feeds a chunk of the output. */
  push(chunk: string): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      const line =
        this.partial.length > 0 ? this.partial + chunk.slice(start, nl) : chunk.slice(start, nl);
      this.partial = '';
      this.line(line);
      start = nl + 1;
    }
    const rest = chunk.slice(start);
    // A file line's tail is never needed: only its first character is kept.
    if (this.partial.length === 0 || this.partial.startsWith('#')) {
      if (this.partial.length < MAX_HEADER) this.partial += rest.slice(0, MAX_HEADER);
    }
  }

  private line(line: string): void {
    if (line.length === 0) return;
    const kind = line[0];
    if (kind === '1' || kind === '2' || kind === 'u') this.state.modified += 1;
    else if (kind === '?') this.state.untracked += 1;
    else if (kind === '#') this.header(line);
    // '!' (ignored) is never asked for; anything else is not a file line we know.
  }

  private header(line: string): void {
    const s = this.state;
    const space = line.indexOf(' ', 2);
    const key = space < 0 ? line.slice(2) : line.slice(2, space);
    const value = space < 0 ? '' : line.slice(space + 1);
    if (key === 'branch.oid') s.head = value === '(initial)' ? null : cut(value, LIMITS.git_head);
    else if (key === 'branch.head')
      s.branch = value === '(detached)' ? null : cut(value, LIMITS.git_ref);
    else if (key === 'branch.upstream') s.upstream = cut(value, LIMITS.git_ref);
    else if (key === 'branch.ab') {
      const m = /^\+(\d+) -(\d+)$/.exec(value);
      if (m) {
        s.ahead = count(m[1] as string);
        s.behind = count(m[2] as string);
      }
    } else if (key === 'stash') s.stashes = count(value) ?? 0;
  }

  /** The state once the output has ended. */
  result(): PorcelainState {
    if (this.partial.length > 0) this.line(this.partial);
    this.partial = '';
    const s = { ...this.state };
    // An upstream that is gone has no ahead/behind line: all three say "unknown" together.
    if (s.upstream === null) {
      s.ahead = null;
      s.behind = null;
    }
    if (s.modified > LIMITS.git_count) s.modified = LIMITS.git_count;
    if (s.untracked > LIMITS.git_count) s.untracked = LIMITS.git_count;
    return s;
  }
}

/** Parses a whole porcelain v2 output (see PorcelainReader). */
export function parsePorcelainV2(text: string): PorcelainState {
  const reader = new PorcelainReader();
  reader.push(text);
  return reader.result();
}
