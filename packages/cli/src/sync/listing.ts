/**
 * The listing, `remote-listing.tsv` next to the remote cache: the rows `list --all` prints for
 * the cache's records, already rendered and sorted, so a repeated `list --all` reads one file
 * and copies its bytes to stdout instead of decoding ten thousand summaries. It is derived
 * data, like git's index: it names the cache state it was built from (inode, size and
 * modification time, as `stat` reports them); a listing that does not match the cache is
 * ignored and rebuilt by the next `list --all`. A pull never writes it, so pulling stays
 * O(changes).
 *
 * Format: a JSON header line; then the index, one line per record sorted by name,
 * `UUID<TAB>L<TAB>MACHINES` for a live record (MACHINES: the other machines' names as
 * `list --all` joins them) or `UUID<TAB>D` for a deleted one (a local project's `deleted
 * remotely` mark needs it); then the rows, one per live record in the same order, each the
 * five tab-separated cells `list --all` prints for a record no local project holds.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { RecordSummary } from './cache-format.js';

const LISTING_FORMAT = 'dev-infra remote listing';
const LISTING_VERSION = 1;
const NEWLINE = 0x0a;

interface ListingHeader {
  format: typeof LISTING_FORMAT;
  version: typeof LISTING_VERSION;
  /** The cache state the listing was built from (see `cacheStamp`). */
  cache: string;
  server: string;
  machine: string;
  /** Index lines. */
  records: number;
  /** Bytes of the index. */
  index_bytes: number;
  /** Bytes of the whole file: a listing cut short (a crash before its data reached the disk) is ignored. */
  bytes: number;
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

/** The WHERE cell of a record no local project holds. */
export const notLocal = (machines: string) => `not local (${machines || 'server'})`;

/** The remote cell of a row. */
export const remoteCell = (remote: string | null) => remote ?? '(none)';

/** Builds the listing from the cache's summaries (the last summary of each uuid). */
export function encodeListing(summaries: readonly RecordSummary[], key: ListingKey): Buffer {
  const collator = new Intl.Collator();
  const sorted = [...summaries].sort((a, b) => collator.compare(a.name, b.name));
  let index = '';
  let rows = '';
  for (const s of sorted) {
    if (s.deleted) {
      index += `${s.uuid}\tD\n`;
      continue;
    }
    const machines = cell(joinMachines(s.elsewhere));
    index += `${s.uuid}\tL\t${machines}\n`;
    const row = [s.name, notLocal(machines), s.project_type ?? '', s.status, remoteCell(s.remote)];
    rows += `${row.map(cell).join('\t')}\n`;
  }
  const indexBytes = Buffer.from(index);
  const rowBytes = Buffer.from(rows);
  const header = (bytes: number) =>
    Buffer.from(
      `${JSON.stringify({
        format: LISTING_FORMAT,
        version: LISTING_VERSION,
        cache: key.stamp,
        server: key.server,
        machine: key.machine,
        records: sorted.length,
        index_bytes: indexBytes.length,
        bytes,
      } satisfies ListingHeader)}\n`,
    );
  // The header holds the file's length, which includes the header's own.
  const body = indexBytes.length + rowBytes.length;
  let head = header(body);
  for (let guess = head.length; ; guess = head.length) {
    head = header(guess + body);
    if (head.length === guess) break;
  }
  return Buffer.concat([head, indexBytes, rowBytes]);
}

/** A listing read from disk. */
export interface Listing {
  /** The whole file. */
  bytes: Buffer;
  /** The index lines, in name order. */
  index: string[];
  /** Where the rows start in `bytes`. */
  rowsStart: number;
}

/** What a listing must have been built from to be used. */
export interface ListingKey {
  stamp: string;
  server: string;
  machine: string;
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
    typeof header.index_bytes !== 'number'
  )
    return undefined;
  const rowsStart = headerEnd + 1 + header.index_bytes;
  const index = bytes.toString('utf8', headerEnd + 1, rowsStart).split('\n');
  if (index.pop() !== '' || index.length !== header.records) return undefined;
  return { bytes, index, rowsStart };
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
 * Writes the listing atomically. A listing is only an accelerator: when it cannot be written
 * (a read-only home, a full disk) `list --all` still answers, it just rebuilds next time.
 */
export function writeListing(file: string, bytes: Buffer): void {
  try {
    writeFileAtomic.sync(file, bytes, { fsync: false });
  } catch {
    // Deliberately ignored: see above.
  }
}
