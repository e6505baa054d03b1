import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileSystemError, reportError, UsageError, UserError } from './errors.js';

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

/** An error shaped as Node raises it for a failed system call. */
function errno(code: string, syscall: string, path?: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(
    `${code}: ${syscall}${path === undefined ? '' : ` '${path}'`}`,
  );
  error.code = code;
  error.errno = code === 'ENOSPC' ? -28 : -30;
  error.syscall = syscall;
  if (path !== undefined) error.path = path;
  return error;
}

describe('file system errors', () => {
  it('says a full disk changed nothing, in one line, exit 1 without the --debug hint', () => {
    const s = stream();
    expect(reportError(errno('ENOSPC', 'write'), false, s.io)).toBe(1);
    expect(reportError(errno('ENOSPC', 'open', '/h/registry.json.123456789'), false, s.io)).toBe(1);
    expect(s.text()).toBe(
      'error: disk full: nothing was changed (free some space and retry)\n'.repeat(2),
    );
  });

  it('names the read-only file meant (not the temporary one), its control characters escaped', () => {
    const s = stream();
    expect(
      reportError(errno('EROFS', 'open', '/ro/home/registry.json.3141592653'), false, s.io),
    ).toBe(1);
    expect(
      reportError(errno('EROFS', 'mkdir', '/ro/\u001b[2Jevil/registry.json.lock'), false, s.io),
    ).toBe(1);
    expect(reportError(errno('EROFS', 'write'), false, s.io)).toBe(1);
    expect(s.text()).toBe(
      [
        'error: read-only file system: /ro/home/registry.json cannot be written; nothing was changed',
        'error: read-only file system: /ro/\\x1b[2Jevil/registry.json.lock cannot be written; nothing was changed',
        'error: read-only file system: a file cannot be written; nothing was changed',
        '',
      ].join('\n'),
    );
  });

  it('keeps the original stack with --debug, and leaves other errors alone', () => {
    const s = stream();
    reportError(errno('ENOSPC', 'write'), true, s.io);
    expect(s.text()).toMatch(/^error: disk full: .*\nError: ENOSPC: write\n {4}at /);
    expect(fileSystemError(errno('EACCES', 'open', '/x'))).toBeUndefined();
    expect(fileSystemError('ENOSPC')).toBeUndefined();
  });

  it('maps what a real failed write raises (ENOSPC from /dev/full where there is one)', () => {
    let raised: unknown;
    try {
      writeFileSync('/dev/full', 'x');
    } catch (error) {
      raised = error;
    }
    if (raised === undefined) return; // no /dev/full on this system
    expect((raised as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(fileSystemError(raised)?.message).toBe(
      'disk full: nothing was changed (free some space and retry)',
    );
  });
});
