/** `list --all` from summaries shows what the full records would (minus other machines' paths). */
import type { SyncRecord } from '@dev-infra/core';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import type { Registry } from '../../src/registry/format.js';
import { summarise } from '../../src/sync/cache-format.js';
import { listViewsFromProjectViews, listViewsFromSummaries } from '../../src/sync/list-view.js';
import { freshSync, setProjectSync, sharedFields } from '../../src/sync/state.js';
import { projectViews } from '../../src/sync/status-view.js';
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
    const full = listViewsFromProjectViews(
      projectViews(registry, { server: 'http://s', protocol: 'sync-v1', records }),
    ).map((v) => ({ ...v, elsewhere: v.elsewhere.map((c) => ({ machine_name: c.machine_name })) }));
    const lean = listViewsFromSummaries(
      registry,
      records.map((r) => summarise(r, ME)),
    );
    expect(lean).toEqual(full);
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
