/** The remote cache file: an append-only log with a summary per line, compacted when it grows. */
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncRecord } from '@dev-infra/core';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import { encodeHeader, summarise } from '../../src/cache/record-line.js';
import {
  CacheStore,
  cacheFileFor,
  readCache,
  readCacheHeader,
  readCacheSummaries,
} from '../../src/cache/records.js';
import { sharedFields } from '../../src/sync/state.js';
import { sampleProject } from '../support/fixtures.js';

afterAll(removeTempDirs);

const SERVER = 'http://127.0.0.1:1';
const ME = 'm-laptop';

function record(i: number, over: Partial<SyncRecord> = {}): SyncRecord {
  const fields = sharedFields(
    sampleProject({
      id: `p${i}`,
      name: `proj-${i}`,
      // A tab and a newline in a field must not break the line format.
      description: `line one\tand\nline two of ${i}`,
      remote_url: `git@github.com:acme/proj-${i}.git`,
    }),
  );
  return {
    uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    rev: 1,
    seq: i,
    deleted: false,
    fields,
    checkouts: [
      { machine_id: 'm-desk', machine_name: 'desk', path: `/d/proj-${i}`, last_seen: 'x' },
      { machine_id: ME, machine_name: 'laptop', path: `/l/proj-${i}`, last_seen: 'x' },
    ],
    ...over,
  };
}

/**
 * A record with a 10 KB checkout path on another machine, so that a few puts make megabytes
 * (the path, unlike the description, has no limit in SyncRecordSchema, which the cache checks).
 */
const big = (i: number, seq: number) =>
  record(i, {
    seq,
    checkouts: [
      {
        machine_id: 'm-desk',
        machine_name: 'desk',
        path: `/${seq}`.padEnd(10_000, '.'),
        last_seen: 'x',
      },
    ],
  });
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

const cacheFile = () => cacheFileFor(join(makeTempDir('dev-infra-cache-'), 'registry.json'));
const lineCount = (file: string) => readFileSync(file, 'utf8').split('\n').length - 1;

