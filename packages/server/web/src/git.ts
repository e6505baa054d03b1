/**
 * How a checkout's git state reads on the dashboard: its branch, what is unfinished ("3
 * unpushed, 2 modified"), and the age of the report. Every name in a state came from another
 * machine: it only ever becomes text nodes (dom.ts).
 */
import {
  type GitKnownState,
  type GitState,
  hasWorkInProgress,
  isUnknownGitState,
} from '@dev-infra/core';
import { h } from './dom.js';
import { timeEl } from './format.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What a known state holds that is not yet safe elsewhere, and how far behind it is. */
export function workParts(state: GitKnownState): string[] {
  const parts: string[] = [];
  if ((state.ahead ?? 0) > 0) parts.push(`${state.ahead} unpushed`);
  if (state.modified > 0) parts.push(`${state.modified} modified`);
  if (state.untracked > 0) parts.push(`${state.untracked} untracked`);
  if (state.stashes > 0) parts.push(plural(state.stashes, 'stash', 'stashes'));
  if (state.operation !== null) parts.push(`${state.operation} in progress`);
  if ((state.behind ?? 0) > 0) parts.push(`${state.behind} behind`);
  return parts;
}

/** The branch, or what HEAD is when there is none. */
export function branchText(state: GitKnownState): string {
  if (state.branch !== null) return state.branch;
  return state.head === null ? 'no commits yet' : `detached at ${state.head}`;
}

/** Why a state is unknown, in words. */
export function unknownText(reason: string): string {
  return reason === 'timeout' ? 'unknown: git took too long' : 'unknown: git could not read it';
}

/** "(2 hours ago)": when the state was taken. */
export function takenEl(state: GitState): HTMLElement {
  return h('span', { class: 'muted small taken' }, '(', timeEl(state.taken_at), ')');
}

/** A checkout's state in one cell of the project page; `undefined`/null: none reported. */
export function gitStateEl(state: GitState | null | undefined): HTMLElement {
  if (!state) return h('span', { class: 'muted' }, 'not reported');
  if (isUnknownGitState(state))
    return h(
      'span',
      { class: 'git' },
      h('span', { class: 'badge git-unknown' }, unknownText(state.unknown)),
      ' ',
      takenEl(state),
    );
  const parts = workParts(state);
  const upstream =
    state.upstream === null
      ? h('span', { class: 'muted' }, 'no upstream')
      : h('span', {}, '→ ', h('code', { class: 'ref' }, state.upstream));
  return h(
    'span',
    { class: 'git' },
    h('code', { class: 'ref branch' }, branchText(state)),
    ' ',
    upstream,
    ' ',
    hasWorkInProgress(state)
      ? h('span', { class: 'badge git-wip' }, parts.join(', '))
      : h(
          'span',
          { class: 'badge git-clean' },
          parts.length > 0 ? `clean, ${parts.join(', ')}` : 'clean',
        ),
    ' ',
    takenEl(state),
  );
}
