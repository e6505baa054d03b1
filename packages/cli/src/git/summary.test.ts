/** How git states read: the words of `wip`, the compact GIT column, `exec --dirty`'s test. */
import type { GitKnownState } from '@dev-infra/core';
import { describe, expect, it } from 'vitest';
import { sampleGitState } from '../../../core/test/fixtures.js';
import { gitCell } from '../output/list-all-view.js';
import { branchLabel, compactLabel, isDirtyState, workLabel, worthReporting } from './summary.js';

const T = '2026-01-01T00:00:00.000Z';
const state = (over: Partial<GitKnownState> = {}): GitKnownState =>
  sampleGitState({ head: '0123456789abcdef', last_commit_at: T, taken_at: T, ...over });

describe('git state labels', () => {
  it('say what is unfinished, in words and compactly', () => {
    const busy = state({ ahead: 3, modified: 2, untracked: 1, stashes: 2, operation: 'rebase' });
    expect(workLabel(busy)).toBe(
      '3 unpushed, 2 modified, 1 untracked, 2 stashes, rebase in progress',
    );
    expect(compactLabel(busy)).toBe('main +3 ~2 ?1 $2 rebase');
    expect(workLabel(state())).toBe('clean');
    expect(compactLabel(state())).toBe('main clean');
    expect(workLabel(state({ upstream: null, ahead: null, behind: null }))).toBe('no upstream');
    expect(workLabel({ unknown: 'timeout', taken_at: T })).toBe('unknown (git too slow)');
    expect(compactLabel({ unknown: 'broken', taken_at: T })).toBe('unknown (broken)');
    expect(compactLabel(null)).toBe('');
  });

  it('name a detached HEAD and a repository without commits', () => {
    expect(branchLabel(state({ branch: null }))).toBe('(detached 0123456)');
    expect(branchLabel(state({ branch: null, head: null }))).toBe('(no commits)');
  });

  it('tell dirty (exec --dirty) from work in progress (wip)', () => {
    expect(isDirtyState(state({ untracked: 1 }))).toBe(true);
    expect(isDirtyState(state({ ahead: 1 }))).toBe(false);
    expect(isDirtyState({ unknown: 'broken', taken_at: T })).toBe(false);
    expect(isDirtyState(null)).toBe(false);
    expect(worthReporting(state({ ahead: 1 }))).toBe(true);
    expect(worthReporting(state({ behind: 4 }))).toBe(false);
    expect(worthReporting({ unknown: 'timeout', taken_at: T })).toBe(true);
    expect(worthReporting(null)).toBe(false);
  });

  it("make the GIT column of list --all --long from here and the other machines' states", () => {
    const row = {
      name: 'api',
      local: {
        id: 'x',
        name: 'api',
        path: '/p/api',
        remote_url: null,
        description: null,
        tags: [],
        project_type: null,
        status: 'active' as const,
        classification: null,
        organization: null,
        template: null,
        template_version: null,
        created_at: T,
        updated_at: T,
        git: state({ modified: 2 }),
      },
      elsewhere: [
        { machine_name: 'desktop', path: '/d/api', git: state({ branch: 'feature', ahead: 3 }) },
        { machine_name: 'old', path: '/o/api' },
      ],
      mark: null,
      project_type: null,
      status: 'active',
      remote: null,
    };
    expect(gitCell(row)).toBe('here: main ~2, desktop: feature +3');
  });
});
