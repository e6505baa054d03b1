import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { colourEnabled, palette, stripAnsi } from '../../src/output/colour.js';
import { compareText } from '../../src/output/order.js';
import { expandHome, shortenPath } from '../../src/output/paths.js';
import { renderProjectTable, renderProjectTsv } from '../../src/output/project-view.js';
import { renderTable, renderTsv } from '../../src/output/table.js';
import type { LocalProject } from '../../src/registry/format.js';
import { sampleProject } from '../support/fixtures.js';

const project = (over: Partial<LocalProject>) =>
  sampleProject({ name: 'x', path: '/home/me/x', ...over });

describe('renderTable', () => {
  it('pads every column but the last to its widest cell, two spaces apart', () => {
    expect(
      renderTable(
        ['A', 'BB', 'C'],
        [
          ['long', 'x', 'end'],
          ['s', 'yyy', ''],
        ],
      ),
    ).toBe('A     BB   C\nlong  x    end\ns     yyy\n');
  });

  it('measures coloured cells by their visible width', () => {
    const c = palette(true);
    const out = renderTable(['N', 'M'], [[[{ text: 'abc', paint: c.red }], 'z']], c.bold);
    expect(stripAnsi(out)).toBe('N    M\nabc  z\n');
    expect(out).toContain('\u001b[31mabc\u001b[39m');
  });

  it('escapes control characters, tabs and newlines in cells before colouring them', () => {
    const c = palette(true);
    const hostile = 'a\u001b]0;owned\u0007\tb\nc\u202e';
    const out = renderTable(['N', 'M'], [[hostile, [{ text: hostile, paint: c.red }]]]);
    const shown = 'a\\x1b]0;owned\\x07\\x09b\\x0ac\\u202e';
    expect(out).toBe(`N${' '.repeat(shown.length + 1)}M\n${shown}  \u001b[31m${shown}\u001b[39m\n`);
    expect(renderTsv([[hostile, 'x']])).toBe('a\\x1b]0;owned\\x07 b c\\u202e\tx\n');
  });
});

describe('renderTsv', () => {
  it('joins cells with tabs and replaces tabs and newlines inside cells', () => {
    expect(
      renderTsv([
        ['a', 'b\tc', 'd\ne'],
        ['', 'x', ''],
      ]),
    ).toBe('a\tb c\td e\n\tx\t\n');
  });
});

describe('project rendering', () => {
  const rows = [
    {
      project: project({
        name: 'api-server',
        path: '/home/me/code/api-server',
        remote_url: 'git@github.com:acme/api-server.git',
        tags: ['go', 'svc'],
        project_type: 'Work',
      }),
      missing: false,
    },
    {
      project: project({ name: 'old', path: '/srv/old', status: 'paused' }),
      missing: true,
    },
  ];

  it('renders the terminal table with ~ paths, normalised remotes and [missing]', () => {
    expect(renderProjectTable(rows, palette(false), '/home/me')).toBe(
      [
        'NAME        PATH               TYPE  STATUS  TAGS    REMOTE',
        'api-server  ~/code/api-server  Work  active  go,svc  github.com/acme/api-server',
        'old         /srv/old                 paused          (none)  [missing]',
        '',
      ].join('\n'),
    );
  });

  it('renders piped output as tab-separated fields with absolute paths', () => {
    expect(renderProjectTsv(rows)).toBe(
      'api-server\t/home/me/code/api-server\tWork\tactive\tgo,svc\tgithub.com/acme/api-server\t\n' +
        'old\t/srv/old\t\tpaused\t\t\tmissing\n',
    );
  });
});

describe('paths', () => {
  it('shortens the home folder to ~ only at a path boundary', () => {
    expect(shortenPath('/home/me/code/x', '/home/me')).toBe('~/code/x');
    expect(shortenPath('/home/me', '/home/me/')).toBe('~');
    expect(shortenPath('/home/meow/x', '/home/me')).toBe('/home/meow/x');
    expect(shortenPath('/srv/x', '/home/me')).toBe('/srv/x');
    expect(shortenPath('/x', '/')).toBe('/x');
  });

  it('expands a leading ~', () => {
    expect(expandHome('~/code', '/home/me')).toBe('/home/me/code');
    expect(expandHome('~', '/home/me')).toBe('/home/me');
    expect(expandHome('/a/~', '/home/me')).toBe('/a/~');
  });
});

describe('colourEnabled', () => {
  it('colours only a terminal, never with NO_COLOR or TERM=dumb', () => {
    expect(colourEnabled(true, {})).toBe(true);
    expect(colourEnabled(false, {})).toBe(false);
    expect(colourEnabled(true, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled(true, { NO_COLOR: '' })).toBe(true);
    expect(colourEnabled(true, { TERM: 'dumb' })).toBe(false);
  });

  it('a disabled palette returns text unchanged', () => {
    expect(palette(false).red('x')).toBe('x');
  });
});

describe('listing order', () => {
  it('ignores case and accents, then breaks ties by code point', () => {
    const names = ['web', 'Zeta', 'api', 'éclair', 'API', 'eclair', 'Éclair', 'a-b', 'a_b', 'a1'];
    expect([...names].sort(compareText)).toEqual([
      'a-b',
      'a1',
      'a_b',
      'API',
      'api',
      'eclair',
      'Éclair',
      'éclair',
      'web',
      'Zeta',
    ]);
  });

  it('is a total order: antisymmetric, transitive, zero only for equal strings', () => {
    const text = fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('é', 'E', 'e', 'É', 'ß'));
    fc.assert(
      fc.property(text, text, text, (a, b, c) => {
        expect(Math.sign(compareText(a, b)) + Math.sign(compareText(b, a))).toBe(0);
        expect(compareText(a, b) === 0).toBe(a === b);
        if (compareText(a, b) <= 0 && compareText(b, c) <= 0)
          expect(compareText(a, c)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 2000 },
    );
  });
});
