/**
 * The remote cache as the read-only commands see it: its records, its summaries and the rows
 * of `list --all`, whichever files hold them (records.ts: the records and their summaries;
 * listing-file.ts: the rows, rendered and sorted). Sync commands write through `CacheStore`.
 */
import type { Registry } from '../registry/format.js';
import { registrySync } from '../sync/state.js';
import { type ProjectView, projectViews } from '../sync/status-view.js';
import {
  classifyRow,
  fullRecord,
  type ListRow,
  listRows,
  localRows,
  pendingDeletes,
  type RemoteOnlyRows,
  type RowRecord,
  summaryRecord,
} from './list-rows.js';
import {
  cacheStamp,
  DamagedListing,
  decodeListing,
  encodeListing,
  type Listing,
  listingFileFor,
  readListing,
  writeListing,
} from './listing-file.js';
import type { RecordSummary } from './record-line.js';
import { cacheFileFor, type RemoteCache, readCache, readCacheSummaries } from './records.js';

/** The rows of `list --all`. */
export interface ListAllRows {
  /** False when no cache for this server (and, without `--long`, machine) exists yet. */
  known: boolean;
  local: ListRow[];
  remoteOnly: RemoteOnlyRows;
}

/** How the rows are wanted. */
export interface ListAllQuery {
  /** Other machines' paths too (read from the full records). */
  long: boolean;
  /** The remote-only rows may come as the bytes a piped, uncoloured `list --all` prints. */
  piped: boolean;
}

/** Local rows from the listing, and the remote-only ones; undefined when it is damaged. */
export function rowsFromListing(
  registry: Registry,
  listing: Listing,
  piped: boolean,
): { local: ListRow[]; remoteOnly: RemoteOnlyRows } | undefined {
  try {
    const held = new Map<string, RowRecord>();
    const cuts: { start: number; end: number }[] = [];
    for (const p of registry.projects) {
      const entry = listing.find(p.id);
      if (!entry) continue;
      held.set(p.id, summaryRecord(entry.summary));
      if (entry.row) cuts.push(entry.row);
    }
    const deleting = pendingDeletes(registry);
    for (const uuid of deleting) {
      const row = held.has(uuid) ? undefined : listing.find(uuid)?.row;
      if (row) cuts.push(row);
    }
    const remoteOnly: RemoteOnlyRows = piped
      ? { kind: 'piped', bytes: listing.rowsWithout(cuts) }
      : { kind: 'rows', rows: remoteRows(listing.summaries(), held, deleting) };
    return { local: localRows(registry, (uuid) => held.get(uuid)), remoteOnly };
  } catch (error) {
    if (error instanceof DamagedListing) return undefined;
    throw error;
  }
}

/** The rows of summaries (in name order) that no local project holds. */
function remoteRows(
  summaries: readonly RecordSummary[],
  held: ReadonlyMap<string, unknown>,
  deleting: ReadonlySet<string>,
): ListRow[] {
  const rows: ListRow[] = [];
  for (const s of summaries) {
    if (held.has(s.uuid)) continue;
    const row = classifyRow(undefined, summaryRecord(s), deleting.has(s.uuid));
    if (row) rows.push(row);
  }
  return rows;
}

/** The remote cache of the registry at `registryFile`, for the server it syncs with. */
export class RemoteCacheView {
  readonly file: string;
  private readonly server: string | undefined;

  constructor(
    registryFile: string,
    private readonly registry: Registry,
  ) {
    this.file = cacheFileFor(registryFile);
    this.server = registrySync(registry)?.server;
  }

  /** Every record; undefined when there is no cache for this server. */
  records(): RemoteCache | undefined {
    return this.server ? readCache(this.file, this.server) : undefined;
  }

  /** Every project with its sync state (what `--json` prints); `known` as in `ListAllRows`. */
  projectViews(): { views: ProjectView[]; known: boolean } {
    const cache = this.records();
    return { views: projectViews(this.registry, cache), known: cache !== undefined };
  }

  /** The rows of `list --all`: this machine's projects by name, then the others by name. */
  listAll(query: ListAllQuery): ListAllRows {
    if (query.long) {
      const cache = this.records();
      const basic = cache?.protocol === 'basic';
      const machine = this.registry.machine.id;
      const records = (cache?.records ?? []).map((r) => fullRecord(r, machine, basic));
      const rows = listRows(this.registry, records);
      return {
        known: cache !== undefined,
        local: rows.local,
        remoteOnly: { kind: 'rows', rows: rows.remoteOnly },
      };
    }
    const fast = this.server ? this.fromListing(this.server, query.piped) : undefined;
    if (fast) return { known: true, ...fast };
    return {
      known: false,
      local: listRows(this.registry, []).local,
      remoteOnly: { kind: 'rows', rows: [] },
    };
  }

  /**
   * Rows from the listing, which is rebuilt from the cache's summaries when it does not match
   * the cache (the first listing after a pull). Undefined when there is no cache for this
   * server and machine.
   */
  private fromListing(server: string, piped: boolean) {
    const stamp = cacheStamp(this.file);
    if (stamp === undefined) return undefined;
    const key = { stamp, server, machine: this.registry.machine.id };
    const file = listingFileFor(this.file);
    const listing = readListing(file, key);
    const rows = listing && rowsFromListing(this.registry, listing, piped);
    if (rows) return rows;
    const cache = readCacheSummaries(this.file, server, key.machine);
    if (!cache) return undefined;
    const bytes = encodeListing(cache.summaries, key);
    // Kept only if the cache did not change while it was read (a sync running meanwhile).
    if (cacheStamp(this.file) === stamp) writeListing(file, bytes);
    const rebuilt = decodeListing(bytes, key);
    return rebuilt && rowsFromListing(this.registry, rebuilt, piped);
  }
}
