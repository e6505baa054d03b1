/**
 * The server's clock for record stamps (core's stamps.ts) and the stamps column: reading it,
 * and the stamps a write leaves. Stamps are microseconds since 1970 from the wall clock, kept
 * rising within the process, and a write's fresh stamps are past every stamp the record held,
 * so a part set now stamps later than the one it replaces even when the wall clock was set
 * back or a restored database holds stamps from a clock ahead of this one.
 */
import { type PushStamps, type RecordStamps, type StampedWrite, stampWrite } from '@dev-infra/core';

let last = 0;

/** The clock's current reading, not taken (a fresh stamp is later). */
export function clockNow(): number {
  return Math.max(Date.now() * 1000, last);
}

/** A fresh stamp, later than `floor` and every stamp handed out before. */
function tick(floor: number): number {
  last = Math.max(Date.now() * 1000, last + 1, floor + 1);
  return last;
}

/** A stored stamps column as core's RecordStamps; null for a record written before stamps. */
export function readStamps(text: string | null | undefined): RecordStamps | null {
  if (text === null || text === undefined) return null;
  return JSON.parse(text) as RecordStamps;
}

/** The latest stamp of a record. */
function latestStamp(stamps: RecordStamps | null): number {
  if (stamps === null) return 0;
  return Math.max(stamps.live, ...Object.values(stamps.fields), ...Object.values(stamps.tags));
}

/**
 * A writer's provided stamps with each one past the server's clock brought back to it: only
 * this server hands stamps out, so one from the future is a bug or a forgery, and left alone
 * it would make the writer's value outlive every later edit.
 */
export function boundStamps(provided: PushStamps): PushStamps {
  const limit = clockNow();
  const bound = (s: number) => Math.min(s, limit);
  const out: PushStamps = {};
  if (provided.fields)
    out.fields = Object.fromEntries(
      Object.entries(provided.fields).map(([f, s]) => [f, bound(s)]),
    ) as PushStamps['fields'];
  if (provided.tags)
    out.tags = Object.fromEntries(Object.entries(provided.tags).map(([t, s]) => [t, bound(s)]));
  if (provided.live !== undefined) out.live = bound(provided.live);
  if (provided.fresh) out.fresh = provided.fresh;
  return out;
}

/**
 * The stamps `write` leaves on its record (see core's stampWrite), stamped on this clock:
 * every part it sets afresh takes one stamp, the write's.
 */
export function stampsAfter(write: StampedWrite): RecordStamps {
  let fresh: number | undefined;
  const floor = latestStamp(write.before?.stamps ?? null);
  return stampWrite(write, () => {
    fresh ??= tick(floor);
    return fresh;
  });
}
