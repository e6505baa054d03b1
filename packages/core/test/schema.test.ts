import { describe, expect, it } from 'vitest';
import { describeIssue, type SchemaIssue, schemaChecker } from '../src/schema/check.js';
import { HistoryEntrySchema, ProjectsPageSchema } from '../src/schema/dashboard.js';
import { SharedFieldsSchema } from '../src/schema/fields.js';
import { BasicProjectListSchema } from '../src/schema/project.js';
import {
  ChangesResponseSchema,
  HealthResponseSchema,
  PushResponseSchema,
  type SyncRecord,
  SyncRecordSchema,
} from '../src/schema/sync.js';
import { LIMITS } from '../src/vocabulary.js';
import { sampleFields } from './fixtures.js';

const fields = sampleFields({
  description: 'the API',
  remote_url: 'https://github.com/acme/api',
  project_type: 'Work',
  classification: 'primary',
  organization: 'acme',
  tags: ['go', 'svc'],
  updated_at: '2026-01-02T00:00:00.000Z',
});
const record: SyncRecord = {
  uuid: '00000000-0000-4000-8000-000000000001',
  rev: 3,
  seq: 4,
  deleted: false,
  fields,
  checkouts: [
    { machine_id: 'm1', machine_name: 'laptop', path: '/home/u/api', last_seen: fields.created_at },
  ],
};

const recordCheck = schemaChecker(SyncRecordSchema);
const changesCheck = schemaChecker(ChangesResponseSchema);
const fieldsCheck = schemaChecker(SharedFieldsSchema);

/** The record with `fields` changed as given (a value of any type, as a hostile sender might). */
const withFields = (changes: Record<string, unknown>): unknown => ({
  ...record,
  fields: { ...fields, ...changes },
});

