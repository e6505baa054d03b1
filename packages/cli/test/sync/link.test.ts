/**
 * Linking never-synced local projects to the server's records (regressions found by the
 * convergence test, see docs/reliability.md "Fixed").
 */
import type { SyncRecord } from '@dev-infra/core';
import { describe, expect, it } from 'vitest';
import type { LocalProject, Registry } from '../../src/registry/format.js';
import type { SyncClient } from '../../src/remote/sync-client.js';
import { CacheStore, type RecordIndex } from '../../src/sync/cache.js';
import { pendingChanges, pushSyncV1 } from '../../src/sync/push.js';
import { linkNewProjects } from '../../src/sync/reconcile.js';
import { newReport } from '../../src/sync/report.js';
import type { SyncSession } from '../../src/sync/session.js';
import { freshSync, noteLocalEdits, projectSync, sharedFields } from '../../src/sync/state.js';
import { sampleProject } from '../support/fixtures.js';

const URL_A = 'git@github.com:me/cli.git';
const NOW = '2026-01-01T00:00:00.000Z';

/** A server record for the same repository, established on another machine. */
function remoteRecord(over: Partial<SyncRecord['fields']>, deleted = false): SyncRecord {
  const fields = sharedFields(
    sampleProject({
      id: 'r',
      name: 'cli',
      remote_url: 'https://github.com/me/cli',
      status: 'paused',
      description: 'the CLI',
      ...over,
    }),
  );
  return {
    uuid: '6a1f0000-0000-4000-8000-0000000000aa',
    rev: 4,
    seq: 9,
    deleted,
    fields,
    checkouts: [{ machine_id: 'other', machine_name: 'desk', path: '/x/cli', last_seen: NOW }],
  };
}

function setUp(record: SyncRecord): {
  registry: Registry;
  local: LocalProject;
  index: RecordIndex;
  cache: CacheStore;
} {
  const local = sampleProject({
    name: 'cli',
    path: '/p/cli',
    remote_url: URL_A,
    description: 'local',
  });
  const registry: Registry = {
    version: 2,
    machine: { id: 'm', name: 'laptop' },
    projects: [local],
  };
  // Never written: the tests that save run dry.
  const cache = new CacheStore('/nonexistent/remote-cache.jsonl', 'http://s', 'sync-v1', 'm');
  cache.put(record);
  return { registry, local, index: cache.index(), cache };
}

describe('linking a new local project by remote URL', () => {
  it('takes the remote value of a field set differently on both sides, and reports it', () => {
    const record = remoteRecord({});
    const { registry, local, index } = setUp(record);
    const report = newReport('sync-v1', false);
    linkNewProjects(registry, index, 'm', 'local', report, NOW);
    expect(local.id).toBe(record.uuid);
    expect(local.status).toBe('paused');
    expect(local.description).toBe('the CLI');
    expect(report.linked).toEqual(['cli']);
    expect(report.conflicts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ project: 'cli', field: 'status', chosen: 'remote' }),
      ]),
    );
    // Nothing left to push: the entry now equals its base.
    expect(projectSync(local)?.base).toEqual(sharedFields(local));
  });

  it('keeps a field the user edited before the first sync (merged per --prefer)', () => {
    const record = remoteRecord({});
    const { registry, local, index } = setUp(record);
    local.status = 'completed';
    noteLocalEdits(local, ['status']);
    const report = newReport('sync-v1', false);
    linkNewProjects(registry, index, 'm', 'local', report, NOW);
    expect(local.id).toBe(record.uuid);
    expect(local.status).toBe('completed');
    // Not edited here: the server's value.
    expect(local.description).toBe('the CLI');
    expect(projectSync(local)?.base.status).toBe('paused');
  });
});

describe('a lone sync push', () => {
  it('links a never-synced project to the record the cache knows instead of pushing it as new', async () => {
    const record = remoteRecord({});
    const { registry, local, cache } = setUp(record);
    const session: SyncSession = {
      registry,
      state: freshSync('http://s', 'sync-v1'),
      cache,
      report: newReport('sync-v1', true),
      now: NOW,
      dryRun: true,
      save: async () => {},
    };
    // A dry run stops before the network: the client is never used.
    const client = {} as SyncClient;
    await pushSyncV1(client, session, 'local');
    expect(session.report.linked).toEqual(['cli']);
    expect(local.id).toBe(record.uuid);
    // Nothing is sent as a new record (base_rev 0).
    expect(pendingChanges(session).changes.filter((c) => c.base_rev === 0)).toEqual([]);
  });
});
