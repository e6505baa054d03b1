/** `exec`, run in this process against three real git repositories. */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { machineEnv, makeRepo } from '../../../test/support/cli.js';
import { machine, ok } from '../../../test/support/machine.js';
import { BoundedCapture, CAPTURE_LIMIT } from './capture.js';

afterAll(removeTempDirs);

const NODE = process.execPath;
/** Prints the folder's last part, and fails with exit 3 in `web`. */
const FAIL_IN_WEB =
  "const n = require('path').basename(process.cwd()); console.log('in ' + n); if (n === 'web') { console.error('boom'); process.exit(3); }";

/** A repository with one committed file, so a later change to it shows as dirty. */
function committedRepo(dir: string): string {
  makeRepo(dir);
  writeFileSync(join(dir, 'README'), 'hello\n');
  const env = machineEnv(dir);
  execFileSync('git', ['-C', dir, 'add', 'README'], { env });
  execFileSync('git', ['-C', dir, 'commit', '-q', '-m', 'first'], { env });
  return dir;
}

/** A machine with api (tag go), web (tag js) and lib (tag go), each a committed repository. */
async function threeProjects() {
  const m = machine();
  const api = committedRepo(join(m.code, 'api'));
  const web = committedRepo(join(m.code, 'web'));
  const lib = committedRepo(join(m.code, 'lib'));
  await ok(m, ['add', api, '--tag', 'go', '--type', 'Work']);
  await ok(m, ['add', web, '--tag', 'js']);
  await ok(m, ['add', lib, '--tag', 'go']);
  return { m, api, web, lib };
}

