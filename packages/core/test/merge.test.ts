import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  changedFields,
  isEmptyValue,
  mergeFields,
  mergeTags,
  type Prefer,
  sameSharedFields,
} from '../src/merge.js';
import { EDITABLE_FIELD_NAMES, fieldEquals, SHARED_FIELD_NAMES } from '../src/project.js';
import type { SharedFields } from '../src/schema/fields.js';
import { fieldsArb, triple } from './arbitraries.js';
import { sampleFields } from './fixtures.js';

const base = sampleFields({
  description: 'the api',
  remote_url: 'https://github.com/acme/api',
  project_type: 'Work',
  classification: 'primary',
  organization: 'acme',
  tags: ['go', 'svc'],
  updated_at: '2026-01-02T00:00:00.000Z',
});

const edit = (over: Partial<SharedFields>): SharedFields => ({ ...base, ...over });

describe('changedFields', () => {
  it('names editable fields that differ, tags as sets, timestamps never', () => {
    expect(changedFields(base, base)).toEqual([]);
    expect(changedFields(base, edit({ tags: ['svc', 'go', ' go '] }))).toEqual([]);
    expect(
      changedFields(base, edit({ description: 'x', tags: ['go'], updated_at: '2027-01-01' })),
    ).toEqual(['description', 'tags']);
  });
});

describe('isEmptyValue', () => {
  it.each([
    [null, true],
    ['', true],
    ['  ', true],
    [[], true],
    [[' '], true],
    ['x', false],
    [['a'], false],
  ] as const)('%j -> %s', (value, empty) => {
    expect(isEmptyValue(value as SharedFields['tags'] | string | null)).toBe(empty);
  });
});

