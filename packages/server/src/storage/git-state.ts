/**
 * A checkout's git state as the `checkouts.git` column holds it (migration 0006): JSON text of
 * core's GitState in one canonical form, its keys in a fixed order and only the schema's keys
 * (anything else a client sent is dropped, so no extra field, a file name say, is ever stored
 * or passed on). Canonical so that comparing two texts tells whether a state changed: an
 * unchanged resend does not bump the project's seq (see checkouts.ts).
 */
import { type Checkout, type GitState, isUnknownGitState } from '@dev-infra/core';

/** The canonical text of a (checked) state. */
export function gitStateText(state: GitState): string {
  if (isUnknownGitState(state))
    return JSON.stringify({ unknown: state.unknown, taken_at: state.taken_at });
  return JSON.stringify({
    branch: state.branch,
    head: state.head,
    upstream: state.upstream,
    ahead: state.ahead,
    behind: state.behind,
    modified: state.modified,
    untracked: state.untracked,
    stashes: state.stashes,
    last_commit_at: state.last_commit_at,
    operation: state.operation,
    taken_at: state.taken_at,
  });
}

/**
 * The state a column holds. Only this server writes the column, from checked states; text that
 * does not parse (a hand-edited database) reads as none rather than failing the feed.
 */
export function storedGitState(text: string | null): GitState | undefined {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as GitState;
  } catch {
    return undefined;
  }
}

/**
 * A checkout with the state its column holds: without `git` when there is none, so a checkout
 * without a state reads as it did before migration 0006.
 */
export function withGitState<C extends Omit<Checkout, 'git'>>(
  checkout: C,
  text: string | null,
): C & Pick<Checkout, 'git'> {
  const git = storedGitState(text);
  return git === undefined ? checkout : { ...checkout, git };
}
