/**
 * The sync-v1 wire protocol between dev-infra and work-prod (design section 4).
 * Both programs import these types so the contract has one definition.
 */
import type { SharedFields } from './project.js';

/** Capability name announced in `GET /api/health` when the server speaks this protocol. */
export const SYNC_CAPABILITY = 'sync-v1';

/** `GET /api/health` response. `capabilities` is absent on a plain (basic) work-prod. */
export interface HealthResponse {
  status: string;
  message: string;
  capabilities?: string[];
  version?: string;
}

/** A machine as the client names itself in a push. */
export interface MachineRef {
  /** A uuid made once per machine. */
  id: string;
  /** Hostname unless the user set a name. */
  name: string;
}

/** Where one machine holds a checkout of a project. */
export interface Checkout {
  machine_id: string;
  machine_name: string;
  path: string;
  /** ISO 8601, when this machine last reported the checkout. */
  last_seen: string;
}

/** One project as the server holds it, as sent in the changes feed and in conflicts. */
export interface SyncRecord {
  uuid: string;
  /** Revision of the last change to the shared fields or deletion: the compare-and-swap value. */
  rev: number;
  /** Revision of the last change of any kind (fields, deletion, checkouts): the feed's order. */
  seq: number;
  deleted: boolean;
  /** The shared fields; on a tombstone, the last fields it had. */
  fields: SharedFields;
  checkouts: Checkout[];
}

/**
 * `GET /api/sync/changes?since=REV&limit=N[&machine_id=ID&machine_name=NAME]` response.
 * The optional machine parameters let the server record the puller's last sync time.
 */
export interface ChangesResponse {
  /** Records with `seq` above `since`, in `seq` order. */
  changes: SyncRecord[];
  /** The cursor to pass as `since` next time (the last record's `seq`, or `since` when empty). */
  next: number;
  /** True when more changes remain past `next`. */
  more: boolean;
  /** The account's current revision. */
  head: number;
}

/** Default and maximum page size of the changes feed. */
export const CHANGES_DEFAULT_LIMIT = 500;
export const CHANGES_MAX_LIMIT = 1000;
/** Maximum number of records (and of checkout changes) in one push. */
export const PUSH_MAX_BATCH = 1000;

/** A record change in a push: new fields (`base_rev` 0 for a new project) or a deletion. */
export type PushChange =
  | { uuid: string; base_rev: number; fields: SharedFields }
  | { uuid: string; base_rev: number; deleted: true };

/** A change to the pushing machine's own checkout of a project. */
export type CheckoutChange = { uuid: string; path: string } | { uuid: string; removed: true };

/** `POST /api/sync/push` body. */
export interface PushRequest {
  machine: MachineRef;
  changes: PushChange[];
  checkouts?: CheckoutChange[];
}

/** The outcome of one record in a push. */
export type PushResult =
  | { uuid: string; status: 'applied'; rev: number; seq: number }
  | { uuid: string; status: 'conflict'; current: SyncRecord }
  | { uuid: string; status: 'rejected'; error: string };

/** The outcome of one checkout change in a push. */
export type CheckoutResult =
  | { uuid: string; status: 'applied'; seq: number }
  | { uuid: string; status: 'rejected'; error: string };

/** `POST /api/sync/push` response. */
export interface PushResponse {
  results: PushResult[];
  checkouts: CheckoutResult[];
  head: number;
}

/** A machine of the account, as `GET /api/machines` lists it. */
export interface MachineInfo {
  id: string;
  name: string;
  /** ISO 8601 of the last push or pull, or null if never. */
  last_sync: string | null;
  checkouts: number;
}

/** `GET /api/machines` response. */
export interface MachinesResponse {
  machines: MachineInfo[];
}

/** Every error response body, from every route. */
export interface ErrorResponse {
  error: string;
}
