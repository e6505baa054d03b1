/**
 * The remote cache, `remote-cache.jsonl` next to registry.json: everything the server told this
 * machine, for `list --all`, `status --offline` and `clone` (no network); never read by plain
 * `list`. Line format in record-line.ts.
 *
 * A pull appends the records it received, so its cost follows the changes, not the account;
 * the full records are only read when a command needs them (linking, pushing, basic mode).
 * The file is rewritten compact at the end of a command once it has grown past twice its last
 * whole size. Writes happen under the registry's lock and before the registry, whose cursor
 * says how far the cache is known to be whole: after a crash between the two, the rerun
 * fetches the same page again (duplicates are harmless: later lines win). A torn last line
 * (a crash mid-append) is skipped on reading and closed off before the next append.
 */
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SyncRecord } from '@dev-infra/core';
import writeFileAtomic from 'write-file-atomic';
import { PRIVATE_FILE } from '../private-files.js';
import type { RemoteProtocol } from '../remote/capabilities.js';
import {
  CACHE_FORMAT,
  CACHE_VERSION,
  type CacheHeader,
  decodeHeader,
  decodeRecord,
  decodeSummary,
  encodeHeader,
  encodeRecord,
  type RecordSummary,
} from './record-line.js';

/** Appends beyond this (on top of twice the last whole size) compact the file. */
const COMPACT_SLACK = 1 << 20;
const NEWLINE = 0x0a;
const TAB = 0x09;

/** The full records of the cache, as commands that need them read it. */
export interface RemoteCache {
  server: string;
  protocol: RemoteProtocol;
  records: SyncRecord[];
}

/** The cache file for a registry file. */
export function cacheFileFor(registryFile: string): string {
  return join(dirname(registryFile), 'remote-cache.jsonl');
}

/** The cache file of versions before 0.2 (one JSON document), removed on the next rewrite. */
function legacyCacheFile(cacheFile: string): string {
  return join(dirname(cacheFile), 'remote.json');
}

function matches(header: CacheHeader | undefined, server?: string): header is CacheHeader {
  return header !== undefined && (server === undefined || header.server === server);
}

/** The header of the cache file, reading only its first line. */
export function readCacheHeader(file: string): CacheHeader | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const end = buf.subarray(0, n).indexOf(NEWLINE);
    return end < 0 ? undefined : decodeHeader(buf.toString('utf8', 0, end));
  } finally {
    closeSync(fd);
  }
}

/** The file whose presence says the cache beside it holds a line that could not be read. */
export function damageMarker(file: string): string {
  return `${file}.damaged`;
}

/**
 * Marks the cache for a rebuild by the next sync (a full pull): a damaged line is dropped by
 * every reader, but the record it held would otherwise stay missing until it next changes.
 */
function noteDamage(file: string): void {
  try {
    writeFileSync(damageMarker(file), '', { mode: PRIVATE_FILE });
  } catch {
    // A read-only home: the reader still works, and finds the damage again next time.
  }
}

/**
 * Reads the file and calls `onLine(buf, start, tab, end)` for each record line after the
 * header; `onLine` answers false for a line it could not read, and any such line marks the
 * cache for a rebuild. Undefined when the file is missing or not a cache for `server`.
 */
function scanLines(
  file: string,
  server: string | undefined,
  onLine: (buf: Buffer, start: number, tab: number, end: number) => boolean,
): CacheHeader | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return undefined;
  }
  let end = buf.indexOf(NEWLINE);
  let damaged = false;
  const header = end < 0 ? undefined : decodeHeader(buf.toString('utf8', 0, end));
  if (!matches(header, server)) return undefined;
  for (let start = end + 1; start < buf.length; start = end + 1) {
    end = buf.indexOf(NEWLINE, start);
    if (end < 0) break; // a torn last line
    const tab = buf.indexOf(TAB, start);
    if (!(tab > start && tab < end && onLine(buf, start, tab, end))) damaged = true;
  }
  if (damaged) noteDamage(file);
  return header;
}

