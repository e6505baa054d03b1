/**
 * Three-way merge of one project's shared fields (design section 4). Pure: the caller
 * decides what to write and push (deletions are decided before it, in sync-plan.ts).
 */
import {
  EDITABLE_FIELD_NAMES,
  fieldEquals,
  normaliseTags,
  SHARED_FIELD_NAMES,
  type SharedFieldName,
} from './project.js';
import type { SharedFields } from './schema/fields.js';

/** Which side wins a field changed on both sides to different values. */
export type Prefer = 'local' | 'remote';

/** A field a user edits (everything shared except the two display-only timestamps). */
export type EditableFieldName = (typeof EDITABLE_FIELD_NAMES)[number];

/** The value type of any shared field. */
export type SharedFieldValue = SharedFields[SharedFieldName];

/** A field both sides changed to different values, and which side was kept. */
export interface FieldConflict {
  field: EditableFieldName;
  local: SharedFieldValue;
  remote: SharedFieldValue;
  chosen: Prefer;
}

/** The outcome of merging one project's fields. */
export interface MergeResult {
  merged: SharedFields;
  /** Same-field changes to different values, in SHARED_FIELD_NAMES order. */
  conflicts: FieldConflict[];
  /** Editable fields the local side contributed (see `mergeFields` for the base-less case). */
  localChanges: EditableFieldName[];
  /** Editable fields the remote side contributed. */
  remoteChanges: EditableFieldName[];
}

/** The editable fields whose values differ between `a` and `b` (tags compare as sets). */
export function changedFields(a: SharedFields, b: SharedFields): EditableFieldName[] {
  return EDITABLE_FIELD_NAMES.filter((f) => !fieldEquals(f, a[f], b[f]));
}

/** True when every shared field (timestamps included) is equal; tags compare as sets. */
export function sameSharedFields(a: SharedFields, b: SharedFields): boolean {
  return SHARED_FIELD_NAMES.every((f) => fieldEquals(f, a[f], b[f]));
}

/** True for a value that carries nothing: null, '' (or only spaces) or an empty tag list. */
export function isEmptyValue(value: SharedFieldValue | undefined): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return normaliseTags(value).length === 0;
  return value.trim().length === 0;
}

function isEditable(field: SharedFieldName): field is EditableFieldName {
  return field !== 'created_at' && field !== 'updated_at';
}

/** Orders two ISO timestamps by the instant they name; unparsable ones compare as text. */
function compareTimes(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(ta) || Number.isNaN(tb) || ta === tb) return a < b ? -1 : a > b ? 1 : 0;
  return ta - tb;
}

/** The display-only timestamps: created_at keeps the earlier, updated_at the later. */
function pickTimestamp(field: 'created_at' | 'updated_at', local: string, remote: string): string {
  const c = compareTimes(local, remote);
  if (field === 'created_at') return c <= 0 ? local : remote;
  return c >= 0 ? local : remote;
}

/**
 * Merges `local` and `remote` field by field against `base`, the snapshot kept from the last
 * sync (null for a project linked by id or remote URL that has no sync history yet).
 *
 * With a base: a field changed on one side takes that side; changed on both to the same value
 * is no conflict; changed on both to different values takes `prefer`'s side and is reported.
 * Without a base: where exactly one side is empty the other side's value is taken silently;
 * two different non-empty values are a conflict resolved by `prefer`. `localChanges` and
 * `remoteChanges` then name the fields where that side holds a non-empty value the other
 * lacks or disagrees with.
 *
 * Tags are a set and merge tag by tag against the base (`mergeTags`): a tag added or removed on
 * one side survives whatever the other side did to other tags, so with a base tags never
 * conflict (each tag is in or out of the base, so it cannot be both added on one side and
 * removed on the other). Without a base a tag on one side only is exactly that ambiguity, so
 * the base-less rule above applies to the whole set.
 *
 * created_at and updated_at never conflict: a one-sided change is taken as for any field;
 * otherwise created_at keeps the earlier and updated_at the later instant. They are never
 * listed in the change lists (they are for display only).
 */
export function mergeFields(
  base: SharedFields | null,
  local: SharedFields,
  remote: SharedFields,
  prefer: Prefer = 'local',
): MergeResult {
  const merged = { ...local, tags: [...local.tags] };
  const set = (field: SharedFieldName, value: SharedFieldValue) => {
    // The field name and its value come from the same record, so the pairing is sound.
    (merged as Record<SharedFieldName, SharedFieldValue>)[field] = Array.isArray(value)
      ? [...value]
      : value;
  };
  const conflicts: FieldConflict[] = [];
  const localChanges: EditableFieldName[] = [];
  const remoteChanges: EditableFieldName[] = [];

  for (const field of SHARED_FIELD_NAMES) {
    const l = local[field];
    const r = remote[field];
    if (fieldEquals(field, l, r)) continue; // merged already holds local's value
    const localChanged = base === null ? !isEmptyValue(l) : !fieldEquals(field, base[field], l);
    const remoteChanged = base === null ? !isEmptyValue(r) : !fieldEquals(field, base[field], r);

    if (!isEditable(field)) {
      if (localChanged && !remoteChanged) continue;
      set(
        field,
        remoteChanged && !localChanged ? r : pickTimestamp(field, l as string, r as string),
      );
      continue;
    }
    if (localChanged) localChanges.push(field);
    if (remoteChanged) remoteChanges.push(field);
    if (field === 'tags' && base !== null) {
      set(field, mergeTags(base.tags, local.tags, remote.tags));
    } else if (localChanged && remoteChanged) {
      conflicts.push({ field, local: l, remote: r, chosen: prefer });
      if (prefer === 'remote') set(field, r);
    } else if (remoteChanged || (!localChanged && prefer === 'remote')) {
      // The second case: without a base, both sides empty in different spellings (null vs
      // ''); the preferred spelling is kept so that flipping sides and `prefer` agrees.
      set(field, r);
    }
  }
  return { merged, conflicts, localChanges, remoteChanges };
}

/** A tag's identity: the spelling `normaliseTags` keeps ('' for a tag it drops). */
const tagKey = (t: string): string => t.trim();

/**
 * Three-way merge of two tag lists as sets: the base minus the tags either side removed, plus
 * the tags either side added. Tag by tag this is the one-sided-change rule, which is why it
 * needs no `prefer`. Local's order is kept, then remote's additions in remote's order, so that
 * a merge does not reshuffle the list a user sees.
 */
export function mergeTags(
  base: readonly string[],
  local: readonly string[],
  remote: readonly string[],
): string[] {
  const inBase = new Set(base.map(tagKey));
  const inRemote = new Set(remote.map(tagKey));
  const out: string[] = [];
  const seen = new Set<string>();
  const keep = (t: string) => {
    const k = tagKey(t);
    if (k.length === 0 || seen.has(k)) return;
    seen.add(k);
    out.push(t);
  };
  // A local tag goes only if remote removed it (it was in the base and remote lacks it).
  for (const t of local) if (!(inBase.has(tagKey(t)) && !inRemote.has(tagKey(t)))) keep(t);
  // A remote tag comes in only as an addition; one in the base missing locally was removed here.
  for (const t of remote) if (!inBase.has(tagKey(t))) keep(t);
  return out;
}
