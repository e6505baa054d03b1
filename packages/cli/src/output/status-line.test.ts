/** The status line: drawn in place, cut to the terminal's width, off when not a terminal. */
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/support/context.js';
import { StatusLine } from './status-line.js';

const ERASE = '\r\u001b[2K';

describe('StatusLine', () => {
  it('redraws in place, prints lines above itself, and is erased for good by clear', () => {
    const ctx = testContext({ home: '/nonexistent', tty: true });
    const status = new StatusLine(ctx.io, true, 20);
    status.show('cloning 0/2');
    status.print(() => ctx.io.out('cloned a\n'), 'cloning 1/2');
    status.show('x'.repeat(40));
    status.clear();
    status.clear();
    expect(ctx.stderr()).toBe(
      `${ERASE}cloning 0/2${ERASE}${ERASE}cloning 1/2${ERASE}${'x'.repeat(18)}…${ERASE}`,
    );
    expect(ctx.stdout()).toBe('cloned a\n');
  });

  it('writes nothing but the printed lines when stderr is not a terminal', () => {
    const ctx = testContext({ home: '/nonexistent' });
    const status = new StatusLine(ctx.io, false);
    status.show('cloning 0/1');
    status.print(() => ctx.io.out('cloned a\n'), 'cloning 1/1');
    status.clear();
    expect(ctx.stderr()).toBe('');
    expect(ctx.stdout()).toBe('cloned a\n');
  });
});