describe('schemas', () => {
  it('accepts a valid record, a tombstone, nulls where allowed and extra fields', () => {
    expect(recordCheck.is(record)).toBe(true);
    expect(recordCheck.issue(record)).toBeUndefined();
    expect(recordCheck.is({ ...record, deleted: true, checkouts: [] })).toBe(true);
    const nulls = { description: null, remote_url: null, project_type: null };
    expect(recordCheck.is(withFields({ ...nulls, classification: null, organization: null }))).toBe(
      true,
    );
    // A newer server may send more: the CLI must not refuse it.
    expect(recordCheck.is({ ...record, since_v2: 1, fields: { ...fields, color: 'red' } })).toBe(
      true,
    );
  });

  it('names the field of a wrong type, with its place in the answer', () => {
    const page = { changes: [record, record, record, withFields({ tags: 'go' })], next: 4 };
    const issue = changesCheck.issue({ ...page, more: false, head: 4 });
    expect(issue).toEqual({ path: 'changes[3].fields.tags', message: 'must be an array' });
    expect(describeIssue(issue as SchemaIssue)).toBe('changes[3].fields.tags: must be an array');
    expect(recordCheck.issue({ ...record, rev: '3' })).toEqual({
      path: 'rev',
      message: 'must be an integer',
    });
    expect(recordCheck.issue({ ...record, rev: 1.5 })).toMatchObject({ path: 'rev' });
    expect(recordCheck.issue(withFields({ tags: ['go', 7] }))).toEqual({
      path: 'fields.tags[1]',
      message: 'must be a string',
    });
    expect(changesCheck.issue([])).toEqual({ path: '', message: 'must be an object' });
  });

  it('refuses nulls where they are not allowed, and missing fields', () => {
    expect(fieldsCheck.issue({ ...fields, name: null })).toEqual({
      path: 'name',
      message: 'must be a string',
    });
    expect(fieldsCheck.issue({ ...fields, tags: null })).toMatchObject({ path: 'tags' });
    expect(fieldsCheck.issue({ ...fields, status: null })).toMatchObject({ path: 'status' });
    expect(fieldsCheck.issue({ ...fields, description: 5 })).toEqual({
      path: 'description',
      message: 'must be a string or null',
    });
    const { updated_at: _, ...partial } = fields;
    expect(fieldsCheck.issue(partial)).toEqual({ path: 'updated_at', message: 'is missing' });
    expect(recordCheck.issue({ ...record, checkouts: [{ machine_id: 'm' }] })).toEqual({
      path: 'checkouts[0].machine_name',
      message: 'is missing',
    });
  });

  it('refuses strings, lists and enums beyond core limits', () => {
    expect(fieldsCheck.issue({ ...fields, name: 'x'.repeat(LIMITS.name + 1) })).toEqual({
      path: 'name',
      message: `must be at most ${LIMITS.name} characters`,
    });
    expect(fieldsCheck.issue({ ...fields, name: '' })).toEqual({
      path: 'name',
      message: 'must not be empty',
    });
    expect(
      fieldsCheck.issue({ ...fields, description: 'd'.repeat(LIMITS.description + 1) }),
    ).toMatchObject({ path: 'description' });
    expect(fieldsCheck.issue({ ...fields, tags: ['t'.repeat(LIMITS.tag + 1)] })).toMatchObject({
      path: 'tags[0]',
    });
    const many = Array.from({ length: LIMITS.tags + 1 }, (_, i) => `t${i}`);
    expect(fieldsCheck.issue({ ...fields, tags: many })).toEqual({
      path: 'tags',
      message: `must have at most ${LIMITS.tags} items`,
    });
    expect(fieldsCheck.issue({ ...fields, status: 'done' })).toEqual({
      path: 'status',
      message: 'must be one of active, paused, completed, cancelled',
    });
    expect(fieldsCheck.issue({ ...fields, project_type: 'Hobby' })).toEqual({
      path: 'project_type',
      message: 'must be one of Work, Personal, Learning, Inactive, null',
    });
  });

  it('reports the branch of a union the sender meant', () => {
    const push = schemaChecker(PushResponseSchema);
    const ok = { uuid: 'u', status: 'applied', rev: 1, seq: 1 };
    const answer = (results: unknown[]) => ({ results, checkouts: [], head: 1 });
    expect(push.is(answer([ok, { uuid: 'v', status: 'rejected', error: 'bad name' }]))).toBe(true);
    expect(push.issue(answer([ok, { uuid: 'v', status: 'conflict' }]))).toEqual({
      path: 'results[1].current',
      message: 'is missing',
    });
    expect(
      push.issue(answer([{ uuid: 'v', status: 'conflict', current: { ...record, seq: 'x' } }])),
    ).toEqual({ path: 'results[0].current.seq', message: 'must be an integer' });
    expect(push.issue(answer([{ uuid: 'v', status: 'done' }]))).toEqual({
      path: 'results[0].status',
      message: 'must be one of applied, conflict, rejected',
    });
  });

  it('checks the other answers: health, the basic list, the dashboard', () => {
    const health = schemaChecker(HealthResponseSchema);
    expect(health.is({ status: 'ok', message: 'up' })).toBe(true);
    expect(health.issue({ status: 'ok', message: 'up', capabilities: 'sync-v1' })).toMatchObject({
      path: 'capabilities',
    });
    const basic = schemaChecker(BasicProjectListSchema);
    const project = {
      id: 1,
      name: 'api',
      path: null,
      organization: null,
      classification: null,
      project_type: 'Work',
      status: null,
      description: null,
      remote_url: null,
      created_at: 'x',
      updated_at: 'x',
    };
    expect(basic.is([project])).toBe(true);
    expect(basic.issue([project, { ...project, id: '2' }])).toEqual({
      path: '[1].id',
      message: 'must be an integer',
    });
    const page = schemaChecker(ProjectsPageSchema);
    const { deleted: _, ...live } = record;
    expect(page.is({ total: 1, page: 1, per_page: 50, projects: [live] })).toBe(true);
    expect(schemaChecker(HistoryEntrySchema).issue({ seq: 1 })).toMatchObject({ path: 'at' });
  });
});
