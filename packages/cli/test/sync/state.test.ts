/** Sync state in the registry: reset on a new server, and what `remove` queues. */
import { describe, expect, it } from 'vitest';
import type { LocalProject, Registry } from '../../src/registry/format.js';
import { removeProject } from '../../src/registry/operations.js';
import { parseRegistry } from '../../src/registry/read.js';
import { ensureSync, projectSync, setProjectSync, sharedFields } from '../../src/sync/state.js';
import { sampleProject } from '../support/fixtures.js';

function project(id: string): LocalProject {
  return sampleProject({ id, name: id, path: `/p/${id}` });
}

function registry(): Registry {
  return {
    version: 2,
    machine: { id: 'm', name: 'laptop' },
    projects: [project('a'), project('b')],
  };
}

describe('sync state', () => {
  it('never lets credentials in a remote URL leave the machine', () => {
    const p = sampleProject({ remote_url: 'https://user:ghp_secret@github.com/a/b.git' });
    expect(sharedFields(p).remote_url).toBe('https://github.com/a/b.git');
    const ssh = sampleProject({ remote_url: 'ssh://git@github.com/a/b.git' });
    expect(sharedFields(ssh).remote_url).toBe('ssh://git@github.com/a/b.git');
  });

  it('is made for a server, kept for the same one, and reset (bases cleared) for another', () => {
    const reg = registry();
    const first = ensureSync(reg, 'http://one', 'sync-v1');
    expect(first.reset).toBeNull();
    first.state.cursor = 7;
    const a = reg.projects[0]!;
    setProjectSync(a, { rev: 3, base: sharedFields(a), pushed_path: a.path });
    expect(ensureSync(reg, 'http://one', 'sync-v1').state.cursor).toBe(7);
    const other = ensureSync(reg, 'http://two', 'basic');
    expect(other.reset).toBe('http://one');
    expect(other.state).toMatchObject({ server: 'http://two', protocol: 'basic', cursor: 0 });
    expect(projectSync(a)).toBeUndefined();
    // The same server speaking another protocol (upgraded): revisions no longer apply.
    expect(ensureSync(reg, 'http://two', 'sync-v1').reset).toBe('http://two, basic');
  });

  it('reads a slot of the wrong shape as no state', () => {
    const doc = { ...registry(), sync: { cursor: 'x' } };
    doc.projects[0] = { ...doc.projects[0]!, sync: { base_rev: 4 } } as unknown as LocalProject;
    const reg = parseRegistry(JSON.stringify(doc), 'f');
    expect(reg.sync).toBeUndefined();
    expect(projectSync(reg.projects[0]!)).toBeUndefined();
  });

  it('remove queues a tombstone and its checkout removal (everywhere) or a checkout removal; a never-synced one is local', () => {
    const reg = registry();
    const { state } = ensureSync(reg, 'http://one', 'sync-v1');
    const [a, b] = reg.projects as [LocalProject, LocalProject];
    expect(removeProject(reg, a, true)).toBe('local');
    reg.projects.push(a);
    setProjectSync(a, { rev: 5, base: sharedFields(a), pushed_path: a.path });
    setProjectSync(b, { rev: 2, base: sharedFields(b), pushed_path: b.path });
    const aFields = sharedFields(a);
    expect(removeProject(reg, a, true)).toBe('tombstone');
    expect(removeProject(reg, b, false)).toBe('checkout');
    expect(reg.projects).toEqual([]);
    expect(state.pending).toEqual({
      // With the fields last synced: a server that lost the record keeps a tombstone of them.
      deletes: [{ uuid: 'a', base_rev: 5, name: 'a', fields: aFields }],
      checkout_removals: ['a', 'b'],
    });
    setProjectSync(b, { rev: 2, base: sharedFields(b), pushed_path: null });
    reg.projects.push(b);
    expect(removeProject(reg, b, false)).toBe('local');
  });
});
