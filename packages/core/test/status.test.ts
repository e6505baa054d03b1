import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeFields } from '../src/merge.js';
import type { Checkout, SharedFields } from '../src/schema/fields.js';
import {
  classifyProject,
  type LocalEntryInput,
  OUT_OF_SYNC_STATES,
  type RemoteRecordInput,
  type StatusInput,
  SYNC_STATES,
  summarise,
} from '../src/status.js';
import { triple } from './arbitraries.js';

const fields: SharedFields = {
  name: 'api',
  description: 'the api',
  remote_url: 'https://github.com/acme/api',
  project_type: 'Work',
  status: 'active',
  classification: null,
  organization: null,
  tags: ['go'],
  template: null,
  template_version: null,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};
const edit = (over: Partial<SharedFields>): SharedFields => ({ ...fields, ...over });

const ME = 'machine-me';
const here: Checkout = {
  machine_id: ME,
  machine_name: 'laptop',
  path: '/home/u/api',
  last_seen: '2026-01-01T00:00:00.000Z',
};
const desktop: Checkout = {
  machine_id: 'machine-desk',
  machine_name: 'desktop',
  path: '/home/u/code/api',
  last_seen: '2026-01-01T00:00:00.000Z',
};

const local = (over: Partial<LocalEntryInput> = {}): LocalEntryInput => ({
  fields,
  path: here.path,
  folderExists: true,
  ...over,
});
const remote = (over: Partial<RemoteRecordInput> = {}): RemoteRecordInput => ({
  rev: 3,
  deleted: false,
  fields,
  checkouts: [here, desktop],
  ...over,
});
const base = { rev: 3, fields };

interface Row {
  title: string;
  input: Omit<StatusInput, 'machineId'>;
  state: string | null;
  localChanges?: string[];
  remoteChanges?: string[];
  checkoutChanged?: boolean;
  changedBy?: string;
  pendingDeletion?: boolean;
}

const rows: Row[] = [
  {
    title: 'in step everywhere',
    input: { local: local(), base, remote: remote() },
    state: 'synced',
  },
  {
    title: 'a local edit',
    input: { local: local({ fields: edit({ description: 'new' }) }), base, remote: remote() },
    state: 'modified',
    localChanges: ['description'],
  },
  {
    title: 'a remote edit, by a named machine',
    input: {
      local: local(),
      base,
      remote: remote({ rev: 5, fields: edit({ status: 'paused' }), changedBy: 'desktop' }),
    },
    state: 'behind',
    remoteChanges: ['status'],
    changedBy: 'desktop',
  },
  {
    title: 'a remote edit by an unknown machine leaves changedBy out',
    input: { local: local(), base, remote: remote({ rev: 5, fields: edit({ tags: [] }) }) },
    state: 'behind',
    remoteChanges: ['tags'],
  },
  {
    title: 'edits on both sides',
    input: {
      local: local({ fields: edit({ description: 'mine' }) }),
      base,
      remote: remote({ rev: 5, fields: edit({ description: 'theirs', name: 'api2' }) }),
    },
    state: 'diverged',
    localChanges: ['description'],
    remoteChanges: ['name', 'description'],
  },
  {
    title: 'the same edit on both sides is nothing to do',
    input: {
      local: local({ fields: edit({ description: 'same' }) }),
      base,
      remote: remote({ rev: 5, fields: edit({ description: 'same' }) }),
    },
    state: 'synced',
  },
  {
    title: 'tag order is no change',
    input: { local: local({ fields: edit({ tags: ['go', ' go'] }) }), base, remote: remote() },
    state: 'synced',
  },
  {
    title: 'only updated_at differs: display-only, synced',
    input: { local: local({ fields: edit({ updated_at: '2027-01-01' }) }), base, remote: remote() },
    state: 'synced',
  },
  {
    title: 'this machine moved its checkout',
    input: { local: local({ path: '/elsewhere/api' }), base, remote: remote() },
    state: 'modified',
    checkoutChanged: true,
  },
  {
    title: 'this machine’s checkout not on the server yet (after clone)',
    input: { local: local(), base, remote: remote({ checkouts: [desktop] }) },
    state: 'modified',
    checkoutChanged: true,
  },
  {
    title: 'checkout to push plus a remote edit',
    input: {
      local: local(),
      base,
      remote: remote({ rev: 4, checkouts: [desktop], fields: edit({ name: 'x' }) }),
    },
    state: 'diverged',
    remoteChanges: ['name'],
    checkoutChanged: true,
  },
  {
    title: 'basic mode: no checkouts known, none compared',
    input: { local: local(), base, remote: remote({ checkouts: undefined }) },
    state: 'synced',
  },
  {
    title: 'never pushed and unknown to the server',
    input: { local: local(), base: null, remote: null },
    state: 'new',
  },
  {
    title: 'never pushed, folder gone: missing wins over new',
    input: { local: local({ folderExists: false }), base: null, remote: null },
    state: 'missing',
  },
  {
    title: 'folder gone: missing wins over modified, changes still listed',
    input: {
      local: local({ folderExists: false, fields: edit({ name: 'b' }) }),
      base,
      remote: remote({ rev: 4, fields: edit({ status: 'paused' }) }),
    },
    state: 'missing',
    localChanges: ['name'],
    remoteChanges: ['status'],
  },
  {
    title: 'pushed, nothing pulled since: the base stands in for the remote',
    input: { local: local(), base, remote: null },
    state: 'synced',
  },
  {
    title: 'pushed, edited since, nothing pulled',
    input: { local: local({ fields: edit({ organization: 'acme' }) }), base, remote: null },
    state: 'modified',
    localChanges: ['organization'],
  },
  {
    title: 'linked without history, equal fields',
    input: { local: local(), base: null, remote: remote() },
    state: 'synced',
  },
  {
    title: 'linked without history, each side fills a different empty field',
    input: {
      local: local({ fields: edit({ organization: 'acme' }) }),
      base: null,
      remote: remote({ fields: edit({ classification: 'primary' }) }),
    },
    state: 'diverged',
    localChanges: ['organization'],
    remoteChanges: ['classification'],
  },
  {
    title: 'linked without history, only the remote has more',
    input: {
      local: local(),
      base: null,
      remote: remote({ fields: edit({ template: 'go-svc' }), changedBy: 'desktop' }),
    },
    state: 'behind',
    remoteChanges: ['template'],
    changedBy: 'desktop',
  },
  {
    title: 'remote tombstone: deleted remotely, even with local edits and a missing folder',
    input: {
      local: local({ folderExists: false, fields: edit({ name: 'z' }) }),
      base,
      remote: remote({ rev: 9, deleted: true, changedBy: 'desktop' }),
    },
    state: 'deleted remotely',
    localChanges: ['name'],
    changedBy: 'desktop',
  },
  {
    title: 'remote tombstone of a never-synced link',
    input: { local: local(), base: null, remote: remote({ deleted: true }) },
    state: 'deleted remotely',
  },
  {
    title: 'a local deletion waiting to be pushed',
    input: { local: local({ pendingDeletion: true }), base, remote: remote() },
    state: 'modified',
    pendingDeletion: true,
  },
  {
    title: 'a local deletion of something the server never had: nothing to show',
    input: { local: local({ pendingDeletion: true }), base: null, remote: null },
    state: null,
  },
  {
    title: 'deleted on both sides: nothing to show',
    input: { local: local({ pendingDeletion: true }), base, remote: remote({ deleted: true }) },
    state: null,
  },
  {
    title: 'known only remotely',
    input: { local: null, base: null, remote: remote({ checkouts: [desktop] }) },
    state: 'not local',
  },
  {
    title: 'a remote tombstone with no local entry: nothing to show',
    input: { local: null, base: null, remote: remote({ deleted: true }) },
    state: null,
  },
  {
    title: 'nothing anywhere',
    input: { local: null, base: null, remote: null },
    state: null,
  },
];

