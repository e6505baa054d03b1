/**
 * The rules of the record: defaults, merging a write into a project, validation of pushed
 * fields, and the compare-and-swap decision of a push. Pure; both backends share it.
 */
import {
  EDITABLE_FIELD_NAMES,
  fieldEquals,
  hasForbiddenControl,
  isTimestamp,
  LIMITS,
  MULTILINE_FIELDS,
  normaliseTags,
  type RecordStamps,
  type SharedFields,
  UNKNOWN_DELETE_ERROR,
  unknownProjectError,
  validateSharedFields,
} from '@dev-infra/core';
import type { ProjectInput } from '../storage/types.js';
import { UUID_PATTERN } from '../uuid.js';

const UUID_RE = new RegExp(UUID_PATTERN);

/** True when `value` is a uuid (any letter case). */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** The fields of a project made through the original API before its input is applied. */
export function newFields(now: string): SharedFields {
  return {
    name: '',
    description: null,
    remote_url: null,
    project_type: null,
    status: 'active',
    classification: null,
    organization: null,
    tags: [],
    template: null,
    template_version: null,
    created_at: now,
    updated_at: now,
  };
}

/** Applies an original-API write to `base`: given keys replace, tags are normalised. */
export function applyInput(base: SharedFields, input: ProjectInput, now: string): SharedFields {
  const next: SharedFields = { ...base, updated_at: now };
  for (const name of EDITABLE_FIELD_NAMES) {
    const value = input[name];
    if (value !== undefined) (next as unknown as Record<string, unknown>)[name] = value;
  }
  next.tags = normaliseTags(next.tags);
  return next;
}

/**
 * Core's text rule for one received string (text-rules.ts): control characters are refused,
 * newline and tab only in free-text fields. Every route's strings go through here (record
 * fields by fieldsProblem, the legacy path, the machine and checkout paths of a push), so the
 * rule and its message are the same everywhere; `field` is named so a client can fix it.
 */
export function textProblem(field: string, value: string | null | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const multiline = MULTILINE_FIELDS.has(field.replace(/^.*\./, ''));
  if (!hasForbiddenControl(value, multiline)) return undefined;
  return multiline
    ? `${field}: holds a control character (only newline and tab are allowed)`
    : `${field}: holds a control character`;
}

/**
 * The text rule on tags as received, before normalising: trimming would drop a tag made only
 * of whitespace controls (`"\f"`) and so accept what the rule refuses.
 */
export function rawTagsProblem(tags: unknown): string | undefined {
  if (!Array.isArray(tags)) return undefined;
  for (const tag of tags) {
    const problem = typeof tag === 'string' ? textProblem('tags', tag) : undefined;
    if (problem) return problem;
  }
  return undefined;
}

/** The string fields of a record, checked by the text rule. */
const TEXT_FIELDS = [
  'name',
  'description',
  'remote_url',
  'project_type',
  'status',
  'classification',
  'organization',
  'template',
  'template_version',
  'created_at',
  'updated_at',
] as const;

/** The first problem with a record's fields, as one line; undefined when valid. */
export function fieldsProblem(fields: SharedFields): string | undefined {
  // Control characters first: a later message might echo the text back.
  for (const name of TEXT_FIELDS) {
    const problem = textProblem(name, fields[name]);
    if (problem) return problem;
  }
  for (const tag of fields.tags) {
    const problem = textProblem('tags', tag);
    if (problem) return problem;
  }
  // Pushed records carry their own times; one that is no timestamp would sort and compare
  // as garbage on every machine that pulls it.
  for (const name of ['created_at', 'updated_at'] as const) {
    if (!isTimestamp(fields[name])) return `${name}: must be an RFC 3339 timestamp`;
  }
  const errors = validateSharedFields(fields);
  return errors.length > 0 ? errors.map((e) => e.message).join('; ') : undefined;
}

/** The first problem with the strings of a push's envelope (machine, checkout paths). */
export function pushEnvelopeProblem(body: {
  machine: {
    id: string;
    name: string;
    incarnation?: string | undefined;
    next_incarnation?: string | undefined;
  };
  checkouts?: { path?: string }[];
}): string | undefined {
  const problem =
    textProblem('machine.id', body.machine.id) ??
    textProblem('machine.name', body.machine.name) ??
    textProblem('machine.incarnation', body.machine.incarnation) ??
    textProblem('machine.next_incarnation', body.machine.next_incarnation);
  if (problem) return problem;
  for (const [index, checkout] of (body.checkouts ?? []).entries()) {
    const bad = textProblem(`checkouts[${index}].path`, checkout.path);
    if (bad) return bad;
  }
  return undefined;
}

/** True when two records hold the same editable content (bookkeeping times aside). */
export function sameContent(a: SharedFields, b: SharedFields): boolean {
  return EDITABLE_FIELD_NAMES.every((f) => fieldEquals(f, a[f], b[f]));
}

/** The current state of a project as a push decision needs it. */
export interface CurrentState {
  rev: number;
  deleted: boolean;
  fields: SharedFields;
  /** Null for a record written before stamps. */
  stamps: RecordStamps | null;
}

/** What to do with one pushed record. */
export type PushDecision =
  | { action: 'create' }
  | { action: 'update' }
  | { action: 'delete' }
  /** Fields onto a tombstone at its own revision (`dev-infra restore`): live again. */
  | { action: 'restore' }
  /**
   * A deletion, with the record's last fields, of a record the server does not have (it
   * lost it in a restore): kept as a tombstone, so that a machine still holding the project
   * cannot bring it back.
   */
  | { action: 'tombstone' }
  | { action: 'unchanged' }
  | { action: 'conflict' }
  | { action: 'reject'; error: string };

/**
 * Compare-and-swap: apply only on the expected revision; a retry whose content already equals
 * the server's is answered as applied; a tombstone comes back to life only from fields pushed
 * on its own revision, which only a machine that saw the deletion and chose to restore sends.
 */
export function decidePush(
  current: CurrentState | undefined,
  change: { base_rev: number; fields?: SharedFields; deleted?: boolean },
): PushDecision {
  const deleting = change.deleted === true;
  if (!current) {
    if (deleting)
      return change.fields
        ? { action: 'tombstone' }
        : { action: 'reject', error: UNKNOWN_DELETE_ERROR };
    if (change.base_rev !== 0)
      return { action: 'reject', error: unknownProjectError(change.base_rev) };
    return { action: 'create' };
  }
  if (deleting) {
    if (current.deleted) return { action: 'unchanged' };
    return current.rev === change.base_rev ? { action: 'delete' } : { action: 'conflict' };
  }
  // Fields onto a tombstone: the deletion stands unless they name it (a restore), even with
  // the very fields it kept: restoring is the point, not a change of content.
  if (current.deleted)
    return current.rev === change.base_rev ? { action: 'restore' } : { action: 'conflict' };
  if (change.fields && sameContent(current.fields, change.fields)) return { action: 'unchanged' };
  return current.rev === change.base_rev ? { action: 'update' } : { action: 'conflict' };
}

/** Checks a checkout path pushed by a machine. */
export function checkoutPathProblem(path: string): string | undefined {
  if (path.length === 0) return 'path must not be empty';
  if (path.length > LIMITS.path) return `path is longer than ${LIMITS.path} characters`;
  return undefined;
}
