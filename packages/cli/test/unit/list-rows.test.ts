/**
 * `list --all` rows: from summaries they show what `classifyProject` decides from the full
 * records (minus other machines' paths), and from the listing exactly what they show from
 * summaries, as data and as the bytes a pipe prints.
 */
import { normaliseRemoteUrl, type SyncRecord } from '@dev-infra/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import {
  fullRecord,
  type ListRow,
  listRows,
  type RemoteOnlyRows,
  summaryRecord,
} from '../../src/cache/list-rows.js';
import { decodeListing, encodeListing, type Listing } from '../../src/cache/listing-file.js';
import { type RecordSummary, summarise } from '../../src/cache/record-line.js';
import { rowsFromListing } from '../../src/cache/remote-cache.js';
import { palette } from '../../src/output/colour.js';
import { renderListAll } from '../../src/output/list-all-view.js';
import type { LocalProject, Registry } from '../../src/registry/format.js';
import { freshSync, setProjectSync, sharedFields } from '../../src/sync/state.js';
import { type ProjectView, projectViews } from '../../src/sync/status-view.js';
import { sampleProject } from '../support/fixtures.js';

afterAll(removeTempDirs);

const ME = 'm-here';
const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const checkout = (id: string, name: string) => ({
  machine_id: id,
  machine_name: name,
  path: `/${name}/p`,
  last_seen: 'x',
});

const KEY = { stamp: '1:2:3', server: 'http://s', machine: ME };

/** What `classifyProject` says of each row, in the rows' shape: the oracle. */
const rowsOfViews = (views: readonly ProjectView[]): ListRow[] =>
  views.map((v) => {
    const f = v.local ?? v.record!.fields;
    return {
      name: v.name,
      ...(v.local ? { local: v.local } : {}),
      elsewhere: v.status.elsewhere.map((c) => ({ machine_name: c.machine_name, path: c.path })),
      mark:
        v.status.state === 'deleted remotely' || v.status.state === 'missing'
          ? v.status.state
          : null,
      project_type: f.project_type,
      status: f.status,
      remote: normaliseRemoteUrl(f.remote_url),
    };
  });

/** Rows as a pipe without colour prints them. */
const piped = (local: readonly ListRow[], remoteOnly: RemoteOnlyRows) =>
  Buffer.from(
    renderListAll(local, remoteOnly, { long: false, tty: false, c: palette(false) }),
  ).toString();

const summaryRows = (registry: Registry, summaries: readonly RecordSummary[]) =>
  listRows(registry, summaries.map(summaryRecord));

/** The listing built from `summaries` yields the rows the summaries do, byte for byte. */
function expectListingMatches(registry: Registry, summaries: readonly RecordSummary[]): Listing {
  const lean = summaryRows(registry, summaries);
  const listing = decodeListing(encodeListing(summaries, KEY), KEY);
  expect(listing).toBeDefined();
  const fast = rowsFromListing(registry, listing!, true);
  const decoded = rowsFromListing(registry, listing!, false);
  expect(fast).toBeDefined();
  expect(fast!.local).toEqual(lean.local);
  expect(decoded).toEqual({
    local: lean.local,
    remoteOnly: { kind: 'rows', rows: lean.remoteOnly },
  });
  expect(piped(fast!.local, fast!.remoteOnly)).toBe(
    piped(lean.local, { kind: 'rows', rows: lean.remoteOnly }),
  );
  return listing!;
}

