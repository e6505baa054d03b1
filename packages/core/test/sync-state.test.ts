import { describe, expect, it } from 'vitest';
import { decodeRegistrySync, freshSync } from '../src/sync-state.js';

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
