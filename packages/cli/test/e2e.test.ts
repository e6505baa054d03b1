/**
 * The built binary, for what only a real process shows: the fast path on a terminal and to a
 * reader that goes away, exit codes, --debug, the shell running the completion script, HOME.
 * Everything else about each command is tested beside it (src/commands/<name>/<name>.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../../test-support/tmp.js';
import { serializeRegistry } from '../src/registry/format.js';
import { BIN, ensureBuilt, makeRepo } from './support/cli.js';
import { sampleProject } from './support/fixtures.js';
import { machine } from './support/machine.js';

beforeAll(ensureBuilt);
afterAll(removeTempDirs);

describe('the built dev-infra', () => {
  it('draws a table with colours on a terminal, and none with NO_COLOR', async () => {
    const m = machine();
    const gone = makeRepo(join(m.code, 'gone'), 'git@github.com:acme/gone.git');
    await m.cli(['add', gone, '--tag', 't']);
    rmSync(gone, { recursive: true });
    // `script` (util-linux) gives the CLI a pseudo-terminal as stdout.
    const onTerminal = (env: NodeJS.ProcessEnv) =>
      spawnSync('script', ['-qec', `"${process.execPath}" "${BIN}" list`, '/dev/null'], {
        encoding: 'utf8',
        env: { ...process.env, DEV_INFRA_HOME: m.home, HOME: m.root, ...env },
      }).stdout.replace(/\r/g, '');
    const coloured = onTerminal({});
    expect(coloured).toContain('\u001b[1mNAME\u001b[22m');
    const plain = onTerminal({ NO_COLOR: '1' });
    expect(plain).not.toContain('\u001b[');
    expect(plain.split('\n').slice(0, 2)).toEqual([
      'NAME  PATH         TYPE  STATUS  TAGS  REMOTE',
      'gone  ~/code/gone        active  t     github.com/acme/gone  [missing]',
    ]);
  });

  it('stops quietly when the reader goes away (`| head`)', async () => {
    const m = machine();
    mkdirSync(m.home, { recursive: true });
    const projects = Array.from({ length: 2000 }, (_, i) =>
      sampleProject({ id: `id-${i}`, name: `p${i}`, path: `/nowhere/p${i}` }),
    );
    writeFileSync(
      join(m.home, 'registry.json'),
      serializeRegistry({ version: 1, machine: { id: 'm', name: null }, projects }),
    );
    for (const args of ['list', 'list --json']) {
      const r = spawnSync(
        'bash',
        [
          '-c',
          `"${process.execPath}" "${BIN}" ${args} | head -c 10 >/dev/null; echo \${PIPESTATUS[0]}`,
        ],
        { encoding: 'utf8', env: { ...process.env, DEV_INFRA_HOME: m.home } },
      );
      expect(r.stderr, args).toBe('');
      expect(r.stdout.trim(), args).toBe('0');
    }
  });

  it('the bash script is valid bash and completes commands and project names', async () => {
    const m = machine();
    await m.cli(['add', makeRepo(join(m.code, 'proj-one'))]);
    const script = join(m.root, 'dev-infra.bash');
    writeFileSync(script, (await m.cli(['completion', 'bash'])).stdout);
    const shimDir = join(m.root, 'bin');
    mkdirSync(shimDir);
    writeFileSync(
      join(shimDir, 'dev-infra'),
      `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`,
    );
    chmodSync(join(shimDir, 'dev-infra'), 0o755);
    const probe = (line: string) =>
      `source ${script}; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _dev_infra; echo "\${COMPREPLY[*]}"`;
    const run = (line: string) =>
      spawnSync('bash', ['-c', probe(line)], {
        encoding: 'utf8',
        env: { ...process.env, DEV_INFRA_HOME: m.home, PATH: `${shimDir}:${process.env.PATH}` },
      }).stdout.trim();
    expect(run("dev-infra 'sh'")).toBe('show');
    expect(run("dev-infra show 'proj'")).toBe('proj-one');
    expect(run("dev-infra list '--js'")).toBe('--json');
  });

  it('prints the version, exits 2 on usage errors, and shows a stack only with --debug', async () => {
    const m = machine();
    expect(m.bin(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const unknown = m.bin(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error: unknown command 'frobnicate'");
    expect(m.bin([]).code).toBe(2);
    const plain = m.bin(['show', 'x']);
    expect(plain.stderr).not.toContain('    at ');
    const debug = m.bin(['show', 'x', '--debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain('error: no project named "x"');
    expect(debug.stderr).toContain('    at ');
  });

  it('show prints paths under HOME with ~ (HOME of a real process)', async () => {
    const m = machine();
    const dir = makeRepo(join(m.code, 'secret'), 'https://me:tok3n@github.com/acme/secret.git');
    await m.cli(['add', dir, '--tag', 'x']);
    const text = m.bin(['show', 'secret'], undefined, { HOME: m.root });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^path:\s+~\/code\/secret$/m);
    expect(text.stdout).not.toContain('tok3n');
  });
});