describe('classifyProject', () => {
  it.each(rows)('$title -> $state', (row) => {
    const status = classifyProject({ ...row.input, machineId: ME });
    if (row.state === null) {
      expect(status).toBeNull();
      return;
    }
    expect(status).not.toBeNull();
    expect(status!.state).toBe(row.state);
    expect(status!.localChanges).toEqual(row.localChanges ?? []);
    expect(status!.remoteChanges).toEqual(row.remoteChanges ?? []);
    expect(status!.checkoutChanged).toBe(row.checkoutChanged ?? false);
    expect(status!.pendingDeletion).toBe(row.pendingDeletion ?? false);
    expect(status!.changedBy).toBe(row.changedBy);
  });

  it('reaches every state', () => {
    const reached = new Set(rows.map((r) => r.state));
    for (const s of SYNC_STATES) expect(reached.has(s)).toBe(true);
  });

  it('lists the other machines’ checkouts, not this one', () => {
    const s = classifyProject({ local: local(), base, remote: remote(), machineId: ME });
    expect(s!.elsewhere).toEqual([desktop]);
    const notLocal = classifyProject({ local: null, base: null, remote: remote(), machineId: ME });
    expect(notLocal!.elsewhere.map((c) => c.machine_name)).toEqual(['desktop']);
  });
});

describe('classifyProject agrees with the merge', () => {
  it('lists the same changes per side as mergeFields, and is synced exactly when both are empty', () => {
    fc.assert(
      fc.property(triple, ([b, l, r]) => {
        const status = classifyProject({
          local: { fields: l, path: '/p', folderExists: true },
          base: b && { rev: 1, fields: b },
          remote: { rev: 2, deleted: false, fields: r },
          machineId: ME,
        })!;
        const merge = mergeFields(b, l, r);
        expect(status.localChanges).toEqual(merge.localChanges);
        expect(status.remoteChanges).toEqual(merge.remoteChanges);
        const expected =
          merge.localChanges.length > 0
            ? merge.remoteChanges.length > 0
              ? 'diverged'
              : 'modified'
            : merge.remoteChanges.length > 0
              ? 'behind'
              : 'synced';
        expect(status.state).toBe(expected);
      }),
    );
  });
});

describe('summarise', () => {
  it('counts each state and what is out of sync', () => {
    const s = summarise([
      'synced',
      'synced',
      { state: 'modified' },
      'behind',
      'not local',
      'missing',
      'deleted remotely',
      'new',
      'diverged',
    ]);
    expect(s.total).toBe(9);
    expect(s.inSync).toBe(2);
    expect(s.outOfSync).toBe(5);
    expect(s.counts).toMatchObject({ synced: 2, modified: 1, 'not local': 1, missing: 1 });
    expect(Object.keys(s.counts).sort()).toEqual([...SYNC_STATES].sort());
  });

  it('counts nothing in an empty registry', () => {
    const s = summarise([]);
    expect(s).toMatchObject({ total: 0, inSync: 0, outOfSync: 0 });
    expect(OUT_OF_SYNC_STATES).not.toContain('not local');
    expect(OUT_OF_SYNC_STATES).not.toContain('missing');
  });
});
