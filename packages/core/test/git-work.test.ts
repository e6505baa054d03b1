/** The rules on a git state (git-work.ts): what counts as work in progress, unknown states. */
import { describe, expect, it } from 'vitest';
import { hasWorkInProgress, isUnknownGitState } from '../src/git-work.js';
import type { GitKnownState } from '../src/schema/git.js';
import { sampleGitState } from './fixtures.js';

const clean: GitKnownState = sampleGitState({ taken_at: '2026-12-04T02:00:00Z' });

describe('hasWorkInProgress', () => {
  it('is false for a clean checkout, even behind its upstream or without one', () => {
    expect(hasWorkInProgress(clean)).toBe(false);
    expect(hasWorkInProgress({ ...clean, behind: 5 })).toBe(false);
    expect(hasWorkInProgress({ ...clean, upstream: null, ahead: null, behind: null })).toBe(false);
    expect(hasWorkInProgress({ ...clean, branch: null })).toBe(false);
  });

  it('is true for unpushed commits, modified or untracked files, stashes or an operation', () => {
    for (const over of [
      { ahead: 1 },
      { modified: 1 },
      { untracked: 1 },
      { stashes: 1 },
      { operation: 'rebase' as const },
    ])
      expect(hasWorkInProgress({ ...clean, ...over }), JSON.stringify(over)).toBe(true);
  });
});

describe('isUnknownGitState', () => {
  it('tells an unknown state from a known one', () => {
    expect(isUnknownGitState({ unknown: 'timeout', taken_at: clean.taken_at })).toBe(true);
    expect(isUnknownGitState(clean)).toBe(false);
  });
});
