/**
 * The listing, `remote-listing.tsv` next to the remote cache: the rows `list --all` prints for
 * the cache's records, already rendered and sorted, so a repeated piped `list --all` reads one
 * file and copies its bytes to stdout instead of decoding ten thousand summaries. It is derived
 * data, like git's index: it names the cache state it was built from (inode, size and
 * modification time, as `stat` reports them); a listing that does not match the cache is
 * ignored and rebuilt by the next `list --all`. A pull never writes it, so pulling stays
 * O(changes).
 *
 * Format: a JSON header line; then the index, one fixed-width entry per record sorted by uuid
 * (bytewise), `UUID FLAG ROW DATA` + newline, where UUID is padded with spaces to the header's
 * `key_width` bytes, FLAG is `L` (live) or `D` (deleted), ROW the start of the record's row
 * (zero for a deleted record) and DATA the start of its summary line (11 digits each, from
 * the start of their sections); then the rows, one per live record in name order, each as a
 * piped `list --all` prints a record no local project holds (`pipedRemoteRow`); then the data,
 * every record's summary as the cache encodes it (`encodeSummary`), one a line, in name order.
 * The rows are only ever copied out, never read back: what a command needs to know of a
 * record (its machines, its state) comes from its summary.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipedRemoteRow } from '../output/list-all-view.js';
import { byName } from '../output/order.js';
import { replacePrivateFile } from '../private-files.js';
import { classifyRow, summaryRecord } from './list-rows.js';
import { decodeSummary, encodeSummary, type RecordSummary } from './record-line.js';

const LISTING_FORMAT = 'dev-infra remote listing';
// 3: rows are stored escaped (safeLine); a version-2 listing may hold raw terminal escapes.
const LISTING_VERSION = 3;
const NEWLINE = 0x0a;
const OFFSET_DIGITS = 11;
/** An index entry's bytes besides the uuid: flag, two offsets, newline. */
const ENTRY_EXTRA = 1 + 2 * OFFSET_DIGITS + 1;

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
  /** Bytes of the rows section: the data section follows it. */
  rows_bytes: number;
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

const offset = (n: number) => String(n).padStart(OFFSET_DIGITS, '0');

