/**
 * `sync --verify`: after the sync, pulls to the head and compares the account's digest with
 * this machine's view (pull.ts checkDigest); a difference is repaired by a full pull and the
 * push it implies, then compared again. The answer says whether the two agree in the end and,
 * after a repair, which records it changed here.
 */
import type { AccountDigest, DigestDifference, Prefer, SyncRecord } from '@dev-infra/core';
import { UserError } from '../errors.js';
import type { SyncClient } from '../remote/sync-client.js';
import { pullSyncV1 } from './pull.js';
import { pushSyncV1 } from './push.js';
import type { DigestCheck, SyncSession } from './session.js';

/** What `--verify` found; part of the report. */
export interface VerifyReport {
  in_sync: boolean;
  /** The two digests at the end (absent when they could not be compared). */
  here?: AccountDigest;
  server?: AccountDigest;
  /** The first difference found, before its repair. */
  differed?: { here: AccountDigest; server: AccountDigest };
  /** After a repair: the records (by name) the full pull found changed, gone or new. */
  repaired?: { changed: string[]; only_here: string[]; only_server: string[] };
  /** Why the two could not be compared. */
  reason?: string;
}

/** A check that found the two views apart. */
type Differs = Extract<DigestCheck, { kind: 'differs' }>;

const REASONS = {
  unverifiable:
    'this machine refused records the server holds (see the note above), so its view cannot match',
  busy: 'the server kept changing while it was compared; run sync --verify again',
} as const;

/**
 * Verifies after a sync: at most two rounds of pull-and-compare, each difference repaired.
 * Throws (exit 2) for a work-prod without the digest.
 */
export async function verifySyncV1(
  client: SyncClient,
  session: SyncSession,
  prefer: Prefer,
): Promise<VerifyReport> {
  let first: Differs | undefined = session.check?.kind === 'differs' ? session.check : undefined;
  for (let round = 0; round < 2; round++) {
    await pullSyncV1(client, session, prefer, { askDigest: true });
    if (session.repair) await pushSyncV1(client, session, prefer);
    if (session.check?.kind !== 'differs') break;
    first ??= session.check;
  }
  const check = session.check;
  if (check?.kind === 'unsupported')
    throw new UserError(
      'sync --verify: this work-prod has no account digest (GET /api/sync/digest); upgrade it',
      2,
    );
  const report: VerifyReport = { in_sync: check?.kind === 'same' };
  if (check?.kind === 'same') {
    report.here = check.digest;
    report.server = check.digest;
  } else if (check?.kind === 'differs') {
    report.here = check.here;
    report.server = check.server;
  } else if (check) report.reason = REASONS[check.kind];
  if (first) report.differed = { here: first.here, server: first.server };
  // The first repair's difference: what this machine's view had wrong.
  const { repaired } = session;
  if (first && repaired) report.repaired = named(repaired.difference, repaired.before, session);
  return report;
}

/** The uuids of a difference as the names the records carry (before or after the repair). */
function named(d: DigestDifference, before: readonly SyncRecord[], session: SyncSession) {
  const old = new Map(before.map((r) => [r.uuid, r.fields.name]));
  const index = session.cache.index();
  const name = (uuid: string) => index.get(uuid)?.fields.name ?? old.get(uuid) ?? uuid;
  return {
    changed: d.changed.map(name),
    only_here: d.onlyFirst.map(name),
    only_server: d.onlySecond.map(name),
  };
}

/** The human lines of a verify report (names come from the server: escaped by the caller). */
export function renderVerify(v: VerifyReport): string[] {
  const lines: string[] = [];
  const short = (d: AccountDigest) => `${d.count} records, digest ${d.hash.slice(0, 12)}`;
  if (v.differed)
    lines.push(
      `verify: the server's records differed from this machine's view (server ${short(v.differed.server)}; here ${short(v.differed.here)}); repaired by a full pull`,
    );
  if (v.repaired) {
    const { changed, only_here, only_server } = v.repaired;
    if (changed.length > 0) lines.push(`  changed on the server: ${changed.join(', ')}`);
    if (only_here.length > 0) lines.push(`  gone from the server: ${only_here.join(', ')}`);
    if (only_server.length > 0) lines.push(`  new from the server: ${only_server.join(', ')}`);
  }
  if (v.in_sync && v.here) lines.push(`verify: in sync with work-prod (${short(v.here)})`);
  else if (v.reason) lines.push(`verify: could not compare: ${v.reason}`);
  else if (v.here && v.server)
    lines.push(
      `verify: still differs after the repair (server ${short(v.server)}; here ${short(v.here)})`,
    );
  return lines;
}
