/**
 * The listing, `remote-listing.tsv` next to the remote cache: the rows `list --all` prints for
 * the cache's records, already rendered and sorted, so a repeated `list --all` reads one file
 * and copies its bytes to stdout instead of decoding ten thousand summaries. It is derived
 * data, like git's index: it names the cache state it was built from (inode, size and
 * modification time, as `stat` reports them); a listing that does not match the cache is
 * ignored and rebuilt by the next `list --all`. A pull never writes it, so pulling stays
 * O(changes).
 *
 * Format: a JSON header line; then the index, one fixed-width entry per record sorted by uuid
 * (bytewise), `UUID FLAG OFFSET` + newline, where UUID is padded with spaces to the header's
 * `key_width` bytes, FLAG is `L` (live, held by other machines), `N` (live, held by no other
 * machine) or `D` (deleted), and OFFSET is the start of the record's row (11 digits, from
 * the start of the rows; zero for a deleted record); then the rows, one per live record in
 * name order, each the five tab-separated cells `list --all` prints for a record no local
 * project holds. Fixed-width entries let `list --all` find the few records local projects
 * hold by binary search, without reading the others one by one.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { byName } from '../output/order.js';
import type { RecordSummary } from './cache-format.js';

const LISTING_FORMAT = 'dev-infra remote listing';
const LISTING_VERSION = 1;
const NEWLINE = 0x0a;
const OFFSET_DIGITS = 11;
/** An index entry's bytes besides the uuid: flag, offset, newline. */
const ENTRY_EXTRA = 1 + OFFSET_DIGITS + 1;

interface ListingHeader {
  format: typeof LISTING_FORMAT;
  version: typeof LISTING_VERSION;
  /** The cache state the listing was built from (see `cacheStamp`). */
  cache: string;
  server: string;
  machine: string;
  /** Index entries. */
  records: number;
  /** Bytes of the widest uuid: every index entry's uuid is padded to it. */
  key_width: number;
  /** Bytes of the whole file: a listing cut short (a crash before its data reached the disk) is ignored. */
  bytes: number;
}

/** What a listing must have been built from to be used. */
export interface ListingKey {
  stamp: string;
  server: string;
  machine: string;
}

/** The listing file for a cache file. */
export function listingFileFor(cacheFile: string): string {
  return join(dirname(cacheFile), 'remote-listing.tsv');
}

