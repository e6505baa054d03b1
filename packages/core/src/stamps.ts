/**
 * Record stamps (issue 13): when each part of a server record was last set, on the server's
 * clock. A revision says which record is newer only while the server never goes back; a
 * restored database hands its lost revisions out again. A stamp is made by the server from its
 * wall clock (microseconds, kept rising) when a write changes the part, so a part set after a
 * restore always stamps later than one the restore took away, and a machine whose base holds a
 * part stamped later than the server's copy knows the server lost it, part by part. The parts:
 * each stamped field (the editable fields but tags), each tag ever added or removed (its
 * membership), and `live` (the last creation, deletion or restore).
 *
 * Pure: the server stamps its writes with `stampWrite` (its clock passed in), the client takes
 * a record through `effectiveRemote` and sends back the stamps of the parts it restores with
 * `pushStamps`.
 */
import { fieldEquals, normaliseTags, SHARED_FIELD_NAMES, type SharedFieldName } from './project.js';
import type { SharedFields } from './schema/fields.js';
import {
  type FreshParts,
  MAX_TAG_STAMPS,
  type PushStamps,
  type RecordStamps,
} from './schema/stamps.js';

/** The stamped fields: every editable field but tags, which are stamped tag by tag. */
export const STAMPED_FIELDS = SHARED_FIELD_NAMES.filter(
  (f): f is Exclude<SharedFieldName, 'tags' | 'created_at' | 'updated_at'> =>
    f !== 'tags' && f !== 'created_at' && f !== 'updated_at',
);

export type StampedField = (typeof STAMPED_FIELDS)[number];

/** A record's stamps when it has none (written before stamps): every part at 0. */
export const NO_STAMPS: RecordStamps = { fields: {}, tags: {}, live: 0 };

const fieldStamp = (s: RecordStamps | PushStamps | undefined, f: StampedField) =>
  s?.fields?.[f] ?? 0;
const tagStamp = (s: RecordStamps | PushStamps | undefined, t: string) => s?.tags?.[t] ?? 0;
const tagSet = (tags: readonly string[]) => new Set(normaliseTags(tags));

/** Every tag a pair of records mentions, in their lists or in their stamps. */
function tagKeys(
  a: SharedFields | undefined,
  b: SharedFields | undefined,
  ...stamps: (RecordStamps | PushStamps | undefined)[]
): string[] {
  const keys = new Set<string>([...normaliseTags(a?.tags ?? []), ...normaliseTags(b?.tags ?? [])]);
  for (const s of stamps) for (const t of Object.keys(s?.tags ?? {})) keys.add(t);
  return [...keys].sort();
}

/** The parts a writer named as its edits (`fresh`), as sets. */
function freshParts(provided: PushStamps | undefined) {
  return {
    freshFields: new Set<string>(provided?.fresh?.fields ?? []),
    freshTags: new Set(provided?.fresh?.tags ?? []),
  };
}

/** What one write does to a record, as the server saw it. */
export interface StampedWrite {
  /** The record before the write (undefined: a new record). */
  before: { fields: SharedFields; stamps: RecordStamps | null } | undefined;
  /** Its fields after the write. */
  after: SharedFields;
  /** Whether the write created, deleted or revived it. */
  liveChanged: boolean;
  /**
   * Stamps the writer sent: those of the parts it did not edit (kept where later: it restores
   * them after a restore) and the parts it edited (`fresh`); absent from an older client.
   */
  provided?: PushStamps;
}

/**
 * The stamps a record holds after `write`, `next` giving a fresh stamp of the server's clock.
 * A part the writer edited (its `fresh` parts) takes a fresh stamp, even where the server
 * already held that value: the server lost the value the edit replaced, and a machine still
 * holding that one must not bring it back over the edit. Another part the write changed takes
 * the stamp the writer provided for it when that one is later than the stored one (the writer
 * restores a value the server lost, which keeps the time it was first set), else a fresh one;
 * an unchanged part keeps the later of the stored and the provided stamp.
 */
export function stampWrite(write: StampedWrite, next: () => number): RecordStamps {
  const { before, after, provided } = write;
  const old = before?.stamps ?? NO_STAMPS;
  const { freshFields, freshTags } = freshParts(provided);
  // A new record from a writer that names its edits: the other parts are defaults, set by no
  // one (0), so any value stamped elsewhere outlives them.
  const unset = before === undefined && provided !== undefined ? () => 0 : next;
  const pick = (changed: boolean, edited: boolean, stored: number, given: number) =>
    edited ? next() : changed ? (given > stored ? given : unset()) : Math.max(stored, given);
  const fields: RecordStamps['fields'] = {};
  for (const f of STAMPED_FIELDS) {
    const changed = before === undefined || !fieldEquals(f, before.fields[f], after[f]);
    const stamp = pick(changed, freshFields.has(f), fieldStamp(old, f), fieldStamp(provided, f));
    if (stamp > 0) fields[f] = stamp;
  }
  const tags: RecordStamps['tags'] = {};
  const was = tagSet(before?.fields.tags ?? []);
  const now = tagSet(after.tags);
  const keys = new Set([...tagKeys(before?.fields, after, old, provided), ...freshTags]);
  for (const t of [...keys].sort()) {
    const changed = was.has(t) !== now.has(t);
    const stamp = pick(changed, freshTags.has(t), tagStamp(old, t), tagStamp(provided, t));
    if (stamp > 0) tags[t] = stamp;
  }
  pruneTagStamps(tags, now);
  // A creation, deletion or restore is always someone's act: never left unset.
  const givenLive = provided?.live ?? 0;
  const live = write.liveChanged
    ? givenLive > old.live
      ? givenLive
      : next()
    : Math.max(old.live, givenLive);
  return { fields, tags, live };
}

