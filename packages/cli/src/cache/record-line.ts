/**
 * The remote cache's line format (no I/O). The file is a log: a header line, then one line per
 * record the server sent, later lines winning. A record line is `SUMMARY<TAB>RECORD`: the
 * summary holds what `list --all` shows, so listing never parses the full records (the slow
 * part with tens of thousands of them). JSON never contains a raw tab, so the split is exact.
 */
import { isSyncRecord, normaliseRemoteUrl, type SyncRecord, validateName } from '@dev-infra/core';
import type { RemoteProtocol } from '../remote/capabilities.js';

/** Marks the header line and its format version. */
export const CACHE_FORMAT = 'dev-infra remote cache';
export const CACHE_VERSION = 2;

/** The first line of the file. */
export interface CacheHeader {
  format: typeof CACHE_FORMAT;
  version: typeof CACHE_VERSION;
  server: string;
  protocol: RemoteProtocol;
  /** The machine whose view the summaries hold (they leave its own checkout out). */
  machine: string;
  /** The file's size when it was last written whole: appends beyond twice this compact it. */
  base_bytes: number;
}

/** What `list --all` needs of a record. */
export interface RecordSummary {
  uuid: string;
  seq: number;
  deleted: boolean;
  name: string;
  project_type: string | null;
  status: string;
  /** The normalised remote URL (display form), or null. */
  remote: string | null;
  /** Names of the other machines holding a checkout (the header's machine left out). */
  elsewhere: string[];
}

type EncodedSummary = [
  string,
  number,
  0 | 1,
  string,
  string | null,
  string,
  string | null,
  string[],
];

/** The summary of a record, as machine `machineId` lists it. */
export function summarise(record: SyncRecord, machineId: string): RecordSummary {
  const f = record.fields;
  return {
    uuid: record.uuid,
    seq: record.seq,
    deleted: record.deleted,
    name: f.name,
    project_type: f.project_type,
    status: f.status,
    remote: normaliseRemoteUrl(f.remote_url),
    elsewhere: record.checkouts
      .filter((c) => c.machine_id !== machineId)
      .map((c) => c.machine_name),
  };
}

/**
 * A summary as one line of JSON (no newline), the form both the cache's record lines and the
 * listing's data section hold: an array, so that field names are not repeated 10,000 times.
 */
export function encodeSummary(s: RecordSummary): string {
  const summary: EncodedSummary = [
    s.uuid,
    s.seq,
    s.deleted ? 1 : 0,
    s.name,
    s.project_type,
    s.status,
    s.remote,
    s.elsewhere,
  ];
  return JSON.stringify(summary);
}

/** One record as a line (with its newline), summarised for machine `machineId`. */
export function encodeRecord(record: SyncRecord, machineId: string): string {
  return `${encodeSummary(summarise(record, machineId))}\t${JSON.stringify(record)}\n`;
}

/** Room for `base_bytes`, so the header can be rewritten in place with the same length. */
const BASE_BYTES_WIDTH = 16;

/**
 * The header line (with its newline). `base_bytes` comes last, padded with spaces (valid JSON
 * whitespace), so every header of a file has the same length and can be overwritten in place.
 */
export function encodeHeader(header: CacheHeader): string {
  const { base_bytes, ...rest } = header;
  const head = JSON.stringify({ ...rest, base_bytes: 0 }).slice(0, -2);
  return `${head}${String(base_bytes).padEnd(BASE_BYTES_WIDTH)}}\n`;
}

/** Parses a header line; undefined when it is not one of this version. */
export function decodeHeader(line: string): CacheHeader | undefined {
  try {
    const h = JSON.parse(line) as Partial<CacheHeader> | null;
    if (h?.format !== CACHE_FORMAT || h.version !== CACHE_VERSION) return undefined;
    if (typeof h.server !== 'string' || typeof h.machine !== 'string') return undefined;
    if (typeof h.base_bytes !== 'number') return undefined;
    if (h.protocol !== 'sync-v1' && h.protocol !== 'basic') return undefined;
    return h as CacheHeader;
  } catch {
    return undefined;
  }
}

const isText = (v: unknown): v is string => typeof v === 'string';
const isTextOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

/**
 * Parses what `encodeSummary` wrote; undefined for a torn or foreign line. Checked by hand,
 * not by a schema: the summary is this cache's own tuple, never a wire type, written only
 * from a record that passed SyncRecordSchema, and `list --all` decodes thousands of them.
 */
export function decodeSummary(text: string): RecordSummary | undefined {
  try {
    const a: unknown = JSON.parse(text);
    if (
      !Array.isArray(a) ||
      !isText(a[0]) ||
      typeof a[1] !== 'number' ||
      (a[2] !== 0 && a[2] !== 1) ||
      !isText(a[3]) ||
      !isTextOrNull(a[4]) ||
      !isText(a[5]) ||
      !isTextOrNull(a[6]) ||
      !Array.isArray(a[7]) ||
      !a[7].every(isText)
    )
      return undefined;
    return {
      uuid: a[0],
      seq: a[1],
      deleted: a[2] === 1,
      name: a[3],
      project_type: a[4],
      status: a[5],
      remote: a[6],
      elsewhere: a[7],
    };
  } catch {
    return undefined;
  }
}

/**
 * Parses the record part of a record line; undefined for a torn or foreign line, and for a
 * record that does not match SyncRecordSchema (dropped like a torn line: returned, it would
 * break whichever command reads that field later; the next pull's data rebuilds it). The name
 * is checked as a local name too: `clone` makes a folder of it.
 */
export function decodeRecord(text: string): SyncRecord | undefined {
  try {
    const r: unknown = JSON.parse(text);
    return isSyncRecord(r) && validateName(r.fields.name) === undefined ? r : undefined;
  } catch {
    return undefined;
  }
}
