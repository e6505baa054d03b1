/**
 * What a terminal shows, on a real pseudo-terminal (util-linux `script`): the aligned, coloured
 * table; and what a pipe, a file and /dev/null get (tab-separated lines, no colour), since
 * stdout is told a terminal or not without building `process.stdout`.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ptyRunner } from '../../../test-support/services.js';
import { makeTempDir, removeTempDirs } from '../../../test-support/tmp.js';
import { stripAnsi } from '../src/output/colour.js';
import { BIN, ensureBuilt, machineEnv, runCli } from './support/cli.js';

const script = ptyRunner();
const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

describe.skipIf(script === undefined)('terminal output', () => {
  let home: string;

  beforeAll(async () => {
    await ensureBuilt();
    home = makeTempDir('dev-infra-tty-');
    for (const name of ['web', 'api']) {
      mkdirSync(join(home, 'code', name), { recursive: true });
      expect(runCli(home, ['add', join(home, 'code', name)]).code).toBe(0);
    }
  });
  afterAll(removeTempDirs);

  /** Runs `dev-infra ARGS` on a pseudo-terminal and returns what it showed. */
  const onTerminal = (args: string[]) => {
    const command = [process.execPath, BIN, ...args].map(quote).join(' ');
    const r = spawnSync(script!, ['-qec', command, '/dev/null'], {
      env: machineEnv(home, { TERM: 'xterm' }),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.replace(/\r\n/g, '\n');
  };

  it('list on a terminal: a bold header over aligned columns', () => {
    const shown = onTerminal(['list']);
    expect(shown).toContain('\u001b[1mNAME\u001b[22m');
    const lines = stripAnsi(shown).trimEnd().split('\n');
    expect(lines.map((l) => l.split(/ {2,}/)[0])).toEqual(['NAME', 'api', 'web']);
    // The second column starts at the same place on every line.
    const second = (line: string) => /^\S+ {2,}/.exec(line)![0].length;
    expect(new Set(lines.map(second)).size).toBe(1);
  });

  it('list --all on a terminal: the table with its WHERE column', () => {
    const shown = onTerminal(['list', '--all']);
    expect(shown).toMatch(/NAME.*WHERE.*TYPE.*STATUS.*REMOTE/);
    expect(shown).toMatch(/api {2,}here: /);
  });

  it('a pipe, a file and /dev/null get tab-separated lines without colour', () => {
    const piped = runCli(home, ['list']);
    expect(piped.stdout).toMatch(/^api\t/);
    expect(piped.stdout).not.toContain('\u001b[');
    const file = join(home, 'out.txt');
    const fd = openSync(file, 'w');
    const toFile = spawnSync(process.execPath, [BIN, 'list'], {
      env: machineEnv(home),
      stdio: ['ignore', fd, 'pipe'],
    });
    closeSync(fd);
    expect(toFile.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(piped.stdout);
    const devNull = openSync('/dev/null', 'w');
    const toNull = spawnSync(process.execPath, [BIN, 'list', '--all'], {
      env: machineEnv(home),
      stdio: ['ignore', devNull, 'pipe'],
    });
    closeSync(devNull);
    expect(toNull.status, String(toNull.stderr)).toBe(0);
  });
});
