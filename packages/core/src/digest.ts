/**
 * The account digest (issue 13): a count and a hash over every record of an account, the same
 * function on the server (over its rows) and in the CLI (over its remote cache), so the two
 * can tell in one small answer whether the client's view of the account is the server's.
 *
 * Each record contributes one line: uuid, revision, deleted flag, and its shared fields in a
 * fixed order. The fields are there because a database restored from a backup hands out the
 * lost revisions again: another machine's push can give a record the very (uuid, rev) pair a
 * machine saw before the restore, with other content, and a hash over uuid and rev alone
 * would call the two views equal. Checkouts are in it (machine and path): a restore that
 * brings back a checkout a machine had removed must show too.
 */
import { SHARED_FIELD_NAMES } from './project.js';
import type { SharedFields } from './schema/fields.js';

/** What the digest reads of a record. */
export interface DigestRecord {
  uuid: string;
  rev: number;
  deleted: boolean;
  fields: SharedFields;
  /** Which machine holds it where (`last_seen` and the rest are left out: they move alone). */
  checkouts: readonly { machine_id: string; path: string }[];
}

/** The digest of an account: how many records (tombstones too) and a hash over all of them. */
export interface AccountDigest {
  count: number;
  hash: string;
}

/** A hash being fed (node:crypto's `createHash('sha256')` on both sides). */
export interface Hasher {
  update(text: string): unknown;
  digest(encoding: 'hex'): string;
}

/**
 * The line a record contributes: `uuid TAB rev TAB 0|1 TAB [fields in SHARED_FIELD_NAMES
 * order] TAB [[machine_id, path] sorted by machine_id]`.
 */
export function digestLine(record: DigestRecord): string {
  const fields = JSON.stringify(SHARED_FIELD_NAMES.map((f) => record.fields[f]));
  const held = record.checkouts
    .map((c) => [c.machine_id, c.path] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `${record.uuid}\t${record.rev}\t${record.deleted ? 1 : 0}\t${fields}\t${JSON.stringify(held)}\n`;
}

/**
 * The digest of `records` (one per uuid), hashed by `hasher`. Sorted by uuid in code-unit
 * order here, not by the database: SQLite and PostgreSQL collations order text differently.
 */
export function accountDigest(records: Iterable<DigestRecord>, hasher: Hasher): AccountDigest {
  const lines: [string, string][] = [];
  for (const r of records) lines.push([r.uuid, digestLine(r)]);
  lines.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [, line] of lines) hasher.update(line);
  return { count: lines.length, hash: hasher.digest('hex') };
}

/** How two views of an account differ, record by record (after a repair: what it changed). */
export interface DigestDifference {
  /** Records the first view has and the second lacks. */
  onlyFirst: string[];
  onlySecond: string[];
  /** Records in both, with another revision, deleted flag or fields. */
  changed: string[];
}

/** The uuids whose line differs between two views. */
export function digestDifference(
  first: Iterable<DigestRecord>,
  second: Iterable<DigestRecord>,
): DigestDifference {
  const a = new Map<string, string>();
  for (const r of first) a.set(r.uuid, digestLine(r));
  const out: DigestDifference = { onlyFirst: [], onlySecond: [], changed: [] };
  const seen = new Set<string>();
  for (const r of second) {
    seen.add(r.uuid);
    const line = a.get(r.uuid);
    if (line === undefined) out.onlySecond.push(r.uuid);
    else if (line !== digestLine(r)) out.changed.push(r.uuid);
  }
  for (const uuid of a.keys()) if (!seen.has(uuid)) out.onlyFirst.push(uuid);
  return out;
}

/**
 * What a digest answer says of this machine's view after a pull that ended at `pulledHead`:
 * `same`; `moved` when the server's head is past it (a push landed since: pull again, then
 * compare); `differs` when at the same head the records are not the same (a restore or a
 * change behind the server's back: pull everything again and repair).
 */
export function digestVerdict(
  view: AccountDigest,
  answer: AccountDigest & { head: number },
  pulledHead: number,
): 'same' | 'moved' | 'differs' {
  if (answer.head > pulledHead) return 'moved';
  return answer.head === pulledHead && answer.count === view.count && answer.hash === view.hash
    ? 'same'
    : 'differs';
}
