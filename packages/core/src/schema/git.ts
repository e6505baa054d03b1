/**
 * The git state of one checkout, as metadata only (issue 15): counts, names of refs and
 * times, never file names, diffs or commit messages. Collected by the CLI at each sync and by
 * `dev-infra refresh`, sent with the machine's checkout in a push, stored per checkout by
 * work-prod and carried in the feed, so any machine can answer "what did I leave unfinished,
 * and where".
 */
import type { Static } from 'typebox';
import * as Type from 'typebox/type';
import { GIT_OPERATIONS, GIT_UNKNOWN_REASONS, LIMITS } from '../vocabulary.js';

const nullableText = (max: number) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength: max });
const count = () => Type.Integer({ minimum: 0, maximum: LIMITS.git_count });
const nullableCount = () =>
  Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 0, maximum: LIMITS.git_count });
const timestamp = () => Type.String({ maxLength: LIMITS.git_timestamp });

/**
 * A state git answered. `branch` is null when HEAD is detached, `head` null in a repository
 * without commits; `upstream`, `ahead` and `behind` are null without an upstream. `operation`
 * is the merge, rebase, cherry-pick, revert or bisect in progress, else null. `taken_at` is
 * when this machine read it (ISO 8601).
 */
export const GitKnownStateSchema = Type.Object({
  branch: nullableText(LIMITS.git_ref),
  head: nullableText(LIMITS.git_head),
  upstream: nullableText(LIMITS.git_ref),
  ahead: nullableCount(),
  behind: nullableCount(),
  modified: count(),
  untracked: count(),
  stashes: count(),
  last_commit_at: Type.Unsafe<string | null>({
    type: ['string', 'null'],
    maxLength: LIMITS.git_timestamp,
  }),
  operation: Type.Unsafe<(typeof GIT_OPERATIONS)[number] | null>({
    type: ['string', 'null'],
    enum: [...GIT_OPERATIONS, null],
  }),
  taken_at: timestamp(),
});
export type GitKnownState = Static<typeof GitKnownStateSchema>;

/**
 * A repository git could not read in time (`timeout`: slow or huge) or at all (`broken`):
 * reported as unknown rather than blocking or failing the sync.
 */
export const GitUnknownStateSchema = Type.Object({
  unknown: Type.Enum(GIT_UNKNOWN_REASONS),
  taken_at: timestamp(),
});
export type GitUnknownState = Static<typeof GitUnknownStateSchema>;

/** A checkout's git state; a checkout that is not a git repository has none (null). */
export const GitStateSchema = Type.Union([GitKnownStateSchema, GitUnknownStateSchema]);
export type GitState = Static<typeof GitStateSchema>;

// The rules on a state (hasWorkInProgress, isUnknownGitState) are in ../git-work.ts, a module
// without TypeBox, so the dashboard's bundle can use them.