describe('mergeFields with a base', () => {
  const cases: {
    title: string;
    local: Partial<SharedFields>;
    remote: Partial<SharedFields>;
    prefer?: Prefer;
    merged: Partial<SharedFields>;
    conflicts: string[];
    localChanges: string[];
    remoteChanges: string[];
  }[] = [
    {
      title: 'nothing changed',
      local: {},
      remote: {},
      merged: {},
      conflicts: [],
      localChanges: [],
      remoteChanges: [],
    },
    {
      title: 'local change only is kept',
      local: { description: 'new' },
      remote: {},
      merged: { description: 'new' },
      conflicts: [],
      localChanges: ['description'],
      remoteChanges: [],
    },
    {
      title: 'remote change only is taken',
      local: {},
      remote: { status: 'paused' },
      merged: { status: 'paused' },
      conflicts: [],
      localChanges: [],
      remoteChanges: ['status'],
    },
    {
      title: 'a remote clearing of a field is a change like any other',
      local: {},
      remote: { organization: null },
      merged: { organization: null },
      conflicts: [],
      localChanges: [],
      remoteChanges: ['organization'],
    },
    {
      title: 'different fields on each side both survive',
      local: { description: 'mine' },
      remote: { tags: ['go'] },
      merged: { description: 'mine', tags: ['go'] },
      conflicts: [],
      localChanges: ['description'],
      remoteChanges: ['tags'],
    },
    {
      title: 'same change on both sides is no conflict',
      local: { name: 'api2' },
      remote: { name: 'api2' },
      merged: { name: 'api2' },
      conflicts: [],
      localChanges: [],
      remoteChanges: [],
    },
    {
      title: 'tags reordered on one side are no change',
      local: { tags: ['svc', 'go'] },
      remote: { tags: ['go', 'svc', 'x'] },
      merged: { tags: ['svc', 'go', 'x'] },
      conflicts: [],
      localChanges: [],
      remoteChanges: ['tags'],
    },
    {
      title: 'issue 13: a tag added here and another removed there both survive',
      local: { tags: ['go', 'svc', 'a-tag'] },
      remote: { tags: ['go'] },
      merged: { tags: ['go', 'a-tag'] },
      conflicts: [],
      localChanges: ['tags'],
      remoteChanges: ['tags'],
    },
    {
      title: 'tags: different additions on each side, local order then remote additions',
      local: { tags: ['x', 'go', 'svc'] },
      remote: { tags: ['go', 'y', 'svc'] },
      prefer: 'remote',
      merged: { tags: ['x', 'go', 'svc', 'y'] },
      conflicts: [],
      localChanges: ['tags'],
      remoteChanges: ['tags'],
    },
    {
      title: 'tags: each side removes a different tag, so neither is left',
      local: { tags: ['svc'] },
      remote: { tags: ['go', ' go '] },
      merged: { tags: [] },
      conflicts: [],
      localChanges: ['tags'],
      remoteChanges: ['tags'],
    },
    {
      title: 'same field changed both ways: local by default',
      local: { description: 'mine' },
      remote: { description: 'theirs' },
      merged: { description: 'mine' },
      conflicts: ['description:local'],
      localChanges: ['description'],
      remoteChanges: ['description'],
    },
    {
      title: 'same field changed both ways: remote when preferred',
      local: { description: 'mine', template: 't' },
      remote: { description: 'theirs' },
      prefer: 'remote',
      merged: { description: 'theirs', template: 't' },
      conflicts: ['description:remote'],
      localChanges: ['description', 'template'],
      remoteChanges: ['description'],
    },
    {
      title: 'timestamps: one-sided change taken, both-sided earlier/later, never a conflict',
      local: { updated_at: '2026-03-01T00:00:00.000Z', created_at: '2025-06-01T00:00:00.000Z' },
      remote: { updated_at: '2026-02-01T00:00:00.000Z' },
      prefer: 'remote',
      merged: { updated_at: '2026-03-01T00:00:00.000Z', created_at: '2025-06-01T00:00:00.000Z' },
      conflicts: [],
      localChanges: [],
      remoteChanges: [],
    },
    {
      title: 'timestamps compare as instants, not text',
      local: { updated_at: '2026-03-01T10:00:00+02:00' },
      remote: { updated_at: '2026-03-01T09:00:00Z' },
      merged: { updated_at: '2026-03-01T09:00:00Z' },
      conflicts: [],
      localChanges: [],
      remoteChanges: [],
    },
  ];

  it.each(cases)('$title', (c) => {
    const r = mergeFields(base, edit(c.local), edit(c.remote), c.prefer);
    expect(r.merged).toEqual(edit(c.merged));
    expect(r.conflicts.map((x) => `${x.field}:${x.chosen}`)).toEqual(c.conflicts);
    expect(r.localChanges).toEqual(c.localChanges);
    expect(r.remoteChanges).toEqual(c.remoteChanges);
  });

  it('reports both values of a conflict', () => {
    const r = mergeFields(base, edit({ status: 'paused' }), edit({ status: 'completed' }));
    expect(r.conflicts).toEqual([
      { field: 'status', local: 'paused', remote: 'completed', chosen: 'local' },
    ]);
  });

  it('never shares arrays with its inputs', () => {
    const remote = edit({ tags: ['z'] });
    const r = mergeFields(base, base, remote);
    r.merged.tags.push('mutated');
    expect(remote.tags).toEqual(['z']);
    expect(base.tags).toEqual(['go', 'svc']);
  });
});

describe('mergeFields without a base (linked, no sync history)', () => {
  const empty = edit({
    description: null,
    organization: '',
    tags: [],
    classification: null,
    remote_url: null,
  });

  it('takes the non-empty side silently when the other is empty', () => {
    const local = edit({ ...empty, description: 'mine', tags: [] });
    const remote = edit({ ...empty, tags: ['a'], organization: 'acme' });
    const r = mergeFields(null, local, remote);
    expect(r.conflicts).toEqual([]);
    expect(r.merged).toMatchObject({ description: 'mine', tags: ['a'], organization: 'acme' });
    expect(r.localChanges).toEqual(['description']);
    expect(r.remoteChanges).toEqual(['organization', 'tags']);
  });

  it('resolves two different non-empty values by prefer and reports them', () => {
    const local = edit({ description: 'mine' });
    const remote = edit({ description: 'theirs' });
    expect(mergeFields(null, local, remote).merged.description).toBe('mine');
    const r = mergeFields(null, local, remote, 'remote');
    expect(r.merged.description).toBe('theirs');
    expect(r.conflicts).toEqual([
      { field: 'description', local: 'mine', remote: 'theirs', chosen: 'remote' },
    ]);
  });

  it('keeps the earlier created_at and the later updated_at', () => {
    const local = edit({ created_at: '2026-05-01T00:00:00Z', updated_at: '2026-05-01T00:00:00Z' });
    const remote = edit({ created_at: '2026-04-01T00:00:00Z', updated_at: '2026-06-01T00:00:00Z' });
    const r = mergeFields(null, local, remote);
    expect(r.merged.created_at).toBe('2026-04-01T00:00:00Z');
    expect(r.merged.updated_at).toBe('2026-06-01T00:00:00Z');
    expect(r.conflicts).toEqual([]);
  });

  it('two empty spellings are no conflict', () => {
    const r = mergeFields(null, edit({ description: '' }), edit({ description: null }));
    expect(r.conflicts).toEqual([]);
    expect(r.merged.description).toBe('');
    const remote = mergeFields(
      null,
      edit({ description: '' }),
      edit({ description: null }),
      'remote',
    );
    expect(remote.merged.description).toBeNull();
    expect(remote.localChanges).toEqual([]);
  });
});

