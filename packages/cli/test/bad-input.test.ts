/**
 * The CLI (in this process, with a test context) given bad flags, bad names and broken config files: every time one line on
 * stderr starting with "error: " (no stack), nothing on stdout, a non-zero exit (2 for usage,
 * 1 for a failure), and the files it was given left byte-identical.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../test-support/tmp.js';
import { makeRepo } from './support/cli.js';
import { runInProcess } from './support/context.js';

afterAll(removeTempDirs);

interface Case {
  args: string[];
  code: 1 | 2;
  message: RegExp;
  /** config.yml content to start with. */
  config?: string;
}

const REPO = '{repo}';
const long = (n: number) => 'n'.repeat(n);

const CASES: Case[] = [
  // Flags and commands
  { args: ['lst'], code: 2, message: /unknown command 'lst' \(Did you mean/ },
  { args: ['list', '--stauts', 'x'], code: 2, message: /unknown option '--stauts'/ },
  { args: ['--bogus'], code: 2, message: /unknown option '--bogus'/ },
  { args: ['list', 'extra'], code: 2, message: /too many arguments/ },
  { args: ['list', '--status', 'done'], code: 2, message: /Use one of active/ },
  { args: ['add', REPO, '--type', 'hobby'], code: 2, message: /Use one of Work/ },
  { args: ['add', REPO, '--status'], code: 2, message: /argument missing/ },
  { args: ['update'], code: 2, message: /missing required argument 'name'/ },
  { args: ['update', 'p', '--status', "'; DROP"], code: 2, message: /Use one of/ },
  { args: ['scan', '/tmp', '--depth', '99'], code: 2, message: /0 to 20/ },
  { args: ['scan', '/tmp', '--depth', '-1'], code: 2, message: /0 to 20/ },
  { args: ['scan', '/tmp', '--depth', 'deep'], code: 2, message: /0 to 20/ },
  { args: ['show'], code: 2, message: /missing required argument/ },
  { args: ['remove'], code: 2, message: /missing required argument/ },
  { args: ['config', 'set', 'nokey', '1'], code: 2, message: /unknown config key "nokey"/ },
  { args: ['config', 'get', '../../etc/passwd'], code: 2, message: /unknown config key/ },
  { args: ['config', 'set', 'clone_root', 'relative/dir'], code: 2, message: /absolute path/ },
  { args: ['config', 'set', 'machine.name', ''], code: 2, message: /must not be empty/ },
  { args: ['config', 'set', 'machine.name', 'a/b'], code: 2, message: /machine\.name/ },
  { args: ['completion', 'tcsh'], code: 2, message: /tcsh|argument/ },
  // Bad names
  { args: ['add', REPO, '--name', 'a/b'], code: 2, message: /must not contain "\/"/ },
  { args: ['add', REPO, '--name', '..\\up'], code: 2, message: /must not contain/ },
  { args: ['add', REPO, '--name', ''], code: 2, message: /empty/ },
  { args: ['add', REPO, '--name', '   '], code: 2, message: /empty/ },
  { args: ['add', REPO, '--name', long(201)], code: 2, message: /200/ },
  { args: ['add', REPO, '--name', 'line\nbreak'], code: 2, message: /name/ },
  { args: ['update', 'ghost', '--status', 'paused'], code: 1, message: /no project named "ghost"/ },
  { args: ['show', '../../etc/passwd'], code: 1, message: /no project named/ },
  { args: ['remove', 'ghost'], code: 1, message: /ghost/ },
  { args: ['add', '/nonexistent/dir'], code: 1, message: /does not exist/ },
  { args: ['scan', '/nonexistent/dir'], code: 1, message: /nonexistent/ },
  // Broken config files
  ...(
    [
      ['clone_root: [unclosed\n', /is not valid YAML/],
      ['- a\n- b\n', /must be a YAML mapping/],
      ['\u00ff\u00fe\u0000garbage', /config\.yml/],
      // A number is read as its text (as `config set` would store it), then checked.
      ['clone_root: 5\n', /clone_root must be an absolute path/],
      ['clone_root: [a, b]\n', /clone_root must be a text value/],
      ['clone_root: relative\n', /clone_root must be an absolute path/],
      ['clone_root: {a: 1}\n', /clone_root must be a text value/],
    ] as [string, RegExp][]
  ).flatMap(([config, message]) =>
    [
      ['config', 'list'],
      ['config', 'get', 'clone_root'],
      ['config', 'set', 'clone_root', '/x'],
      ['doctor'],
    ].map((args): Case => ({ args, code: 1, message, config })),
  ),
];

describe('bad input to the CLI', () => {
  it.each(
    CASES.map(
      (c) =>
        [
          `${c.args.join(' ')}${c.config ? ` with config ${JSON.stringify(c.config)}` : ''}`,
          c,
        ] as const,
    ),
  )('%s', async (_label, c) => {
    const root = makeTempDir('dev-infra-bad-');
    const home = join(root, 'home');
    mkdirSync(home);
    const repo = makeRepo(join(root, 'repo'));
    const configFile = join(home, 'config.yml');
    if (c.config !== undefined) writeFileSync(configFile, c.config);
    const args = c.args.map((a) => (a === REPO ? repo : a));
    const r = await runInProcess(args, { home, cwd: root });
    if (args[0] === 'doctor') {
      // doctor reports every problem as a list on stdout; it must name the file and fail.
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(configFile);
    } else {
      expect(r.code, r.stderr).toBe(c.code);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toMatch(c.message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    }
    if (c.config !== undefined) expect(readFileSync(configFile, 'utf8')).toBe(c.config);
  });
});
