/** Telling a replaced or restored server from the answer's id and head. */
import { describe, expect, it } from 'vitest';
import { decodeRegistrySync, freshSync, serverChange } from '../src/sync-state.js';

describe('serverChange', () => {
  const state = { ...freshSync('https://wp', 'sync-v1'), cursor: 10, server_id: 'a' };

  it('is the same server at or past our cursor with our id', () => {
    expect(serverChange(state, { head: 10, server_id: 'a' })).toBe('same');
    expect(serverChange(state, { head: 12, server_id: 'a' })).toBe('same');
  });

  it('is replaced when the id differs, whatever the head', () => {
    expect(serverChange(state, { head: 50, server_id: 'b' })).toBe('replaced');
    expect(serverChange(state, { head: 0, server_id: 'b' })).toBe('replaced');
  });

  it('is rolled back when the head is below our cursor', () => {
    expect(serverChange(state, { head: 9, server_id: 'a' })).toBe('rolled-back');
  });

  it('is rolled back when the head is below one of our accepted pushes not pulled yet', () => {
    const pushed = { ...state, echo: { u1: 11, u2: 14 } };
    expect(serverChange(pushed, { head: 13, server_id: 'a' })).toBe('rolled-back');
    expect(serverChange(pushed, { head: 14, server_id: 'a' })).toBe('same');
  });

  it('compares by the head alone when either side has no id (adopt the first one seen)', () => {
    const old = { cursor: 10 };
    expect(serverChange(old, { head: 10, server_id: 'z' })).toBe('same');
    expect(serverChange(old, { head: 3, server_id: 'z' })).toBe('rolled-back');
    expect(serverChange(state, { head: 11 })).toBe('same');
  });

  it('decodes a stored id, and a state without one', () => {
    const raw = { server: 'https://wp', protocol: 'sync-v1', cursor: 4 };
    expect(decodeRegistrySync(raw)?.server_id).toBeUndefined();
    expect(decodeRegistrySync({ ...raw, server_id: 'a' })?.server_id).toBe('a');
  });
});
