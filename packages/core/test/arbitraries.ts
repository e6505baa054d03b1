/** fast-check generators of shared-field records, shared by the merge and status tests. */
import fc from 'fast-check';
import { SHARED_FIELD_NAMES } from '../src/project.js';
import type { SharedFields } from '../src/schema/fields.js';
import { CLASSIFICATIONS, PROJECT_STATUSES, PROJECT_TYPES } from '../src/vocabulary.js';

const smallText = fc.constantFrom('', 'a', 'b', 'c');
const nullableText = fc.option(smallText, { nil: null });
const instant = fc
  .integer({ min: 0, max: 5 })
  .map((d) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString());
export const fieldsArb: fc.Arbitrary<SharedFields> = fc.record({
  name: fc.constantFrom('api', 'web', 'cli'),
  description: nullableText,
  remote_url: fc.option(fc.constantFrom('https://x/a', 'https://x/b'), { nil: null }),
  project_type: fc.option(fc.constantFrom(...PROJECT_TYPES), { nil: null }),
  status: fc.constantFrom(...PROJECT_STATUSES),
  classification: fc.option(fc.constantFrom(...CLASSIFICATIONS), { nil: null }),
  organization: nullableText,
  tags: fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
  template: nullableText,
  template_version: nullableText,
  created_at: instant,
  updated_at: instant,
});
/** A variant of `from` that changes a random subset of fields to other random values. */
export const variantOf = (from: SharedFields) =>
  fc.tuple(fieldsArb, fc.subarray([...SHARED_FIELD_NAMES])).map(([other, fields]) => {
    const out = { ...from, tags: [...from.tags] };
    for (const f of fields) (out as Record<string, unknown>)[f] = other[f];
    return out;
  });
export const baseOrNull = fc.option(fieldsArb, { nil: null });
/** A base (or none) and two records derived from it, as a sync sees them. */
export const triple: fc.Arbitrary<[SharedFields | null, SharedFields, SharedFields]> =
  baseOrNull.chain((b) =>
    fc.tuple(fc.constant(b), b ? variantOf(b) : fieldsArb, b ? variantOf(b) : fieldsArb),
  );
