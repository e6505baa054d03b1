import { describe, expect, it } from 'vitest';
import { reportError, UsageError, UserError } from './errors.js';

/** An err stream that keeps what it was given. */
function stream() {
  const written: string[] = [];
  return { io: { err: (text: string) => void written.push(text) }, text: () => written.join('') };
}

describe('reportError', () => {
  it('prints a user error as one line on the given stream and returns its exit code', () => {
    const s = stream();
    expect(reportError(new UserError('no such\nproject'), false, s.io)).toBe(1);
    expect(reportError(new UsageError('bad flag'), true, s.io)).toBe(2);
    expect(s.text()).toMatch(
      /^error: no such project\nerror: bad flag\nUsageError: bad flag\n {4}at /,
    );
  });

  it('gives a bug the --debug hint, and its stack only with --debug', () => {
    const plain = stream();
    expect(reportError(new Error('boom'), false, plain.io)).toBe(1);
    expect(plain.text()).toBe('error: boom (run again with --debug for details)\n');
    const debug = stream();
    reportError(new Error('boom'), true, debug.io);
    expect(debug.text()).toMatch(/^error: boom\nError: boom\n {4}at /);
  });

  it("leaves commander's errors (already printed) to their exit code", () => {
    const s = stream();
    expect(reportError({ code: 'commander.helpDisplayed', exitCode: 0 }, false, s.io)).toBe(0);
    expect(reportError({ code: 'commander.unknownCommand', exitCode: 1 }, false, s.io)).toBe(2);
    expect(s.text()).toBe('');
  });
});
