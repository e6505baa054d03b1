/**
 * Upgrades older registry documents to the current version, one step at a time.
 * To add version N+1: bump REGISTRY_VERSION and add `MIGRATIONS[N]` (N -> N+1).
 */
import { type RawDocument, REGISTRY_VERSION } from './format.js';

/** Turns a version-N document into a version-N+1 document (pure; may return a new object). */
export type Migration = (doc: RawDocument) => RawDocument;

/** `MIGRATIONS[n]` upgrades a version-n document to version n+1. Version 1 is the first. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {
  // 1 -> 2: the `sync` slots gain their meaning (sync/state.ts). Version 1 never wrote them,
  // so the step only stamps the version; sync/state.ts ignores a slot of the wrong shape.
  1: (doc) => doc,
};

/** Thrown when no migration path exists (a gap in the list: a bug, not a user error). */
export class MigrationGapError extends Error {}

/** Applies the migrations from `from` up to `target`; the result carries `version: target`. */
export function migrate(
  doc: RawDocument,
  from: number,
  target: number = REGISTRY_VERSION,
  migrations: Readonly<Record<number, Migration>> = MIGRATIONS,
): RawDocument {
  let current = doc;
  for (let v = from; v < target; v++) {
    const step = migrations[v];
    if (!step) throw new MigrationGapError(`no migration from registry version ${v} to ${v + 1}`);
    current = { ...step(current), version: v + 1 };
  }
  return current;
}