describe('list --all rows', () => {
  it('are the same from summaries as from full records', () => {
    const dir = makeTempDir('dev-infra-listview-');
    const local = (i: number, name: string, path: string) =>
      sampleProject({ id: uuid(i), name, path, remote_url: `https://github.com/a/${name}` });
    const here = local(1, 'here', dir); // folder exists
    const gone = local(2, 'gone', `${dir}/missing`); // folder missing
    const dead = local(3, 'dead', dir); // deleted on the server
    const fresh = local(4, 'fresh', dir); // never synced
    for (const p of [here, gone, dead])
      setProjectSync(p, { rev: 1, base: sharedFields(p), pushed_path: p.path });
    const registry: Registry = {
      version: 2,
      machine: { id: ME, name: 'laptop' },
      projects: [here, gone, dead, fresh],
      sync: { ...freshSync('http://s', 'sync-v1') },
    };
    const state = registry.sync as unknown as ReturnType<typeof freshSync>;
    state.pending.deletes.push({ uuid: uuid(13), base_rev: 1 });
    const record = (i: number, name: string, over: Partial<SyncRecord> = {}): SyncRecord => ({
      uuid: uuid(i),
      rev: 1,
      seq: i,
      deleted: false,
      fields: sharedFields(sampleProject({ name, project_type: 'Work', status: 'paused' })),
      checkouts: [checkout('m-desk', 'desk'), checkout(ME, 'laptop')],
      ...over,
    });
    const records = [
      { ...record(1, 'here'), fields: sharedFields(here) },
      { ...record(2, 'gone'), fields: sharedFields(gone) },
      { ...record(3, 'dead'), deleted: true },
      record(11, 'b-remote'),
      record(12, 'a-remote', { checkouts: [] }),
      record(13, 'being-deleted'),
      record(14, 'tombstone', { deleted: true }),
    ];
    const full = rowsOfViews(
      projectViews(registry, { server: 'http://s', protocol: 'sync-v1', records }),
    );
    const long = listRows(
      registry,
      records.map((r) => fullRecord(r, ME, false)),
    );
    expect([...long.local, ...long.remoteOnly]).toEqual(full);
    const summaries = records.map((r) => summarise(r, ME));
    const byRecord = summaryRows(registry, summaries);
    const lean = [...byRecord.local, ...byRecord.remoteOnly];
    expect(lean).toEqual(
      full.map((v) => ({
        ...v,
        elsewhere: v.elsewhere.map((c) => ({ machine_name: c.machine_name })),
      })),
    );
    expectListingMatches(registry, summaries);
    expect(lean.map((v) => [v.name, v.mark, v.elsewhere.length])).toEqual([
      ['dead', 'deleted remotely', 0],
      ['fresh', null, 0],
      ['gone', 'missing', 1],
      ['here', null, 1],
      ['a-remote', null, 0],
      ['b-remote', null, 1],
    ]);
  });
});

