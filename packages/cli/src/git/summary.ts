/**
 * How a git state reads to a person (`3 unpushed, 2 modified`, `feature-x`) and the one
 * question `exec --dirty` asks of it. The words are built from counts and ref names only;
 * ref names came from another machine and are escaped where they are printed (table cells).
 */
import { type GitState, hasWorkInProgress, isUnknownGitState } from '@dev-infra/core';

/** True when the checkout has uncommitted or untracked files (unknown: false). */
export function isDirtyState(state: GitState | null): boolean {
  if (state === null || isUnknownGitState(state)) return false;
  return state.modified > 0 || state.untracked > 0;
}

/** True when the state is worth listing in `wip`: work in progress, or unknown. */
export function worthReporting(state: GitState | null | undefined): boolean {
  if (state === null || state === undefined) return false;
  return isUnknownGitState(state) || hasWorkInProgress(state);
}

/** The branch as shown: its name, `(detached abc1234)` or `(no commits)`. */
export function branchLabel(state: GitState): string {
  if (isUnknownGitState(state)) return '';
  if (state.branch !== null) return state.branch;
  if (state.head === null) return '(no commits)';
  return `(detached ${state.head.slice(0, 7)})`;
}

/** What is unfinished, in words: `3 unpushed, 2 modified, rebase in progress`; `clean`. */
export function workLabel(state: GitState): string {
  if (isUnknownGitState(state))
    return state.unknown === 'timeout' ? 'unknown (git too slow)' : 'unknown (git failed)';
  const parts: string[] = [];
  if (state.ahead !== null && state.ahead > 0) parts.push(`${state.ahead} unpushed`);
  if (state.behind !== null && state.behind > 0) parts.push(`${state.behind} behind`);
  if (state.modified > 0) parts.push(`${state.modified} modified`);
  if (state.untracked > 0) parts.push(`${state.untracked} untracked`);
  if (state.stashes > 0) parts.push(`${state.stashes} stash${state.stashes === 1 ? '' : 'es'}`);
  if (state.operation !== null) parts.push(`${state.operation} in progress`);
  if (state.upstream === null && state.head !== null && state.branch !== null)
    parts.push('no upstream');
  return parts.length > 0 ? parts.join(', ') : 'clean';
}

/** A compact form for a table column: `main +3 ~2 ?1 $1 rebase`, `main ✓`, `unknown`. */
export function compactLabel(state: GitState | null | undefined): string {
  if (state === undefined || state === null) return '';
  if (isUnknownGitState(state)) return `unknown (${state.unknown})`;
  const parts = [branchLabel(state)];
  if (state.ahead) parts.push(`+${state.ahead}`);
  if (state.behind) parts.push(`-${state.behind}`);
  if (state.modified > 0) parts.push(`~${state.modified}`);
  if (state.untracked > 0) parts.push(`?${state.untracked}`);
  if (state.stashes > 0) parts.push(`$${state.stashes}`);
  if (state.operation !== null) parts.push(state.operation);
  if (parts.length === 1) parts.push('clean');
  return parts.join(' ');
}