// --- properties -------------------------------------------------------------------------

const prefer = fc.constantFrom<Prefer>('local', 'remote');

describe('mergeFields properties', () => {
  it('merge(base, x, base) == x and merge(base, base, y) == y', () => {
    fc.assert(
      fc.property(fieldsArb, fieldsArb, prefer, (b, x, p) => {
        expect(sameSharedFields(mergeFields(b, x, b, p).merged, x)).toBe(true);
        expect(sameSharedFields(mergeFields(b, b, x, p).merged, x)).toBe(true);
        expect(mergeFields(b, x, b, p).conflicts).toEqual([]);
      }),
    );
  });

  it('is symmetric when the sides and prefer are flipped', () => {
    fc.assert(
      fc.property(triple, prefer, ([b, l, r], p) => {
        const flipped: Prefer = p === 'local' ? 'remote' : 'local';
        const one = mergeFields(b, l, r, p);
        const two = mergeFields(b, r, l, flipped);
        expect(sameSharedFields(one.merged, two.merged)).toBe(true);
        expect(one.localChanges).toEqual(two.remoteChanges);
        expect(one.conflicts.map((c) => [c.field, c.local, c.remote])).toEqual(
          two.conflicts.map((c) => [c.field, c.remote, c.local]),
        );
      }),
    );
  });

  it('has no conflicts when the sides touch disjoint fields', () => {
    fc.assert(
      fc.property(triple, prefer, ([b, l, r], p) => {
        fc.pre(b !== null);
        const touchedL = new Set(changedFields(b!, l));
        fc.pre(changedFields(b!, r).every((f) => !touchedL.has(f)));
        expect(mergeFields(b, l, r, p).conflicts).toEqual([]);
      }),
    );
  });

  it('takes every value from local, remote or base, and reports every conflict', () => {
    fc.assert(
      fc.property(triple, prefer, ([b, l, r], p) => {
        const { merged, conflicts } = mergeFields(b, l, r, p);
        for (const f of SHARED_FIELD_NAMES) {
          // With a base, tags merge tag by tag (checked in 'tags merge as sets' below).
          if (f === 'tags' && b !== null) continue;
          const from = [l[f], r[f], ...(b ? [b[f]] : [])];
          expect(from.some((v) => fieldEquals(f, v, merged[f]))).toBe(true);
        }
        for (const f of EDITABLE_FIELD_NAMES) {
          const c = conflicts.find((x) => x.field === f);
          if (c) expect(merged[f]).toEqual(p === 'local' ? l[f] : r[f]);
          // A field where the merge dropped a non-empty local value must be a reported
          // conflict or a one-sided remote change: nothing is lost silently.
          if (f === 'tags' && b !== null) continue;
          if (!fieldEquals(f, merged[f], l[f]) && b !== null && !isEmptyValue(l[f]))
            expect(c !== undefined || fieldEquals(f, b[f], l[f])).toBe(true);
        }
      }),
    );
  });

  it('is idempotent: merging the result again changes nothing', () => {
    fc.assert(
      fc.property(triple, prefer, ([b, l, r], p) => {
        const { merged } = mergeFields(b, l, r, p);
        expect(sameSharedFields(mergeFields(b, merged, merged, p).merged, merged)).toBe(true);
        expect(sameSharedFields(mergeFields(b, l, merged, p).merged, merged)).toBe(true);
        expect(sameSharedFields(mergeFields(b, merged, r, p).merged, merged)).toBe(true);
        expect(mergeFields(merged, merged, merged, p).conflicts).toEqual([]);
      }),
    );
  });
});