describe('exec', () => {
  it('groups each project under its name in listing order, sums up failures and exits 1', async () => {
    const { m } = await threeProjects();
    const r = await m.cli(['exec', '--', NODE, '-e', FAIL_IN_WEB]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('==> api <==\nin api\n==> lib <==\nin lib\n==> web <==\nin web\nboom\n');
    expect(r.stderr).toBe('1 of 3 failed: web (exit 3)\n');
  });

  it('prints every project with its exit code and output as JSON', async () => {
    const { m, web } = await threeProjects();
    const r = await m.cli(['exec', '--json', '--jobs', '1', '--', NODE, '-e', FAIL_IN_WEB]);
    expect(r.code).toBe(1);
    const rows = JSON.parse(r.stdout) as { name: string; exit_code: number; stderr: string }[];
    expect(rows.map((row) => [row.name, row.exit_code])).toEqual([
      ['api', 0],
      ['lib', 0],
      ['web', 3],
    ]);
    expect(rows[2]).toMatchObject({ path: web, stdout: 'in web\n', stderr: 'boom\n' });
  });

  it('runs only in projects with the tag, of the type, or with changes', async () => {
    const { m, lib } = await threeProjects();
    const cwd = [NODE, '-e', "console.log(require('path').basename(process.cwd()))"];
    expect(await ok(m, ['exec', '--tag', 'go', '--', ...cwd])).toBe(
      '==> api <==\napi\n==> lib <==\nlib\n',
    );
    expect(await ok(m, ['exec', '--type', 'work', '--', ...cwd])).toBe('==> api <==\napi\n');
    writeFileSync(join(lib, 'README'), 'changed\n');
    expect(await ok(m, ['exec', '--dirty', '--', ...cwd])).toBe('==> lib <==\nlib\n');
    const none = await m.cli(['exec', '--status', 'paused', '--', ...cwd]);
    expect(none).toEqual({ code: 0, stdout: '', stderr: 'No projects match these filters.\n' });
    const bad = await m.cli(['exec', '--status', 'nope', '--', ...cwd]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Use one of active, paused, completed, cancelled.');
  });

  it('with --stream prefixes each line with its project, stdout and stderr apart', async () => {
    const { m } = await threeProjects();
    const r = await m.cli(['exec', '--stream', '--tag', 'js', '--', NODE, '-e', FAIL_IN_WEB]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('web: in web\n');
    expect(r.stderr).toBe('web: boom\n1 of 1 failed: web (exit 3)\n');
  });

  it('passes arguments literally, with no shell: $HOME and ; reach the command as written', async () => {
    const { m } = await threeProjects();
    const argv = [NODE, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))'];
    const out = await ok(m, [
      'exec',
      '--tag',
      'js',
      '--',
      ...argv,
      '$HOME',
      'a; echo injected',
      '*',
    ]);
    expect(out).toBe('==> web <==\n["$HOME","a; echo injected","*"]\n');
  });

  it('reports a command not found in each project, and skips a missing folder', async () => {
    const { m, lib } = await threeProjects();
    rmSync(lib, { recursive: true });
    const r = await m.cli(['exec', '--', 'no-such-command-dev-infra'], undefined, {
      PATH: process.env.PATH,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      '==> api <==\ndev-infra: command not found: no-such-command-dev-infra\n' +
        '==> web <==\ndev-infra: command not found: no-such-command-dev-infra\n',
    );
    expect(r.stderr).toBe(
      `skipped lib: its folder ${lib} is missing\n2 of 2 failed: api (exit 127), web (exit 127)\n`,
    );
  });

  it('shows a name from another machine with its control characters escaped', async () => {
    const m = machine();
    const dir = committedRepo(join(m.code, 'evil'));
    await ok(m, ['add', dir, '--name', 'evil']);
    const file = join(m.home, 'registry.json');
    const text = m.registryText().replace('"name": "evil"', '"name": "ev\\u001b[2Jil"');
    writeFileSync(file, text);
    const r = await m.cli(['exec', '--', NODE, '-e', 'process.exit(1)']);
    expect(r.stdout).toBe('==> ev\\x1b[2Jil <==\n');
    expect(r.stderr).toBe('1 of 1 failed: ev\\x1b[2Jil (exit 1)\n');
  });

  it("says where the command's own flags go when one comes before --", async () => {
    const { m } = await threeProjects();
    const r = await m.cli(['exec', 'git', 'status', '-s']);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "error: unknown option '-s' (put the command after --: dev-infra exec -- CMD ARGS...)\n",
    });
  });

  it('runs projects at once yet prints them in listing order; --jobs 1 runs them one by one', async () => {
    const { m } = await threeProjects();
    // api sleeps longest, so with three at once it ends last; each notes when it started and ended.
    const timed = [
      NODE,
      '-e',
      "const n = require('path').basename(process.cwd()); const t = Date.now(); setTimeout(() => console.log(n, t, Date.now()), n === 'api' ? 600 : 200);",
    ];
    const spans = (out: string) =>
      out
        .split('\n')
        .filter((line) => !line.startsWith('==>') && line !== '')
        .map((line) => line.split(' ').slice(1).map(Number) as [number, number]);
    const parallel = await ok(m, ['exec', '--jobs', '3', '--', ...timed]);
    expect(parallel).toMatch(/^==> api <==\napi .*\n==> lib <==\nlib .*\n==> web <==\nweb .*\n$/);
    const [api, lib] = spans(parallel);
    expect(lib![0]).toBeLessThan(api![1]);
    const serial = spans(await ok(m, ['exec', '--jobs', '1', '--', ...timed]));
    expect(serial[1]![0]).toBeGreaterThanOrEqual(serial[0]![1]);
    expect(serial[2]![0]).toBeGreaterThanOrEqual(serial[1]![1]);
  });

  it('refuses --stream with --json, and says when nothing is registered', async () => {
    const m = machine();
    const both = await m.cli(['exec', '--stream', '--json', '--', NODE, '-v']);
    expect(both).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: --stream and --json do not mix\n',
    });
    const empty = await m.cli(['exec', '--', NODE, '-v']);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toMatch(/^No projects registered yet/);
  });

  it('keeps at most CAPTURE_LIMIT of a runaway output, its start and its end, and says so', async () => {
    const m = machine();
    await ok(m, ['add', committedRepo(join(m.code, 'noisy'))]);
    const size = CAPTURE_LIMIT + 4 * 1024 * 1024;
    const script = `process.stdout.write('<start>' + 'x'.repeat(${size}) + '<end>')`;
    const r = await m.cli(['exec', '--', NODE, '-e', script]);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('==> noisy <==\n<start>')).toBe(true);
    expect(r.stdout).toMatch(/<end>\n$/);
    expect(r.stdout).toMatch(/\n\[dev-infra: \d+ bytes of output not shown\]\n/);
    expect(r.stdout.length).toBeLessThan(CAPTURE_LIMIT + 1024);
  });
});

describe('BoundedCapture', () => {
  it('keeps everything under the limit, else the first and last halves and the count dropped', () => {
    const small = new BoundedCapture(10);
    small.push(Buffer.from('abc'));
    small.push(Buffer.from('de'));
    expect(small.bytes().toString()).toBe('abcde');
    const big = new BoundedCapture(10);
    for (const part of ['abc', 'defgh', 'ijklmnop', 'qrstuvwxyz']) big.push(Buffer.from(part));
    expect(big.dropped).toBe(16);
    expect(big.bytes().toString()).toBe('abcde\n[dev-infra: 16 bytes of output not shown]\nvwxyz');
  });
});
