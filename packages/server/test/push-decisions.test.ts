/**
 * The push's decisions alone, without a database: checking a change, deciding it against the
 * stored state (applied, conflict, rejected, an idempotent retry), and a checkout change
 * against the machine's checkouts so far. The routes' tests cover the same rules end to end.
 */
import type { RecordStamps, SharedFields } from '@dev-infra/core';
import { describe, expect, it } from 'vitest';
import { parsePushedFields, parsePushedStamps } from '../src/domain/validate.js';
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
  prepareChange(change, parsePushedFields, parsePushedStamps);

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

  it("keeps a deletion's fields and the stamps sent, and refuses bad stamps alone", () => {
    const stamps = { fields: { name: 5 }, tags: { svc: 7 }, live: 3 };
    expect(prepared({ uuid: UUID, base_rev: 2, deleted: true, fields: fields(), stamps })).toEqual({
      uuid: UUID,
      base_rev: 2,
      deleted: true,
      fields: fields(),
      stamps,
    });
    expect(prepared({ uuid: UUID, base_rev: 2, fields: fields(), stamps: { live: -1 } })).toEqual({
      uuid: UUID,
      error: expect.stringMatching(/^stamps\.live: /),
    });
    expect(
      prepared({ uuid: UUID, base_rev: 2, fields: fields(), stamps: { fields: { colour: 1 } } }),
    ).toHaveProperty('error');
    expect(
      prepared({ uuid: UUID, base_rev: 2, fields: fields(), stamps: { tags: { ' svc': 1 } } }),
    ).toEqual({ uuid: UUID, error: 'stamps.tags: a tag is named untrimmed or empty' });
    expect(
      prepared({ uuid: UUID, base_rev: 2, fields: fields(), stamps: { tags: { 'a\u001b': 1 } } }),
    ).toEqual({ uuid: UUID, error: 'stamps.tags: holds a control character' });
  });

  it("brings a stamp from past the server's clock back to it", () => {
    const future = (Date.now() + 86_400_000) * 1000;
    const p = prepared({ uuid: UUID, base_rev: 2, fields: fields(), stamps: { live: future } });
    if (!('stamps' in p) || p.stamps === undefined) throw new Error('stamps dropped');
    expect(p.stamps.live).toBeLessThan(future);
    expect(p.stamps.live).toBeGreaterThanOrEqual((Date.now() - 60_000) * 1000);
  });
});

describe('decideChange', () => {
  const stored = (
    rev: number,
    deleted = false,
    f: SharedFields = fields(),
    stamps: RecordStamps | null = null,
  ) => ({ rev, deleted, fields: f, stamps });
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

  it('keeps a deletion that carries fields of a project it does not know as a tombstone', () => {
    const lost = { uuid: UUID, base_rev: 6, deleted: true, fields: fields() } as PreparedChange;
    expect(decideChange(lost, undefined)).toEqual({ kind: 'tombstone', fields: fields() });
  });

  it('answers an update from an older copy than the stored one as a conflict, on its revision too', () => {
    const at = (name: number, description: number): RecordStamps => ({
      fields: { name, description },
      tags: {},
      live: 1,
    });
    const restored = stored(4, false, fields('api', { description: 'later' }), at(10, 30));
    // A restored server handed revision 4 out again; the writer's copy had description
    // stamped 20 and never edited it: the stored 30 is newer, so the write is stale.
    const stale = {
      ...edit(4, fields('api', { description: 'old' })),
      stamps: { fields: { description: 20 } },
    } as PreparedChange;
    expect(decideChange(stale, restored)).toEqual({ kind: 'conflict' });
    // A part the writer restores from later than the stored stamp is not stale.
    const newer = { ...stale, stamps: { fields: { description: 40 } } } as PreparedChange;
    expect(decideChange(newer, restored)).toMatchObject({ kind: 'update' });
    // Nor is a part it edited (no stamp sent for it).
    expect(decideChange(edit(4, fields('api', { description: 'mine' })), restored)).toMatchObject({
      kind: 'update',
    });
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