/**
 * Whether a write that changes no value still changes the record's stamps: it edits a part the
 * server already held at that value, or restores a stamp later than the stored one. The server
 * writes it (a new revision, so that other machines learn the stamps) instead of answering it
 * as unchanged.
 */
export function stampsRaised(write: Omit<StampedWrite, 'liveChanged'>): boolean {
  if (write.before === undefined || write.provided === undefined) return false;
  const after = stampWrite({ ...write, liveChanged: false }, () => Number.MAX_SAFE_INTEGER);
  return !sameStamps(after, write.before.stamps ?? NO_STAMPS);
}

/**
 * Whether a write was made from an older copy of the record than the stored one: a part it
 * changes and did not edit (not among its `fresh` parts: its value is the one its copy held,
 * set at the stamp it provides, or at none) whose stamp is not later than the stored part's.
 * The server answers it as a conflict even when its base revision matches: a restored
 * database hands revisions out again, so a writer that saw the lost revision N can name
 * another record's N. Without provided stamps (an older client) nothing is stale.
 */
export function staleWrite(write: Omit<StampedWrite, 'liveChanged'>): boolean {
  const { before, after, provided } = write;
  if (before === undefined || provided === undefined) return false;
  const old = before.stamps ?? NO_STAMPS;
  const { freshFields, freshTags } = freshParts(provided);
  for (const f of STAMPED_FIELDS) {
    if (freshFields.has(f) || fieldEquals(f, before.fields[f], after[f])) continue;
    if (fieldStamp(provided, f) <= fieldStamp(old, f)) return true;
  }
  const was = tagSet(before.fields.tags);
  const now = tagSet(after.tags);
  for (const t of tagKeys(before.fields, after, provided)) {
    if (freshTags.has(t) || was.has(t) === now.has(t)) continue;
    if (tagStamp(provided, t) <= tagStamp(old, t)) return true;
  }
  return false;
}

/**
 * Keeps at most MAX_TAG_STAMPS tag stamps: those of the tags the record has, then the latest
 * removals. An older removal forgotten can only let a restore bring that tag back.
 */
function pruneTagStamps(tags: RecordStamps['tags'], has: ReadonlySet<string>): void {
  const removed = Object.keys(tags).filter((t) => !has.has(t));
  const room = Math.max(0, MAX_TAG_STAMPS - (Object.keys(tags).length - removed.length));
  if (removed.length <= room) return;
  removed.sort((a, b) => tags[b]! - tags[a]!);
  for (const t of removed.slice(room)) delete tags[t];
}

/** True when two stamp sets are equal part by part. */
export function sameStamps(a: RecordStamps | undefined, b: RecordStamps | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.live !== b.live) return false;
  if (STAMPED_FIELDS.some((f) => fieldStamp(a, f) !== fieldStamp(b, f))) return false;
  return tagKeys(undefined, undefined, a, b).every((t) => tagStamp(a, t) === tagStamp(b, t));
}

/** The server's record as this machine takes it (see effectiveRemote). */
export interface EffectiveRemote {
  fields: SharedFields;
  stamps: RecordStamps | undefined;
  /** True when our base held parts later than the server's: the server lost them. */
  behind: boolean;
}

/**
 * The server's fields with every part our base holds at a later stamp put back: the server
 * lost those (restored from a backup), so the base's value is the newer one and stands, and
 * the rest is the server's. With the stamps that go with it (the later of each part) and
 * whether anything was put back. Without stamps on either side, the server's record as it is.
 */
