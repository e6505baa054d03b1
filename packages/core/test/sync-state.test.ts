/** Decoding the stored registry-wide sync state. */
import { describe, expect, it } from 'vitest';
import { decodeRegistrySync, freshSync, noteHeard } from '../src/sync-state.js';

describe('decodeRegistrySync', () => {
  const stored = { server: 'http://s', protocol: 'sync-v1', cursor: 3, last_pull: 'P' };

  it('reads last_heard, and takes last_pull for a state written before it', () => {
    expect(decodeRegistrySync({ ...stored, last_heard: 'H' })?.last_heard).toBe('H');
    expect(decodeRegistrySync(stored)?.last_heard).toBe('P');
    expect(decodeRegistrySync({ ...stored, last_pull: null })?.last_heard).toBeNull();
  });

  it('keeps an unfinished repair, with the id it repairs onto when there is one', () => {
    expect(decodeRegistrySync(stored)?.repairing).toBeUndefined();
    expect(decodeRegistrySync({ ...stored, repairing: {} })?.repairing).toEqual({});
    const onto = { ...stored, repairing: { server_id: 'db-2', junk: 1 } };
    expect(decodeRegistrySync(onto)?.repairing).toEqual({ server_id: 'db-2' });
    expect(decodeRegistrySync({ ...stored, repairing: true })?.repairing).toBeUndefined();
  });

  it('noteHeard moves last_heard only a minute or more past it', () => {
    const state = freshSync('http://s', 'sync-v1');
    noteHeard(state, '2026-01-01T00:00:00.000Z');
    expect(state.last_heard).toBe('2026-01-01T00:00:00.000Z');
    noteHeard(state, '2026-01-01T00:00:59.000Z');
    expect(state.last_heard).toBe('2026-01-01T00:00:00.000Z');
    noteHeard(state, '2026-01-01T00:01:00.000Z');
    expect(state.last_heard).toBe('2026-01-01T00:01:00.000Z');
  });
});

describe('decodeRegistrySync local_only (issue 13, part 3)', () => {
  const stored = { ...freshSync('http://h', 'basic') };

  it('an older state without it decodes with none known', () => {
    expect(decodeRegistrySync(stored)?.local_only).toBeUndefined();
  });

  it('keeps known shared field names, in field order, and skips anything else', () => {
    const raw = { ...stored, local_only: ['tags', 'nope', 7, 'project_type'] };
    expect(decodeRegistrySync(raw)?.local_only).toEqual(['project_type', 'tags']);
  });

  it('round-trips through JSON', () => {
    const state = { ...stored, local_only: ['project_type' as const] };
    expect(decodeRegistrySync(JSON.parse(JSON.stringify(state)))).toEqual(state);
  });
});
