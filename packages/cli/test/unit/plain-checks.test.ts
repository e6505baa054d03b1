/**
 * The bundles check the registry and the remote cache with functions generated at build time
 * (scripts/plain-checks.mjs); everything else runs TypeBox on the same schemas. Both must
 * give the same answer on every value, valid or not, so they can never drift apart.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as core from '@dev-infra/core';
import { Code } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import { generatePlainChecks } from '../../scripts/plain-checks.mjs';
import { sampleProject } from '../support/fixtures.js';

afterAll(removeTempDirs);

type Check = (value: unknown) => boolean;
type Finder = (value: unknown) => { key: string; schema: object } | undefined;
let generated: Record<string, Check | Finder>;

beforeAll(async () => {
  const file = join(makeTempDir('dev-infra-plain-checks-'), 'checks.mjs');
  writeFileSync(file, generatePlainChecks(Code, core.PLAIN_CHECKS, core.PLAIN_FIELD_FINDERS));
  generated = await import(pathToFileURL(file).href);
});

const {
  id: _id,
  path: _path,
  ...fields
} = sampleProject({
  description: 'd',
  remote_url: 'git@github.com:a/b.git',
  tags: ['x', 'y'],
  project_type: 'Work',
});
const record = {
  uuid: 'u1',
  rev: 1,
  seq: 2,
  deleted: false,
  fields,
  checkouts: [{ machine_id: 'm', machine_name: 'desk', path: '/d', last_seen: 't' }],
};
const project = { id: 'p1', path: '/code/api', ...fields, sync: { rev: 1 } };

/** Wrong values for any one field: wrong types, limits just past and just within. */
const astral = (n: number) => '😀'.repeat(n);
const WRONG: unknown[] = [
  undefined,
  null,
  5,
  1.5,
  true,
  '',
  'x',
  'relative',
  '/abs',
  [],
  ['x'],
  [5],
  {},
  { path: 5 },
  'a'.repeat(201),
  'a'.repeat(200),
  astral(200),
  astral(201),
  'b'.repeat(5001),
  Array.from({ length: 101 }, (_, i) => `t${i}`),
  ['t'.repeat(101)],
  [astral(100)],
  'paused',
  'Work',
  'nope',
  [{ machine_id: 'm', machine_name: 'n', path: 5, last_seen: 't' }],
  [{ machine_id: 'm', machine_name: 'n', path: '/p' }],
];

/** The value itself, each field removed, and each field replaced by each wrong value. */
function variants(base: Record<string, unknown>): unknown[] {
  const out: unknown[] = [base, null, [], 'x', 5];
  for (const key of Object.keys(base)) {
    const { [key]: _gone, ...without } = base;
    out.push(without);
    for (const v of WRONG) out.push({ ...base, [key]: v });
  }
  return out;
}

const RUNTIME = {
  isSharedFields: core.isSharedFields,
  isSyncRecord: core.isSyncRecord,
  isRegistryProject: core.isRegistryProject,
};

const cases = {
  isSharedFields: variants(fields),
  isSyncRecord: [
    ...variants(record),
    ...variants(fields).map((f) => ({ ...record, fields: f })),
    { ...record, checkouts: [{ ...record.checkouts[0], path: 5 }] },
  ],
  isRegistryProject: variants(project),
};

describe('the generated plain checks', () => {
  it('exports what the run-time module exports', () => {
    const names = [...Object.keys(core.PLAIN_CHECKS), ...Object.keys(core.PLAIN_FIELD_FINDERS)];
    expect(Object.keys(generated).sort()).toEqual(names.sort());
  });

  it.each(Object.entries(cases))(
    '%s agrees with TypeBox on valid and invalid values',
    (name, values) => {
      const runtime = RUNTIME[name as keyof typeof cases];
      const plain = generated[name] as Check;
      let valid = 0;
      for (const value of values) {
        expect(plain(value), JSON.stringify(value)?.slice(0, 200)).toBe(runtime(value));
        if (runtime(value)) valid++;
      }
      expect(valid).toBeGreaterThan(0);
      expect(valid).toBeLessThan(values.length);
    },
  );

  it('finds the same first bad field of a registry project as TypeBox', () => {
    const plain = generated.badRegistryProjectField as Finder;
    for (const value of cases.isRegistryProject) {
      const found = core.badRegistryProjectField(value);
      expect(plain(value), JSON.stringify(value)?.slice(0, 200)).toEqual(
        found && { key: found.key, schema: JSON.parse(JSON.stringify(found.schema)) },
      );
      expect(found === undefined).toBe(core.isRegistryProject(value));
    }
  });
});