describe('tags merge as sets (issue 13, part 2)', () => {
  const tag = fc.constantFrom<string>('a', 'b', 'c', 'd', 'e');
  const tagSet = fc.uniqueArray(tag, { maxLength: 5 });
  /** One side's edit of the base: some tags removed, some added, the list shuffled. */
  const sideOf = (b: string[]) =>
    fc.tuple(fc.subarray(b), tagSet, fc.boolean()).map(([removed, added, reverse]) => {
      const out = [
        ...b.filter((t) => !removed.includes(t)),
        ...added.filter((t) => !b.includes(t)),
      ];
      return {
        tags: reverse ? out.reverse() : out,
        removed,
        added: added.filter((t) => !b.includes(t)),
      };
    });
  const edits = tagSet.chain((b) => fc.tuple(fc.constant(b), sideOf(b), sideOf(b)));
  const withTags = (tags: string[]) => sampleFields({ tags });
  const asSet = (tags: string[]) => [...new Set(tags)].sort();

  it('keeps every addition and removal made on one side, with no conflict', () => {
    fc.assert(
      fc.property(edits, prefer, ([b, l, r], p) => {
        const { merged, conflicts } = mergeFields(
          withTags(b),
          withTags(l.tags),
          withTags(r.tags),
          p,
        );
        expect(conflicts).toEqual([]);
        const got = new Set(merged.tags);
        for (const t of [...l.added, ...r.added]) expect(got.has(t)).toBe(true);
        for (const t of [...l.removed, ...r.removed]) expect(got.has(t)).toBe(false);
        // Nothing else moves: a tag neither side touched keeps its base membership.
        const touched = new Set([...l.added, ...r.added, ...l.removed, ...r.removed]);
        for (const t of b) if (!touched.has(t)) expect(got.has(t)).toBe(true);
        for (const t of got) expect(b.includes(t) || touched.has(t)).toBe(true);
        expect(merged.tags.length).toBe(got.size);
      }),
    );
  });

  it('is symmetric up to prefer, and an unchanged side yields the other side set', () => {
    fc.assert(
      fc.property(edits, prefer, ([b, l, r], p) => {
        const one = mergeFields(withTags(b), withTags(l.tags), withTags(r.tags), p).merged.tags;
        const two = mergeFields(withTags(b), withTags(r.tags), withTags(l.tags), 'local').merged
          .tags;
        expect(asSet(one)).toEqual(asSet(two));
        expect(
          asSet(mergeFields(withTags(b), withTags(b), withTags(r.tags), p).merged.tags),
        ).toEqual(asSet(r.tags));
        expect(
          asSet(mergeFields(withTags(b), withTags(l.tags), withTags(b), p).merged.tags),
        ).toEqual(asSet(l.tags));
      }),
    );
  });

  it('keeps local order, then remote additions in remote order', () => {
    expect(mergeTags(['a', 'b'], ['c', 'b', 'a'], ['a', 'e', 'b', 'd'])).toEqual([
      'c',
      'b',
      'a',
      'e',
      'd',
    ]);
  });

  it('without a base, tags on one side only are ambiguous: a conflict won by prefer', () => {
    const l = withTags(['svc', 'a-tag']);
    const r = withTags(['svc']);
    const local = mergeFields(null, l, r);
    expect(local.conflicts.map((c) => `${c.field}:${c.chosen}`)).toEqual(['tags:local']);
    expect(local.merged.tags).toEqual(['svc', 'a-tag']);
    expect(mergeFields(null, l, r, 'remote').merged.tags).toEqual(['svc']);
  });
});

describe('equivalent remote URLs (issue 13, part 4)', () => {
  it('two spellings of one repository are the same value: no conflict, each side keeps its own', () => {
    const b = sampleFields({ remote_url: null });
    const l = sampleFields({ remote_url: 'git@github.com:acme/one' });
    const r = sampleFields({ remote_url: 'https://github.com/acme/one.git' });
    expect(fieldEquals('remote_url', l.remote_url, r.remote_url)).toBe(true);
    const result = mergeFields(b, l, r);
    expect(result.conflicts).toEqual([]);
    expect(result.merged.remote_url).toBe('git@github.com:acme/one');
  });

  it('a change of repository is still a change', () => {
    expect(
      fieldEquals('remote_url', 'https://github.com/acme/one', 'https://github.com/acme/two'),
    ).toBe(false);
  });
});
