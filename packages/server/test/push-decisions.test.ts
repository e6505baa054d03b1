/**
 * The push's decisions alone, without a database: checking a change, deciding it against the
 * stored state (applied, conflict, rejected, an idempotent retry), and a checkout change
 * against the machine's checkouts so far. The routes' tests cover the same rules end to end.
 */
import type { SharedFields } from '@dev-infra/core';
import { describe, expect, it } from 'vitest';
import { parsePushedFields } from '../src/domain/validate.js';
import {
  type CheckoutState,
  decideChange,
  decideCheckout,
  type PreparedChange,
  prepareChange,
} from '../src/storage/push-decisions.js';
import { syncFields } from './helpers.js';

const UUID = '0b4f2e3c-9a41-4c7e-8d2a-3f6b5e1c7a90';
const fields = (name = 'api', over: Partial<SharedFields> = {}) => syncFields(name, over);
const prepared = (change: Parameters<typeof prepareChange>[0]) =>
  prepareChange(change, parsePushedFields);

describe('prepareChange', () => {
  it('lower-cases the uuid and keeps valid fields or a deletion', () => {
    const p = prepared({ uuid: UUID.toUpperCase(), base_rev: 3, fields: fields() });
    expect(p).toMatchObject({ uuid: UUID, base_rev: 3, fields: { name: 'api' } });
    expect(prepared({ uuid: UUID, base_rev: 3, deleted: true })).toEqual({
      uuid: UUID,
      base_rev: 3,
      deleted: true,
    });
  });

  it('refuses a bad uuid (as sent), a change without fields, and invalid fields', () => {
    expect(prepared({ uuid: 'NOT-A-UUID', base_rev: 0, fields: fields() })).toEqual({
      uuid: 'NOT-A-UUID',
      error: 'uuid: must be a uuid',
    });
    expect(prepared({ uuid: UUID, base_rev: 0 })).toEqual({
      uuid: UUID,
      error: 'fields (or deleted: true) is required',
    });
    expect(prepared({ uuid: UUID, base_rev: 0, fields: { name: 'x' } })).toHaveProperty('error');
  });
});

describe('decideChange', () => {
  const stored = (rev: number, deleted = false, f: SharedFields = fields()) => ({
    rev,
    deleted,
    fields: f,
  });
  const edit = (base_rev: number, f: SharedFields = fields('api', { description: 'new' })) =>
    ({ uuid: UUID, base_rev, fields: f }) as PreparedChange;
  const deletion = (base_rev: number) =>
    ({ uuid: UUID, base_rev, deleted: true }) as PreparedChange;

  it('passes on a rejection from preparing', () => {
    expect(decideChange({ uuid: UUID, error: 'bad' }, stored(1))).toEqual({
      kind: 'rejected',
      error: 'bad',
    });
  });

  it('creates an unknown project only from base 0, and never deletes one', () => {
    expect(decideChange(edit(0), undefined)).toMatchObject({ kind: 'create' });
    expect(decideChange(edit(2), undefined)).toMatchObject({ kind: 'rejected' });
    expect(decideChange(deletion(0), undefined)).toMatchObject({ kind: 'rejected' });
  });

  it('updates on the stored revision, naming the changed fields; a stale base conflicts', () => {
    expect(decideChange(edit(4), stored(4))).toEqual({
      kind: 'update',
      fields: fields('api', { description: 'new' }),
      changed: ['description'],
    });
    expect(decideChange(edit(3), stored(4))).toEqual({ kind: 'conflict' });
  });

  it('answers a retry whose content is already stored as unchanged, whatever its base', () => {
    expect(decideChange(edit(0, fields()), stored(4))).toEqual({ kind: 'unchanged' });
  });

  it('deletes on the stored revision; a deleted project stays deleted', () => {
    expect(decideChange(deletion(4), stored(4))).toEqual({ kind: 'delete' });
    expect(decideChange(deletion(3), stored(4))).toEqual({ kind: 'conflict' });
    expect(decideChange(deletion(1), stored(5, true))).toEqual({ kind: 'unchanged' });
    // Fields on the tombstone's own revision revive it (`dev-infra restore`); on any other, a conflict.
    expect(decideChange(edit(5), stored(5, true))).toMatchObject({ kind: 'restore' });
    expect(decideChange(edit(4), stored(5, true))).toEqual({ kind: 'conflict' });
  });
});

