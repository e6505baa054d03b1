/** Sample values for tests (core's and the other packages'); each test names only what it depends on. */
import type { SharedFields } from '../src/schema/fields.js';
import type { GitKnownState } from '../src/schema/git.js';

/** A plain active project named `api` (every optional field empty), with `over` on top. */
export function sampleFields(over: Partial<SharedFields> = {}): SharedFields {
  return {
    name: 'api',
    description: null,
    remote_url: null,
    project_type: null,
    status: 'active',
    classification: null,
    organization: null,
    tags: [],
    template: null,
    template_version: null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

/** A clean known git state: on main, even with origin/main, nothing unfinished; `over` on top. */
export function sampleGitState(over: Partial<GitKnownState> = {}): GitKnownState {
  return {
    branch: 'main',
    head: 'abc1234',
    upstream: 'origin/main',
    ahead: 0,
    behind: 0,
    modified: 0,
    untracked: 0,
    stashes: 0,
    last_commit_at: null,
    operation: null,
    taken_at: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}
