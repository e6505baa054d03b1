import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appendBoundedLog,
  BACKGROUND_LOG_BYTES,
  BACKGROUND_LOG_LINES,
  formatBackgroundRun,
  lastBackgroundRun,
  parseBackgroundRun,
  parseSyncFrequency,
  syncFrequencyProblem,
  syncStamp,
} from '../src/auto-sync.js';

describe('sync.frequency', () => {
  it('reads durations, sums and the ways to switch it off', () => {
    expect(parseSyncFrequency('30s')).toBe(30);
    expect(parseSyncFrequency('10m')).toBe(600);
    expect(parseSyncFrequency('1h')).toBe(3600);
    expect(parseSyncFrequency(' 1H30m ')).toBe(5400);
    expect(parseSyncFrequency('2d')).toBe(172_800);
    expect(parseSyncFrequency('off')).toBe('off');
    expect(parseSyncFrequency('0')).toBe('off');
    expect(parseSyncFrequency('0m')).toBe('off');
  });

  it('refuses anything else, with one line naming the setting', () => {
    for (const bad of ['', '10', 'm', '-5m', '1.5h', '10 m', '1w', 'never', '367d', '5m3'])
      expect(parseSyncFrequency(bad), bad).toBeUndefined();
    const problem = syncFrequencyProblem('soon')!;
    expect(problem).toMatch(/^sync\.frequency must be a duration/);
    expect(problem).not.toContain('\n');
    expect(syncFrequencyProblem('10m')).toBeUndefined();
  });

  it('a number with a unit is that many of the unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('s', 'm', 'h'), (n, u) => {
        const per = { s: 1, m: 60, h: 3600 }[u];
        expect(parseSyncFrequency(`${n}${u}`)).toBe(n * per);
      }),
    );
  });

  it('the stamp is the epoch second the next sync is due, or off', () => {
    expect(syncStamp(1_000_999, 600)).toBe('1600\n');
    expect(syncStamp(1_000_999, 'off')).toBe('off\n');
  });
});

describe('the background log', () => {
  it('round-trips a run and flattens a message to one line', () => {
    const line = formatBackgroundRun({
      at: '2026-12-04T02:00:00.000Z',
      ok: false,
      message: 'a\nb',
    });
    expect(line).toBe('2026-12-04T02:00:00.000Z failed a b');
    expect(parseBackgroundRun(line)).toEqual({
      at: '2026-12-04T02:00:00.000Z',
      ok: false,
      message: 'a b',
    });
    expect(parseBackgroundRun('2026-12-04T02:00:00.000Z ok')).toEqual({
      at: '2026-12-04T02:00:00.000Z',
      ok: true,
      message: '',
    });
    expect(parseBackgroundRun('garbage')).toBeUndefined();
  });

  it('keeps the newest lines, within the line and byte bounds', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 600 }), { maxLength: 60 }), (messages) => {
        let text = '';
        const lines = messages.map((m, i) =>
          formatBackgroundRun({ at: `t${i}`, ok: i % 2 === 0, message: m }),
        );
        for (const line of lines) text = appendBoundedLog(text, line);
        if (lines.length === 0) return;
        const kept = text.split('\n').filter((l) => l !== '');
        expect(kept.length).toBeLessThanOrEqual(BACKGROUND_LOG_LINES);
        expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(BACKGROUND_LOG_BYTES);
        // The newest, in order: a suffix of what was appended.
        expect(kept).toEqual(lines.slice(lines.length - kept.length));
        expect(lastBackgroundRun(text)?.at).toBe(`t${lines.length - 1}`);
      }),
    );
  });

  it('a damaged line does not hide the last run', () => {
    expect(lastBackgroundRun('t1 ok\nt2 failed boom\n\u0000junk\n')?.message).toBe('boom');
    expect(lastBackgroundRun('')).toBeUndefined();
  });
});
