import { describe, expect, it } from 'vitest';
import {
  fieldEquals,
  normaliseTags,
  parseProjectStatus,
  parseProjectType,
  validateName,
  validateSharedFields,
} from '../src/project.js';
import type { SharedFields } from '../src/schema/fields.js';
import { sampleFields } from './fixtures.js';

const base = sampleFields({ project_type: 'Work' });

describe('project validation', () => {
  it('parses enums in any case and refuses others', () => {
    expect(parseProjectType('work')).toBe('Work');
    expect(parseProjectType('LEARNING')).toBe('Learning');
    expect(parseProjectType('hobby')).toBeUndefined();
    expect(parseProjectStatus('Paused')).toBe('paused');
    expect(parseProjectStatus('done')).toBeUndefined();
  });

  it('refuses empty, long, slashed and control-character names', () => {
    expect(validateName('')).toMatchObject({ field: 'name' });
    expect(validateName('x'.repeat(201))).toMatchObject({ field: 'name' });
    expect(validateName('a/b')).toMatchObject({ field: 'name' });
    expect(validateName('a\nb')).toMatchObject({ field: 'name' });
    expect(validateName('api-server')).toBeUndefined();
  });

  it('refuses "." and ".." (they would be a folder of clone_root\'s own) and C1 controls', () => {
    expect(validateName('.')).toMatchObject({ field: 'name', message: 'name must not be "."' });
    expect(validateName('..')).toMatchObject({ field: 'name', message: 'name must not be ".."' });
    expect(validateName('a\u009b31mb')).toMatchObject({ field: 'name' });
    expect(validateName('...')).toBeUndefined();
    expect(validateName('.dotfiles')).toBeUndefined();
    expect(validateName('café')).toBeUndefined();
  });

  it('reports every invalid field of a record', () => {
    const bad = {
      ...base,
      status: 'done',
      project_type: 'Hobby',
      remote_url: 'x'.repeat(501),
    } as unknown as SharedFields;
    const fields = validateSharedFields(bad).map((e) => e.field);
    expect(fields.sort()).toEqual(['project_type', 'remote_url', 'status']);
    expect(validateSharedFields(base)).toEqual([]);
  });

  it('compares tags as sets', () => {
    expect(normaliseTags([' b', 'a', 'b', ''])).toEqual(['a', 'b']);
    expect(fieldEquals('tags', ['a', 'b'], ['b', 'a'])).toBe(true);
    expect(fieldEquals('tags', ['a'], ['a', 'b'])).toBe(false);
    expect(fieldEquals('description', null, null)).toBe(true);
    expect(fieldEquals('description', 'x', null)).toBe(false);
  });
});
