/**
 * What a sync push decides, without the database: each pushed change is checked on its own,
 * then decided against the project's stored state (compare-and-swap), and each checkout change
 * against the machine's checkouts as the changes before it left them. push.ts and checkouts.ts
 * read the rows these need and write what they decide; nothing here does I/O, so the rules can
 * be read (and tested) on their own.
 */
import {
  type CheckoutResult,
  changedFields,
  type GitState,
  type PushStamps,
  type SharedFields,
  staleWrite,
  stampsRaised,
} from '@dev-infra/core';
import { type CurrentState, checkoutPathProblem, decidePush, isUuid } from '../domain/records.js';
import { gitStateText } from './git-state.js';
import type { PushInput } from './types.js';

/** A record change as the pushing machine sent it. */
export type PushedChange = PushInput['changes'][number];

/** A checkout change as the pushing machine sent it. */
export type CheckoutChange = PushInput['checkouts'][number];

/**
 * A pushed change once checked on its own: refused already, a deletion (with the record's
 * last fields when the machine sent them), or valid fields; `stamps` those the machine sent
 * for the parts it restores, none past the server's clock.
 */
export type PreparedChange =
  | { uuid: string; error: string }
  | {
      uuid: string;
      base_rev: number;
      deleted: true;
      fields?: SharedFields | undefined;
      stamps?: PushStamps | undefined;
    }
  | { uuid: string; base_rev: number; fields: SharedFields; stamps?: PushStamps | undefined };

/** Checks a pushed record's fields (domain/validate.ts's parsePushedFields). */
export type FieldsParser = (value: unknown) => { fields: SharedFields } | { error: string };

/** Checks a pushed record's stamps (domain/validate.ts's parsePushedStamps). */
export type StampsParser = (value: unknown) => { stamps: PushStamps } | { error: string };

/**
 * Step 1 of a push: checks one change without looking at the database (the uuid, the fields,
 * then the stamps), so a bad record is refused alone and the others still apply. The uuid is
 * lower-cased: it is the project's key everywhere after this.
 */
export function prepareChange(
  change: PushedChange,
  parseFields: FieldsParser,
  parseStamps: StampsParser,
): PreparedChange {
  const uuid = change.uuid.toLowerCase();
  if (!isUuid(uuid)) return { uuid: change.uuid, error: 'uuid: must be a uuid' };
  const deleted = change.deleted === true;
  if (!deleted && change.fields === undefined)
    return { uuid, error: 'fields (or deleted: true) is required' };
  let fields: SharedFields | undefined;
  if (change.fields !== undefined) {
    const parsed = parseFields(change.fields);
    if ('error' in parsed) return { uuid, error: parsed.error };
    fields = parsed.fields;
  }
  let stamps: PushStamps | undefined;
  if (change.stamps !== undefined) {
    const parsed = parseStamps(change.stamps);
    if ('error' in parsed) return { uuid, error: parsed.error };
    stamps = parsed.stamps;
  }
  const base = { uuid, base_rev: change.base_rev, ...(stamps ? { stamps } : {}) };
  if (deleted) return { ...base, deleted: true, ...(fields ? { fields } : {}) };
  return { ...base, fields: fields! };
}

/** What one pushed change comes to. */
export type ChangeDecision =
  /** Refused (bad record, unknown project, ...): the result carries the reason. */
  | { kind: 'rejected'; error: string }
  /** A stale base or a tombstone: answered with the stored record, so the machine can merge. */
  | { kind: 'conflict' }
  /**
   * Already so on the server: a retry of a push that was applied (its answer lost), or a
   * deletion of a tombstone. Answered as applied at the stored revision; nothing is written.
   */
  | { kind: 'unchanged' }
  | { kind: 'create'; fields: SharedFields }
  /** `changed`: the field names the history entry lists. */
  | { kind: 'update'; fields: SharedFields; changed: string[] }
  | { kind: 'delete' }
  /** A tombstone made of these fields, for a deletion of a record the server lost. */
  | { kind: 'tombstone'; fields: SharedFields }
  /** A tombstone made live again with these fields (`dev-infra restore`). */
  | { kind: 'restore'; fields: SharedFields };

/**
 * Decides one prepared change against the project's stored state (undefined: the server does
 * not know it). The compare-and-swap rules are domain/records.ts's `decidePush`, the ones the
 * dashboard's edits follow too: apply only on the expected revision, a retry whose content
 * already matches is applied, a tombstone comes back to life only from fields on its revision.
 * One more, by the stamps: an update that changes a part from an older copy than the stored
 * one (core's staleWrite) is a conflict even on its revision, which a restored database may
 * have handed out again for another state.
 */