export function effectiveRemote(
  base: SharedFields,
  baseStamps: RecordStamps | undefined,
  remote: SharedFields,
  remoteStamps: RecordStamps | undefined,
): EffectiveRemote {
  if (baseStamps === undefined || remoteStamps === undefined)
    return { fields: remote, stamps: remoteStamps, behind: false };
  let behind = false;
  const fields = { ...remote, tags: [...remote.tags] };
  const stamps: RecordStamps = { fields: {}, tags: {}, live: remoteStamps.live };
  for (const f of STAMPED_FIELDS) {
    const ours = fieldStamp(baseStamps, f);
    const theirs = fieldStamp(remoteStamps, f);
    if (ours > theirs) {
      if (!fieldEquals(f, base[f], remote[f])) {
        (fields as Record<StampedField, unknown>)[f] = base[f];
        behind = true;
      }
      stamps.fields[f] = ours;
    } else if (theirs > 0) stamps.fields[f] = theirs;
  }
  const inBase = tagSet(base.tags);
  const inRemote = tagSet(remote.tags);
  const drop = new Set<string>();
  for (const t of tagKeys(base, remote, baseStamps, remoteStamps)) {
    const ours = tagStamp(baseStamps, t);
    const theirs = tagStamp(remoteStamps, t);
    if (ours > theirs) {
      if (inBase.has(t) !== inRemote.has(t)) {
        behind = true;
        if (inBase.has(t)) fields.tags.push(t);
        else drop.add(t);
      }
      stamps.tags[t] = ours;
    } else if (theirs > 0) stamps.tags[t] = theirs;
  }
  if (drop.size > 0) fields.tags = fields.tags.filter((t) => !drop.has(t.trim()));
  if (behind && base.updated_at > remote.updated_at) fields.updated_at = base.updated_at;
  return { fields, stamps, behind };
}

/**
 * The stamps to send with `local`'s fields when the server may lack our base's values: the
 * base's stamp of every part this machine did not change since it, the base's `live`, and the
 * parts it did change as `fresh` (new edits, stamped afresh by the server even where it holds
 * that value already). The server keeps a provided stamp only where it is later than its own
 * (see stampWrite), so sending them is harmless when it already has them. Undefined without
 * base stamps.
 */
export function pushStamps(
  local: SharedFields,
  base: SharedFields,
  baseStamps: RecordStamps | undefined,
): PushStamps | undefined {
  if (baseStamps === undefined) return undefined;
  const out: PushStamps = { fields: {}, tags: {}, live: baseStamps.live };
  const fresh: { fields: StampedField[]; tags: string[] } = { fields: [], tags: [] };
  for (const f of STAMPED_FIELDS) {
    const stamp = fieldStamp(baseStamps, f);
    if (!fieldEquals(f, local[f], base[f])) fresh.fields.push(f);
    else if (stamp > 0) out.fields![f] = stamp;
  }
  const inLocal = tagSet(local.tags);
  const inBase = tagSet(base.tags);
  for (const t of tagKeys(local, base, baseStamps)) {
    if (inLocal.has(t) !== inBase.has(t)) fresh.tags.push(t);
    else if (tagStamp(baseStamps, t) > 0) out.tags![t] = tagStamp(baseStamps, t);
  }
  if (fresh.fields.length > 0 || fresh.tags.length > 0) out.fresh = fresh;
  return out;
}

/**
 * The parts this machine changed from `base` to the value `theirs` (the server's) holds too:
 * a merge takes them as agreed, and without a note they would go unpushed (see Synced.fresh).
 */
export function absorbedEdits(
  base: SharedFields,
  local: SharedFields,
  theirs: SharedFields,
): FreshParts | undefined {
  const fields = STAMPED_FIELDS.filter(
    (f) => !fieldEquals(f, local[f], base[f]) && fieldEquals(f, local[f], theirs[f]),
  );
  const [inBase, inLocal, inTheirs] = [base, local, theirs].map((x) => tagSet(x.tags)) as [
    Set<string>,
    Set<string>,
    Set<string>,
  ];
  const tags = [...new Set([...inBase, ...inLocal])].filter(
    (t) => inLocal.has(t) !== inBase.has(t) && inLocal.has(t) === inTheirs.has(t),
  );
  return joinFresh(undefined, { fields, tags });
}

/** The parts named in either; undefined when none. */
export function joinFresh(
  a: FreshParts | undefined,
  b: FreshParts | undefined,
): FreshParts | undefined {
  const fields = STAMPED_FIELDS.filter(
    (f) => a?.fields?.includes(f) === true || b?.fields?.includes(f) === true,
  );
  const tags = [...new Set([...(a?.tags ?? []), ...(b?.tags ?? [])])];
  if (fields.length === 0 && tags.length === 0) return undefined;
  return { ...(fields.length > 0 ? { fields } : {}), ...(tags.length > 0 ? { tags } : {}) };
}

/** `stamps` with `fresh`'s parts named fresh too (and no longer sent with a stamp). */
export function withFresh(
  stamps: PushStamps | undefined,
  fresh: FreshParts | undefined,
): PushStamps | undefined {
  if (!stamps || !fresh) return stamps;
  const out: PushStamps = { ...stamps, fields: { ...stamps.fields }, tags: { ...stamps.tags } };
  for (const f of fresh.fields ?? []) delete out.fields![f];
  for (const t of fresh.tags ?? []) delete out.tags![t];
  const joined = joinFresh(stamps.fresh, fresh);
  if (joined) out.fresh = { fields: joined.fields ?? [], tags: joined.tags ?? [] };
  return out;
}

/** The later of a record's `live` stamp and none: 0 for a record without stamps. */
export function liveStamp(stamps: RecordStamps | undefined): number {
  return stamps?.live ?? 0;
}
