/**
 * The rules on a checkout's git state (schema/git.ts), apart from its schema: this module
 * imports no TypeBox, so the dashboard's bundle uses the very rules the CLI and work-prod do.
 */
import type { GitKnownState, GitState, GitUnknownState } from './schema/git.js';

/** True when the state is one git could not read. */
export function isUnknownGitState(state: GitState): state is GitUnknownState {
  return 'unknown' in state;
}

/**
 * Whether a known state holds work not yet safe elsewhere: unpushed commits, uncommitted or
 * untracked files, stashes or an operation in progress. A branch without an upstream counts
 * as unpushed only through `ahead` (null: unknown, not counted).
 */
export function hasWorkInProgress(state: GitKnownState): boolean {
  return (
    (state.ahead ?? 0) > 0 ||
    state.modified > 0 ||
    state.untracked > 0 ||
    state.stashes > 0 ||
    state.operation !== null
  );
}