/** Builds the listing from the cache's summaries (the last summary of each uuid). */
export function encodeListing(summaries: readonly RecordSummary[], key: ListingKey): Buffer {
  const rowStart = new Map<string, number>();
  const dataStart = new Map<string, number>();
  // Two strings, each turned into one buffer at the end, rather than a buffer per line.
  let rows = '';
  let data = '';
  let rowBytes = 0;
  let dataBytes = 0;
  for (const s of [...summaries].sort(byName)) {
    const row = classifyRow(undefined, summaryRecord(s));
    if (row) {
      const text = pipedRemoteRow(row);
      rowStart.set(s.uuid, rowBytes);
      rows += text;
      rowBytes += Buffer.byteLength(text);
    }
    const line = `${encodeSummary(s)}\n`;
    dataStart.set(s.uuid, dataBytes);
    data += line;
    dataBytes += Buffer.byteLength(line);
  }
  const keys = summaries.map((s) => ({ s, key: Buffer.from(s.uuid) }));
  keys.sort((a, b) => Buffer.compare(a.key, b.key));
  const width = Math.max(0, ...keys.map((k) => k.key.length));
  const index = Buffer.alloc(keys.length * (width + ENTRY_EXTRA), ' ');
  keys.forEach(({ s, key: uuid }, i) => {
    const at = i * (width + ENTRY_EXTRA);
    uuid.copy(index, at);
    const row = rowStart.get(s.uuid);
    const entry = `${row === undefined ? 'D' : 'L'}${offset(row ?? 0)}${offset(dataStart.get(s.uuid) ?? 0)}\n`;
    index.write(entry, at + width, 'latin1');
  });
  const body = index.length + rowBytes + dataBytes;
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
        rows_bytes: rowBytes,
        bytes,
      } satisfies ListingHeader)}\n`,
    );
  // The header holds the file's length, which includes the header's own.
  let head = header(body);
  for (let guess = head.length; ; guess = head.length) {
    head = header(guess + body);
    if (head.length === guess) break;
  }
  return Buffer.concat([head, index, Buffer.from(rows), Buffer.from(data)]);
}

/** Thrown when an index entry or a summary is inconsistent: the listing must be rebuilt. */
export class DamagedListing extends Error {}

interface Span {
  start: number;
  end: number;
}

/** What the listing holds for one record. */
export interface ListingEntry {
  summary: RecordSummary;
  /** Where its row starts and ends in the listing's bytes (live records only). */
  row: Span | undefined;
}

/** A listing read from disk. */
export class Listing {
  private readonly entry: number;

  constructor(
    private readonly bytes: Buffer,
    /** The index as text, one character per byte, so that offsets are byte offsets. */
    private readonly index: string,
    private readonly width: number,
    private readonly rowsStart: number,
    private readonly dataStart: number,
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
      if (probe === key) return this.entryAt(at, uuid);
      if (probe < key) lo = mid + 1;
      else hi = mid;
    }
    return undefined;
  }

  /** The line starting `offset` bytes into the section that starts at `section` and ends at `limit`. */
  private line(section: number, limit: number, digits: string): Span {
    const offset = Number(digits);
    const start = section + offset;
    const end = this.bytes.indexOf(NEWLINE, start) + 1;
    if (!Number.isSafeInteger(offset) || start >= limit || end === 0 || end > limit)
      throw new DamagedListing(`listing entry points outside its section: ${digits}`);
    return { start, end };
  }

  private entryAt(at: number, uuid: string): ListingEntry {
    const flags = at + this.width;
    const live = this.index[flags] === 'L';
    const rowDigits = this.index.slice(flags + 1, flags + 1 + OFFSET_DIGITS);
    const dataDigits = this.index.slice(flags + 1 + OFFSET_DIGITS, at + this.entry - 1);
    const data = this.line(this.dataStart, this.bytes.length, dataDigits);
    const summary = decodeSummary(this.bytes.toString('utf8', data.start, data.end - 1));
    if (summary?.uuid !== uuid || summary.deleted === live)
      throw new DamagedListing(`listing summary of ${uuid} does not match its entry`);
    const row = live ? this.line(this.rowsStart, this.dataStart, rowDigits) : undefined;
    return { summary, row };
  }

  /** The rows, as bytes, with the rows of `cut` taken out. */
  rowsWithout(cut: readonly Span[]): Buffer[] {
    const out: Buffer[] = [];
    let run = this.rowsStart;
    for (const span of [...cut].sort((a, b) => a.start - b.start)) {
      if (span.start > run) out.push(this.bytes.subarray(run, span.start));
      run = Math.max(run, span.end);
    }
    if (this.dataStart > run) out.push(this.bytes.subarray(run, this.dataStart));
    return out;
  }

  /** Every summary, in name order. Throws DamagedListing when one does not decode. */
  summaries(): RecordSummary[] {
    const text = this.bytes.toString('utf8', this.dataStart);
    const lines = text.split('\n');
    lines.pop(); // after the last newline
    return lines.map((line) => {
      const s = decodeSummary(line);
      if (!s) throw new DamagedListing('listing summary does not decode');
      return s;
    });
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
    !Number.isSafeInteger(header.key_width) ||
    !Number.isSafeInteger(header.rows_bytes)
  )
    return undefined;
  const width = header.key_width as number;
  const rowsStart = headerEnd + 1 + (header.records as number) * (width + ENTRY_EXTRA);
  const dataStart = rowsStart + (header.rows_bytes as number);
  if (dataStart > bytes.length) return undefined;
  // Every row and summary ends with a newline: a file that does not was not written by encodeListing.
  if (rowsStart < bytes.length && bytes[bytes.length - 1] !== NEWLINE) return undefined;
  if (dataStart > rowsStart && bytes[dataStart - 1] !== NEWLINE) return undefined;
  return new Listing(
    bytes,
    bytes.toString('latin1', headerEnd + 1, rowsStart),
    width,
    rowsStart,
    dataStart,
  );
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
  try {
    replacePrivateFile(file, bytes);
  } catch {
    // Nothing more to do: the next list --all rebuilds it.
  }
}
