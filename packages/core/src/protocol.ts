/**
 * Constants of the sync-v1 protocol (design section 4). Its wire types are in
 * schema/sync.ts; these stay apart so that code which only needs a number does not load
 * TypeBox.
 */

/** Capability name announced in `GET /api/health` when the server speaks this protocol. */
export const SYNC_CAPABILITY = 'sync-v1';

/** Default and maximum page size of the changes feed. */
export const CHANGES_DEFAULT_LIMIT = 500;
export const CHANGES_MAX_LIMIT = 1000;
/** Maximum number of records (and of checkout changes) in one push. */
export const PUSH_MAX_BATCH = 1000;

/**
 * The error `code` of a 409 answer to a push or pull whose machine id the server already knows
 * with another incarnation: two registries (a copied or restored home, a cloned VM) claim one
 * machine id, and the later one must take a new id before it sends anything.
 */
export const MACHINE_INCARNATION_CONFLICT = 'machine-incarnation';
/** Longest incarnation token the server stores (the CLI's are `COUNTER.UUID`). */
export const MACHINE_INCARNATION_MAX = 64;

/**
 * The counter of an incarnation token `COUNTER.UUID` (0 for any other text). Each rotation
 * counts one up, so of two tokens of one registry the later has the higher counter: a server
 * holding a lower one than ours went back (restored from a backup); a higher or equal one that
 * is not ours was written by a copy of this registry.
 */
export function incarnationCounter(token: string): number {
  const m = /^(\d{1,15})\./.exec(token);
  return m ? Number(m[1]) : 0;
}

/**
 * The push's refusal of a deletion of a uuid the server has no record of. For a client that
 * synced the record it means the server lost it (restored from a backup): nothing is left to
 * delete, which the client reports as a note, not a refusal.
 */
export const UNKNOWN_DELETE_ERROR = 'cannot delete a project the server does not know';

/**
 * The push's refusal of fields on a revision of a uuid the server has no record of. For a
 * client that synced the record, the server lost it: it is pushed again as new (same uuid).
 */
export function unknownProjectError(baseRev: number): string {
  return `unknown project (base_rev ${baseRev}, expected 0 for a new one)`;
}

/** Whether a push refusal is unknownProjectError's. */
export const isUnknownProjectError = (error: string): boolean =>
  /^unknown project \(base_rev \d+, expected 0 for a new one\)$/.test(error);

/** The push's refusal of a checkout change for a uuid the server has no record of. */
export const UNKNOWN_CHECKOUT_ERROR = 'unknown project';
