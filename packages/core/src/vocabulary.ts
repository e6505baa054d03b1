/**
 * The values an enum field may take and how long a text field may be: the one source for the
 * schemas (schema/fields.ts) and the CLI's own checks (project.ts), kept apart from both so
 * neither has to import the other.
 */
export const PROJECT_TYPES = ['Work', 'Personal', 'Learning', 'Inactive'] as const;
export const PROJECT_STATUSES = ['active', 'paused', 'completed', 'cancelled'] as const;
export const CLASSIFICATIONS = ['primary', 'secondary', 'archive', 'maintenance'] as const;

export type ProjectType = (typeof PROJECT_TYPES)[number];
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];
export type Classification = (typeof CLASSIFICATIONS)[number];

/** Maximum lengths, shared by the CLI's checks and the server's schemas. */
export const LIMITS = {
  name: 200,
  path: 500,
  remote_url: 500,
  organization: 100,
  description: 5000,
  tag: 100,
  tags: 100,
  template: 200,
  template_version: 100,
  /** A branch or upstream name (git allows longer; longer ones are cut by the collector). */
  git_ref: 255,
  /** A HEAD id: a short one, or a full SHA-256 one at most. */
  git_head: 64,
  git_timestamp: 64,
  /** The most a git state count can say (files, commits, stashes). */
  git_count: 1_000_000_000,
} as const;

/** The operations a git state can report in progress. */
export const GIT_OPERATIONS = ['merge', 'rebase', 'cherry-pick', 'revert', 'bisect'] as const;
/** Why a git state is unknown: git ran out of its time budget, or failed. */
export const GIT_UNKNOWN_REASONS = ['timeout', 'broken'] as const;
export type GitOperation = (typeof GIT_OPERATIONS)[number];