describe('decideCheckout', () => {
  const state = (paths: [number, string][] = []): CheckoutState => ({
    paths: new Map(paths),
    gits: new Map(),
    touched: new Set(),
    seqs: new Map(),
  });
  const project = { id: 7, uuid: UUID };

  it('names what a change did, seeing the changes before it', () => {
    const s = state();
    expect(decideCheckout(s, project, { uuid: UUID, path: '/a' })).toEqual({
      what: 'added',
      gitChanged: false,
    });
    expect(decideCheckout(s, project, { uuid: UUID, path: '/a' })).toEqual({
      what: undefined,
      gitChanged: false,
    });
    expect(decideCheckout(s, project, { uuid: UUID, path: '/b' })).toEqual({
      what: 'moved',
      gitChanged: false,
    });
    expect(decideCheckout(s, project, { uuid: UUID, removed: true })).toEqual({
      what: 'removed',
      gitChanged: false,
    });
    expect(decideCheckout(s, project, { uuid: UUID, removed: true })).toEqual({
      what: undefined,
      gitChanged: false,
    });
    expect([...s.touched]).toEqual([7]);
    expect(s.paths.has(7)).toBe(false);
  });

  it('refuses a change without a path and a bad path, leaving the state alone', () => {
    const s = state([[7, '/a']]);
    expect(decideCheckout(s, project, { uuid: UUID })).toEqual({
      result: { uuid: UUID, status: 'rejected', error: 'path (or removed: true) is required' },
    });
    expect(decideCheckout(s, project, { uuid: UUID, path: '' })).toMatchObject({
      result: { status: 'rejected' },
    });
    expect(s.paths.get(7)).toBe('/a');
    expect(s.touched.size).toBe(0);
  });

  it('changes the git state only when its text differs; absent keeps it, null clears it', () => {
    const s = state();
    const a = '{"unknown":"timeout","taken_at":"2026-01-01T00:00:00Z"}';
    const b = '{"unknown":"broken","taken_at":"2026-01-01T00:00:00Z"}';
    // A new checkout without a state has none: nothing changed in git.
    expect(decideCheckout(s, project, { uuid: UUID, path: '/a' })).toEqual({
      what: 'added',
      gitChanged: false,
    });
    expect(decideCheckout(s, project, { uuid: UUID, path: '/a', git: a })).toEqual({
      what: undefined,
      gitChanged: true,
    });
    // The same text again (a resend) is no change; absent leaves it, also through a move.
    expect(decideCheckout(s, project, { uuid: UUID, path: '/a', git: a })).toEqual({
      what: undefined,
      gitChanged: false,
    });
    expect(decideCheckout(s, project, { uuid: UUID, path: '/b' })).toEqual({
      what: 'moved',
      gitChanged: false,
    });
    expect(s.gits.get(7)).toBe(a);
    expect(decideCheckout(s, project, { uuid: UUID, path: '/b', git: b })).toMatchObject({
      gitChanged: true,
    });
    expect(decideCheckout(s, project, { uuid: UUID, path: '/b', git: null })).toMatchObject({
      gitChanged: true,
    });
    expect(s.gits.get(7)).toBeNull();
    expect(decideCheckout(s, project, { uuid: UUID, path: '/b', git: null })).toMatchObject({
      gitChanged: false,
    });
  });

  it('rejects a change whose git state was refused, leaving the state alone', () => {
    const s = state([[7, '/a']]);
    expect(
      decideCheckout(s, project, { uuid: UUID, path: '/a', gitError: 'git.branch: bad' }),
    ).toEqual({ result: { uuid: UUID, status: 'rejected', error: 'git.branch: bad' } });
    expect(s.touched.size).toBe(0);
  });
});