describe('the remote cache', () => {
  it('returns what was put, the last put of a uuid winning, with matching summaries', async () => {
    const file = cacheFile();
    const store = new CacheStore(file, SERVER, 'sync-v1', ME);
    expect(store.fresh).toBe(true);
    for (let i = 1; i <= 3; i++) store.put(record(i));
    await store.flush(false);
    const edited = record(2, { rev: 2, seq: 4, fields: { ...record(2).fields, status: 'paused' } });
    const reopened = new CacheStore(file, SERVER, 'sync-v1', ME);
    expect(reopened.fresh).toBe(false);
    reopened.put(edited);
    await reopened.flush(true);
    const all = readCache(file, SERVER)!.records;
    expect(all).toEqual([record(1), edited, record(3)]);
    expect(readCacheSummaries(file, SERVER, ME)!.summaries).toEqual(
      all.map((r) => summarise(r, ME)),
    );
    // Summaries are made for one machine: another reads none (and falls back to full records).
    expect(readCacheSummaries(file, SERVER, 'm-other')).toBeUndefined();
    expect(summarise(edited, ME)).toMatchObject({
      name: 'proj-2',
      status: 'paused',
      remote: 'github.com/acme/proj-2',
      elsewhere: ['desk'],
    });
  });

  it('keeps machine names as data, whatever they contain', async () => {
    const names = ['a, b', 'tab\there', 'new\nline', 'c'];
    const held = record(1, {
      checkouts: names.map((machine_name, i) => ({
        machine_id: `m-${i}`,
        machine_name,
        path: `/${i}`,
        last_seen: 'x',
      })),
    });
    const file = cacheFile();
    const store = new CacheStore(file, SERVER, 'sync-v1', ME);
    store.put(held);
    await store.flush(true);
    expect(readCacheSummaries(file, SERVER, ME)!.summaries[0]!.elsewhere).toEqual(names);
    expect(readCache(file, SERVER)!.records).toEqual([held]);
  });

  it('belongs to one server and protocol: another reads as no cache and is replaced whole', async () => {
    const file = cacheFile();
    const a = new CacheStore(file, SERVER, 'sync-v1', ME);
    a.put(record(1));
    await a.flush(true);
    expect(readCache(file, 'http://other')).toBeUndefined();
    const b = new CacheStore(file, 'http://other', 'sync-v1', ME);
    expect(b.fresh).toBe(true);
    expect(b.index().all()).toEqual([]);
    expect(new CacheStore(file, SERVER, 'basic', ME).fresh).toBe(true);
    b.put(record(7));
    await b.flush(false);
    expect(readCache(file)!.records).toEqual([record(7)]);
    expect(readCacheHeader(file)!.server).toBe('http://other');
  });

  it('skips a torn last line, and the next append does not lose its first record', async () => {
    const file = cacheFile();
    const store = new CacheStore(file, SERVER, 'sync-v1', ME);
    store.put(record(1));
    await store.flush(false);
    appendFileSync(file, '["00000000-0000-4000-8000-00000000000'); // a crash mid-append
    expect(readCache(file, SERVER)!.records).toEqual([record(1)]);
    const next = new CacheStore(file, SERVER, 'sync-v1', ME);
    next.put(record(2));
    await next.flush(false);
    expect(readCache(file, SERVER)!.records).toEqual([record(1), record(2)]);
    expect(readCacheSummaries(file, SERVER, ME)!.summaries.map((s) => s.name)).toEqual([
      'proj-1',
      'proj-2',
    ]);
  });

  it('counts a first fill without repeats as whole (header rewritten in place)', async () => {
    const file = cacheFile();
    const store = new CacheStore(file, SERVER, 'sync-v1', ME);
    for (let page = 0; page < 3; page++) {
      for (let i = 1; i <= 50; i++) store.put(record(page * 50 + i));
      await store.flush(false);
    }
    await store.flush(true);
    const header = readCacheHeader(file)!;
    expect(header.base_bytes).toBe(statSync(file).size);
    // The header kept its length, so the first record line is intact.
    expect(readCache(file, SERVER)!.records).toHaveLength(150);
  });

  it('compacts at the end of a command once appends pass twice the whole size', async () => {
    const file = cacheFile();
    const first = new CacheStore(file, SERVER, 'sync-v1', ME);
    for (let i = 1; i <= 20; i++) first.put(big(i, 0));
    await first.flush(true);
    // Commands that each receive the 20 records again (edited elsewhere): 200 KB appended each.
    for (let seq = 1; ; seq++) {
      const store = new CacheStore(file, SERVER, 'sync-v1', ME);
      for (let i = 1; i <= 20; i++) store.put(big(i, seq));
      await store.flush(true);
      if (lineCount(file) === 21) break; // compacted: the header and one line per record
      expect(seq).toBeLessThan(20);
    }
    const records = readCache(file, SERVER)!.records;
    expect(records.map((r) => r.uuid)).toEqual(range(20).map((i) => big(i, 0).uuid));
    expect(records.every((r) => r.seq === records[0]!.seq && r.seq > 0)).toBe(true);
    expect(readCacheHeader(file)!.base_bytes).toBe(statSync(file).size);
  });

  it('does not compact in the middle of a command', async () => {
    const file = cacheFile();
    const store = new CacheStore(file, SERVER, 'sync-v1', ME);
    store.put(big(1, 0));
    await store.flush(true);
    const again = new CacheStore(file, SERVER, 'sync-v1', ME);
    for (let seq = 1; seq <= 200; seq++) {
      again.put(big(1, seq));
      await again.flush(false);
    }
    expect(lineCount(file)).toBe(202);
    await again.flush(true);
    expect(lineCount(file)).toBe(2);
    expect(readCache(file, SERVER)!.records).toEqual([big(1, 200)]);
  });

  it('removes the cache file of earlier versions when it writes its own', async () => {
    const file = cacheFile();
    const legacy = join(file, '..', 'remote.json');
    writeFileSync(legacy, '{"version":1,"records":[]}');
    const store = new CacheStore(file, SERVER, 'sync-v1', ME);
    store.put(record(1));
    await store.flush(true);
    expect(existsSync(legacy)).toBe(false);
  });

  it('writes headers of one length whatever the size they record', () => {
    const h = (base_bytes: number) =>
      encodeHeader({
        format: 'dev-infra remote cache',
        version: 2,
        server: SERVER,
        protocol: 'sync-v1',
        machine: ME,
        base_bytes,
      });
    expect(h(0).length).toBe(h(123_456_789_012).length);
    expect(JSON.parse(h(42)).base_bytes).toBe(42);
  });
});