/** The cache file's identity and version as `stat` sees them; undefined when it is missing. */
export function cacheStamp(cacheFile: string): string | undefined {
  try {
    const s = statSync(cacheFile, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return undefined;
  }
}

/** A cell as the TSV output carries it (no tab or newline inside). */
const cell = (s: string) => s.replace(/[\t\n]/g, ' ');

/** How `list --all` names the other machines holding a record. */
export const joinMachines = (names: readonly string[]) => names.join(', ');

/** The names `joinMachines` joined (none for an empty string). */
export const splitMachines = (machines: string) => (machines === '' ? [] : machines.split(', '));

const NOT_LOCAL = 'not local (';

/** The WHERE cell of a record no local project holds. */
export const notLocal = (machines: string) => `${NOT_LOCAL}${machines || 'server'})`;

/** The remote cell of a row. */
export const remoteCell = (remote: string | null) => remote ?? '(none)';

/** Builds the listing from the cache's summaries (the last summary of each uuid). */
export function encodeListing(summaries: readonly RecordSummary[], key: ListingKey): Buffer {
  const inNameOrder = [...summaries].sort(byName);
  const rowStart = new Map<string, number>();
  const rows: Buffer[] = [];
  let offset = 0;
  for (const s of inNameOrder) {
    if (s.deleted) continue;
    const cells = [
      s.name,
      notLocal(joinMachines(s.elsewhere)),
      s.project_type ?? '',
      s.status,
      remoteCell(s.remote),
    ];
    const row = Buffer.from(`${cells.map(cell).join('\t')}\n`);
    rowStart.set(s.uuid, offset);
    rows.push(row);
    offset += row.length;
  }
  const keys = summaries.map((s) => ({ s, key: Buffer.from(s.uuid) }));
  keys.sort((a, b) => Buffer.compare(a.key, b.key));
  const width = Math.max(0, ...keys.map((k) => k.key.length));
  const index = Buffer.alloc(keys.length * (width + ENTRY_EXTRA), ' ');
  keys.forEach(({ s, key: uuid }, i) => {
    const at = i * (width + ENTRY_EXTRA);
    uuid.copy(index, at);
    const flag = s.deleted ? 'D' : s.elsewhere.length > 0 ? 'L' : 'N';
    const start = String(rowStart.get(s.uuid) ?? 0).padStart(OFFSET_DIGITS, '0');
    index.write(`${flag}${start}\n`, at + width, 'latin1');
  });
  const body = index.length + offset;
  const header = (bytes: number) =>
    Buffer.from(
      `${JSON.stringify({
        format: LISTING_FORMAT,
        version: LISTING_VERSION,
        cache: key.stamp,
        server: key.server,
        machine: key.machine,
        records: keys.length,
        key_width: width,
        bytes,
      } satisfies ListingHeader)}\n`,
    );
  // The header holds the file's length, which includes the header's own.
  let head = header(body);
  for (let guess = head.length; ; guess = head.length) {
    head = header(guess + body);
    if (head.length === guess) break;
  }
  return Buffer.concat([head, index, ...rows]);
}

/** Thrown when an index entry points outside the rows: the listing must be rebuilt. */
export class DamagedListing extends Error {}

/** What the listing holds for one record. */
export interface ListingEntry {
  live: boolean;
  /** Names of the other machines holding it, as `list --all` joins them. */
  machines: string;
  /** Where its row starts and ends in the listing's bytes (live records only). */
  row: { start: number; end: number } | undefined;
}

/** A listing read from disk. */
export class Listing {
  private readonly entry: number;

  constructor(
    /** The whole file. */
    readonly bytes: Buffer,
    /** The index as text, one character per byte, so that offsets are byte offsets. */
    private readonly index: string,
    private readonly width: number,
    /** Where the rows start in `bytes`. */
    readonly rowsStart: number,
  ) {
    this.entry = width + ENTRY_EXTRA;
  }

  /**
   * The record with this uuid, found by binary search; undefined when the cache has none.
   * Throws DamagedListing when its entry is inconsistent.
   */
  find(uuid: string): ListingEntry | undefined {
    const key = Buffer.from(uuid).toString('latin1').padEnd(this.width, ' ');
    if (key.length !== this.width) return undefined;
    let lo = 0;
    let hi = this.index.length / this.entry;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = mid * this.entry;
      const probe = this.index.slice(at, at + this.width);
      if (probe === key) return this.entryAt(at);
      if (probe < key) lo = mid + 1;
      else hi = mid;
    }
    return undefined;
  }

  private entryAt(at: number): ListingEntry {
    const flag = this.index[at + this.width];
    if (flag === 'D') return { live: false, machines: '', row: undefined };
    const offset = Number(this.index.slice(at + this.width + 1, at + this.entry - 1));
    const start = this.rowsStart + offset;
    const end = this.bytes.indexOf(NEWLINE, start) + 1;
    if (!Number.isSafeInteger(offset) || start >= this.bytes.length || end === 0)
      throw new DamagedListing(`listing entry at ${at} points outside the rows`);
    // The WHERE cell reads `not local (MACHINES)`; N marks the records held nowhere else.
    let machines = '';
    if (flag === 'L') {
      const where = this.bytes.toString('utf8', start, end).split('\t')[1] ?? '';
      machines = where.slice(NOT_LOCAL.length, -1);
    }
    return { live: true, machines, row: { start, end } };
  }
}

/** Parses a listing; undefined when it is stale, cut short or of another version. */
export function decodeListing(bytes: Buffer, expected: ListingKey): Listing | undefined {
  const headerEnd = bytes.indexOf(NEWLINE);
  if (headerEnd < 0) return undefined;
  let header: Partial<ListingHeader> | null;
  try {
    header = JSON.parse(bytes.toString('utf8', 0, headerEnd)) as Partial<ListingHeader> | null;
  } catch {
    return undefined;
  }
  if (
    header?.format !== LISTING_FORMAT ||
    header.version !== LISTING_VERSION ||
    header.cache !== expected.stamp ||
    header.server !== expected.server ||
    header.machine !== expected.machine ||
    header.bytes !== bytes.length ||
    !Number.isSafeInteger(header.records) ||
    !Number.isSafeInteger(header.key_width)
  )
    return undefined;
  const width = header.key_width as number;
  const rowsStart = headerEnd + 1 + (header.records as number) * (width + ENTRY_EXTRA);
  if (rowsStart > bytes.length) return undefined;
  // Every row ends with a newline: a file that does not was not written by encodeListing.
  if (rowsStart < bytes.length && bytes[bytes.length - 1] !== NEWLINE) return undefined;
  return new Listing(bytes, bytes.toString('latin1', headerEnd + 1, rowsStart), width, rowsStart);
}

/** Reads the listing if it is there and was built from the cache state `expected` names. */
export function readListing(file: string, expected: ListingKey): Listing | undefined {
  try {
    return decodeListing(readFileSync(file), expected);
  } catch {
    return undefined;
  }
}

/**
 * Writes the listing through a temporary file and a rename, so a reader sees a whole file or
 * none. No fsync: a listing lost in a crash is rebuilt (and its length checked on reading).
 * It is only an accelerator, so when it cannot be written (a read-only home, a full disk)
 * `list --all` still answers; it rebuilds next time.
 */
export function writeListing(file: string, bytes: Buffer): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, bytes);
    renameSync(temp, file);
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Nothing more to do: a stray temporary file is harmless.
    }
  }
}