/** Reads every record (the last line of each uuid wins); undefined when there is no cache. */
export function readCache(file: string, server?: string): RemoteCache | undefined {
  const byUuid = new Map<string, SyncRecord>();
  const header = scanLines(file, server, (buf, _start, tab, end) => {
    const record = decodeRecord(buf.toString('utf8', tab + 1, end));
    if (record) byUuid.set(record.uuid, record);
    return record !== undefined;
  });
  if (!header) return undefined;
  return { server: header.server, protocol: header.protocol, records: [...byUuid.values()] };
}

/**
 * Reads only the records' summaries (what `list --all` shows): much less to parse. Undefined
 * when there is no cache, or its summaries were made for another machine id.
 */
export function readCacheSummaries(
  file: string,
  server: string,
  machineId: string,
): { protocol: RemoteProtocol; summaries: RecordSummary[] } | undefined {
  const byUuid = new Map<string, RecordSummary>();
  const header = scanLines(file, server, (buf, start, tab) => {
    const summary = decodeSummary(buf.toString('utf8', start, tab));
    if (summary) byUuid.set(summary.uuid, summary);
    return summary !== undefined;
  });
  if (!header || header.machine !== machineId) return undefined;
  return { protocol: header.protocol, summaries: [...byUuid.values()] };
}

/** Appends records, closing off a torn last line first; fsynced. */
async function appendRecords(
  file: string,
  records: Iterable<SyncRecord>,
  machineId: string,
): Promise<number> {
  const handle = await open(file, 'a+', PRIVATE_FILE);
  try {
    // A cache from an older version may be 0644; appending is the moment to close it too.
    await handle.chmod(PRIVATE_FILE);
    const { size } = await handle.stat();
    const last = Buffer.alloc(1);
    if (size > 0) await handle.read(last, 0, 1, size - 1);
    let text = size > 0 && last[0] !== NEWLINE ? '\n' : '';
    for (const r of records) text += encodeRecord(r, machineId);
    await handle.write(text);
    await handle.sync();
    return size + Buffer.byteLength(text);
  } finally {
    await handle.close();
  }
}