export function decideChange(
  change: PreparedChange,
  current: CurrentState | undefined,
): ChangeDecision {
  if ('error' in change) return { kind: 'rejected', error: change.error };
  const decision = decidePush(current, change);
  switch (decision.action) {
    case 'reject':
      return { kind: 'rejected', error: decision.error };
    case 'conflict':
      return { kind: 'conflict' };
    case 'unchanged': {
      // The same values, on the record's revision, may still carry an edit the server must
      // stamp (it held the value already: a restore took away the one the edit replaced).
      if (!current || current.deleted || current.rev !== change.base_rev || !change.fields)
        return { kind: 'unchanged' };
      const before = { fields: current.fields, stamps: current.stamps };
      if (!stampsRaised({ before, after: change.fields, provided: change.stamps }))
        return { kind: 'unchanged' };
      return { kind: 'update', fields: change.fields, changed: [] };
    }
    case 'delete':
      return { kind: 'delete' };
    case 'tombstone':
      // decidePush makes a tombstone only of a deletion that carries fields.
      return { kind: 'tombstone', fields: change.fields as SharedFields };
    case 'create':
    case 'restore':
    case 'update': {
      // decidePush creates, restores or updates only a change that carries fields.
      const fields = change.fields as SharedFields;
      if (decision.action === 'create') return { kind: 'create', fields };
      if (decision.action === 'restore') {
        // An edit from a copy that never saw this deletion (its live stamp not after the
        // tombstone's) names the tombstone's revision only because a restored database handed
        // it out again: a conflict, not a restore. A restore (`dev-infra restore`) sends none.
        const given = change.stamps?.live;
        if (given !== undefined && given <= (current!.stamps?.live ?? 0))
          return { kind: 'conflict' };
        return { kind: 'restore', fields };
      }
      const before = { fields: current!.fields, stamps: current!.stamps };
      if (staleWrite({ before, after: fields, provided: change.stamps }))
        return { kind: 'conflict' };
      return { kind: 'update', fields, changed: changedFields(current!.fields, fields) };
    }
  }
}

/** Checks a pushed git state (domain/validate.ts's parseGitState). */
export type GitStateParser = (value: unknown) => { git: GitState | null } | { error: string };

/**
 * A checkout change once its git state is checked: `git` is the state's canonical text (see
 * git-state.ts), null to clear it, undefined to leave the stored one; `gitError` the reason a
 * bad state rejects the change.
 */
export type PreparedCheckout = Omit<CheckoutChange, 'git'> & {
  git?: string | null;
  gitError?: string;
};

/**
 * Step 1 for a checkout change: checks its git state alone, before the lock, as prepareChange
 * does for records. A removal's state is ignored (the checkout goes, its state with it).
 */
export function prepareCheckout(
  change: CheckoutChange,
  parseGit: GitStateParser,
): PreparedCheckout {
  const { git, ...rest } = change;
  if (git === undefined || change.removed === true) return rest;
  const parsed = parseGit(git);
  if ('error' in parsed) return { ...rest, gitError: parsed.error };
  return { ...rest, git: parsed.git === null ? null : gitStateText(parsed.git) };
}

/** What a checkout change did, as its history entry names it. */
export type CheckoutChangeKind = 'added' | 'moved' | 'removed';

/**
 * The pushing machine's checkouts while a batch of its changes is decided: the path and git
 * state (canonical text, null for none) of each project it holds, the projects a change wrote
 * to, and each changed project's new seq.
 */
export interface CheckoutState {
  paths: Map<number, string>;
  gits: Map<number, string | null>;
  touched: Set<number>;
  seqs: Map<number, number>;
}

/**
 * Decides one checkout change of a known project against the machine's checkouts so far and
 * records it in `state`: a rejection, or what changed: `what` for the path ('added', 'moved',
 * 'removed'; undefined when it did not, where a path still counts as seen again) and
 * `gitChanged` when the git state did.
 *
 * The git state: absent leaves the stored one (a new checkout then has none), null clears it,
 * a state replaces it. It changed only when its canonical text differs from the stored one, so
 * a machine sending the same state again (every sync of an idle checkout) changes nothing and
 * bumps no seq; a new `taken_at` alone is a change (the state's age is part of it).
 */
export function decideCheckout(
  state: CheckoutState,
  project: { id: number; uuid: string },
  change: PreparedCheckout,
): { result: CheckoutResult } | { what: CheckoutChangeKind | undefined; gitChanged: boolean } {
  const { id, uuid } = project;
  const existing = state.paths.get(id);
  if (change.removed === true) {
    state.paths.delete(id);
    state.gits.delete(id);
    state.touched.add(id);
    return { what: existing === undefined ? undefined : 'removed', gitChanged: false };
  }
  if (change.path === undefined)
    return { result: { uuid, status: 'rejected', error: 'path (or removed: true) is required' } };
  const problem = checkoutPathProblem(change.path) ?? change.gitError;
  if (problem) return { result: { uuid, status: 'rejected', error: problem } };
  const storedGit = existing === undefined ? null : (state.gits.get(id) ?? null);
  const git = change.git === undefined ? storedGit : change.git;
  state.paths.set(id, change.path);
  state.gits.set(id, git);
  state.touched.add(id);
  const gitChanged = git !== storedGit;
  if (existing === change.path) return { what: undefined, gitChanged };
  return { what: existing === undefined ? 'added' : 'moved', gitChanged };
}