describe('list --all from the listing', () => {
  /** Record i's summary (alive, named p<i>, held by no other machine unless `checkouts`). */
  const summaryOf = (i: number, checkouts: SyncRecord['checkouts'] = []) =>
    summarise(
      {
        uuid: uuid(i),
        rev: 1,
        seq: i,
        deleted: false,
        fields: sharedFields(sampleProject({ name: `p${i}` })),
        checkouts,
      },
      ME,
    );
  /** This machine's registry holding `projects`, connected to http://s. */
  const registryOf = (projects: LocalProject[]): Registry => ({
    version: 2,
    machine: { id: ME, name: 'laptop' },
    projects,
    sync: { ...freshSync('http://s', 'sync-v1') },
  });
  const name = fc.oneof(
    fc.constantFrom('api', 'API', 'web', 'éclair', 'zeta', 'a\tb', 'line\nbreak', ''),
    fc.string({ maxLength: 6 }),
  );
  const summary = fc.record({
    n: fc.integer({ min: 0, max: 30 }),
    name,
    deleted: fc.boolean(),
    project_type: fc.option(fc.constantFrom('Work', 'Personal'), { nil: null }),
    status: fc.constantFrom('active', 'paused'),
    remote: fc.option(fc.constantFrom('github.com/a/b', 'gitlab.com/x\ty'), { nil: null }),
    elsewhere: fc.array(fc.constantFrom('desk', 'gpu box', 'lap,top', 'a, b', 'x\ty', 'n\nl'), {
      maxLength: 3,
    }),
  });

  /** Ids of every length and byte value, not only uuids: the index must not rely on them. */
  const idOf = (n: number) => [uuid(n), `x${n}`, `é-${n}-ü`][n % 3]!;

  it('shows exactly what the summaries show, for any records, local projects and deletes', () => {
    const dir = makeTempDir('dev-infra-listing-');
    fc.assert(
      fc.property(
        fc.array(summary, { maxLength: 40 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 10 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 5 }),
        (drawn, localIds, deleting) => {
          const summaries: RecordSummary[] = drawn.map(({ n, ...s }) => ({
            ...s,
            uuid: idOf(n),
            seq: n,
          }));
          const projects = localIds.map((i) =>
            sampleProject({ id: idOf(i), name: `local-${i}`, path: i % 2 ? dir : `${dir}/gone` }),
          );
          const registry = registryOf(projects);
          const state = registry.sync as unknown as ReturnType<typeof freshSync>;
          for (const i of deleting) state.pending.deletes.push({ uuid: idOf(i), base_rev: 1 });
          // The cache keeps the last summary of each uuid.
          const last = [...new Map(summaries.map((s) => [s.uuid, s])).values()];
          expectListingMatches(registry, last);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is ignored when it was built from another cache state, server or machine, or cut short', () => {
    const bytes = encodeListing([summaryOf(1, [checkout('m-desk', 'desk')])], KEY);
    expect(decodeListing(bytes, KEY)?.find(uuid(1))).toMatchObject({
      summary: { deleted: false, elsewhere: ['desk'] },
      row: expect.any(Object),
    });
    expect(decodeListing(bytes, KEY)?.find(uuid(2))).toBeUndefined();
    expect(decodeListing(bytes, { ...KEY, stamp: '1:2:4' })).toBeUndefined();
    expect(decodeListing(bytes, { ...KEY, server: 'http://t' })).toBeUndefined();
    expect(decodeListing(bytes, { ...KEY, machine: 'm-other' })).toBeUndefined();
    for (const cut of [0, 1, 20, bytes.length - 1])
      expect(decodeListing(bytes.subarray(0, cut), KEY)).toBeUndefined();
    expect(decodeListing(Buffer.concat([bytes, Buffer.from('x\n')]), KEY)).toBeUndefined();
  });

  it('is rebuilt when an index entry points outside its rows or summaries', () => {
    const bytes = encodeListing([summaryOf(1), summaryOf(2)], KEY);
    const text = bytes.toString('latin1');
    const rowAt = text.indexOf(`${uuid(1)}L`) + uuid(1).length + 1;
    const registry = registryOf([sampleProject({ id: uuid(1), name: 'p1' })]);
    expect(rowsFromListing(registry, decodeListing(bytes, KEY)!, true)).toBeDefined();
    for (const at of [rowAt, rowAt + 11]) {
      const broken = Buffer.from(
        text.slice(0, at) + '9'.repeat(11) + text.slice(at + 11),
        'latin1',
      );
      expect(rowsFromListing(registry, decodeListing(broken, KEY)!, true)).toBeUndefined();
    }
  });

  it('keeps machine names as data: a comma, a tab or a newline in one changes nothing', () => {
    const names = ['a, b', 'tab\there', 'new\nline'];
    const held = summaryOf(
      1,
      names.map((n, i) => checkout(`m-${i}`, n)),
    );
    const listing = decodeListing(encodeListing([held, summaryOf(2)], KEY), KEY)!;
    const registry = registryOf([sampleProject({ id: uuid(1), name: 'p1' })]);
    const rows = rowsFromListing(registry, listing, true)!;
    expect(rows.local[0]!.elsewhere.map((c) => c.machine_name)).toEqual(names);
    expect(piped(rows.local, rows.remoteOnly).split('\t')[1]).toMatch(
      /^here: .* \(\+ a, b, tab here, new line\)$/,
    );
  });

  it('states its own length right whatever the length of that number', () => {
    // Lengths on both sides of a power of ten exercise the header's fixed point.
    for (let n = 0; n < 160; n += 7) {
      const summaries = Array.from({ length: n }, (_, i) => summaryOf(i));
      const listing = decodeListing(encodeListing(summaries, KEY), KEY);
      expect(listing).toBeDefined();
      for (let i = 0; i < n; i++) expect(listing!.find(uuid(i))?.row).toBeDefined();
    }
  });
});