/** Overwrites the header in place (it has a fixed length); fsynced. */
async function rewriteHeader(file: string, header: CacheHeader): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.write(encodeHeader(header), 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The cache's records by uuid (a live view: `put` also reaches the file on the next flush). */
export class RecordIndex {
  private readonly byUuid = new Map<string, SyncRecord>();
  constructor(
    records: readonly SyncRecord[],
    private readonly onPut: (record: SyncRecord) => void = () => {},
  ) {
    for (const r of records) this.byUuid.set(r.uuid, r);
  }

  /** The record for `uuid`, if the server sent one. */
  get(uuid: string): SyncRecord | undefined {
    return this.byUuid.get(uuid);
  }

  /** Adds or replaces a record. */
  put(record: SyncRecord): void {
    this.byUuid.set(record.uuid, record);
    this.onPut(record);
  }

  /** Every record. */
  all(): SyncRecord[] {
    return [...this.byUuid.values()];
  }
}

/**
 * One command's handle on the cache (under the registry's lock): records put are appended on
 * `flush`; the full records are read only when `index()` is first called.
 */
export class CacheStore {
  private header: CacheHeader | undefined;
  private loaded: RecordIndex | undefined;
  private readonly pending = new Map<string, SyncRecord>();
  /** The file must be written whole (new, another server's, or replaced by basic mode). */
  private rewrite: boolean;
  /** Uuids appended since the file was written whole in this command, to tell if any repeats. */
  private appended: Set<string> | undefined;
  private repeats = false;
  /** The file's size after this command's last append. */
  private appendedSize: number | undefined;

  /** Opens the cache of `server` for machine `machineId` (reading its header only). */
  constructor(
    readonly file: string,
    readonly server: string,
    readonly protocol: RemoteProtocol,
    readonly machineId: string,
  ) {
    const header = readCacheHeader(file);
    // A damaged cache counts as none: the sync pulls everything again and writes it whole.
    const ours =
      header?.server === server &&
      header.protocol === protocol &&
      header.machine === machineId &&
      !existsSync(damageMarker(file));
    this.header = ours ? header : undefined;
    this.rewrite = this.header === undefined;
  }

  /** True when the file held nothing for this server and protocol: a full pull is needed. */
  get fresh(): boolean {
    return this.header === undefined;
  }

  /** Every record, read from the file on first use. */
  index(): RecordIndex {
    if (!this.loaded) {
      const onFile = this.header ? (readCache(this.file, this.server)?.records ?? []) : [];
      // Records put before are already queued for the file: they join the index unqueued.
      this.loaded = new RecordIndex([...onFile, ...this.pending.values()], (r) => this.queue(r));
    }
    return this.loaded;
  }

  /** Adds or replaces a record without reading the file. */
  put(record: SyncRecord): void {
    if (this.loaded) this.loaded.put(record);
    else this.queue(record);
  }

  /** Replaces every record (basic mode: the server's full list). */
  replaceAll(records: readonly SyncRecord[]): void {
    this.pending.clear();
    this.loaded = new RecordIndex(records, (r) => this.queue(r));
    this.rewrite = true;
  }

  private queue(record: SyncRecord): void {
    this.pending.delete(record.uuid); // re-insert so the file keeps the order of the puts
    this.pending.set(record.uuid, record);
  }

  /**
   * Writes what was put since the last flush. `final` (the command's last flush) also
   * compacts a file that has grown past twice its last whole size.
   */
  async flush(final: boolean): Promise<void> {
    if (this.rewrite) {
      await this.writeWhole();
    } else if (this.pending.size > 0) {
      for (const uuid of this.pending.keys()) {
        if (this.appended?.has(uuid)) this.repeats = true;
        this.appended?.add(uuid);
      }
      this.appendedSize = await appendRecords(this.file, this.pending.values(), this.machineId);
      this.pending.clear();
    }
    if (!final || !this.header || this.appendedSize === undefined) return;
    if (this.appended && !this.repeats) {
      // Written whole by this command and appended without repeats (a first pull): no line
      // is stale, so the file counts as whole at this size.
      this.header = { ...this.header, base_bytes: this.appendedSize };
      await rewriteHeader(this.file, this.header);
    } else if (this.appendedSize > 2 * this.header.base_bytes + COMPACT_SLACK) {
      await this.writeWhole();
    }
    this.appendedSize = undefined;
  }

  private async writeWhole(): Promise<void> {
    const wasLoaded = this.loaded !== undefined;
    const records = this.index().all();
    const header: CacheHeader = {
      format: CACHE_FORMAT,
      version: CACHE_VERSION,
      server: this.server,
      protocol: this.protocol,
      machine: this.machineId,
      base_bytes: 0,
    };
    const lines = records.map((r) => encodeRecord(r, this.machineId));
    // The header's length does not depend on base_bytes (see encodeHeader).
    header.base_bytes = lines.reduce(
      (n, l) => n + Buffer.byteLength(l),
      Buffer.byteLength(encodeHeader(header)),
    );
    await writeFileAtomic(this.file, encodeHeader(header) + lines.join(''), {
      mode: PRIVATE_FILE,
      fsync: true,
    });
    rmSync(legacyCacheFile(this.file), { force: true });
    rmSync(damageMarker(this.file), { force: true });
    this.header = header;
    this.pending.clear();
    this.rewrite = false;
    this.appended = new Set(records.map((r) => r.uuid));
    this.repeats = false;
    this.appendedSize = undefined;
    // Nobody needed the records: let them go (a first pull would otherwise hold the account).
    if (!wasLoaded) this.loaded = undefined;
  }
}
