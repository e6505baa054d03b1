/** Decoding the stored registry-wide sync state. */
import { describe, expect, it } from 'vitest';
import { decodeRegistrySync } from '../src/sync-state.js';

describe('decodeRegistrySync', () => {
  const stored = { server: 'http://s', protocol: 'sync-v1', cursor: 3, last_pull: 'P' };

  it('reads last_heard, and takes last_pull for a state written before it', () => {
    expect(decodeRegistrySync({ ...stored, last_heard: 'H' })?.last_heard).toBe('H');
    expect(decodeRegistrySync(stored)?.last_heard).toBe('P');
    expect(decodeRegistrySync({ ...stored, last_pull: null })?.last_heard).toBeNull();
  });
});
