import { describe, expect, it } from 'vitest';
import { hasForbiddenControl, isTimestamp } from '../src/text-rules.js';

describe('text rules', () => {
  it('refuses NUL, C0, DEL and C1; newline and tab only in multiline fields', () => {
    expect(hasForbiddenControl('a\u0000b', true)).toBe(true);
    expect(hasForbiddenControl('a\u007fb', true)).toBe(true);
    expect(hasForbiddenControl('a\u009bb', true)).toBe(true);
    expect(hasForbiddenControl('a\nb\tc', true)).toBe(false);
    expect(hasForbiddenControl('a\nb', false)).toBe(true);
    expect(hasForbiddenControl('a\u202eb', false)).toBe(false);
  });
  it('accepts RFC 3339 timestamps only', () => {
    expect(isTimestamp('2024-01-02T03:04:05.123Z')).toBe(true);
    expect(isTimestamp('2024-01-02 03:04:05')).toBe(true);
    expect(isTimestamp('yesterday')).toBe(false);
    expect(isTimestamp('2024-13-45T99:00:00Z')).toBe(false);
  });
});
