/**
 * Every command, run in this process with a test context (in-memory stdout and stderr)
 * against real git repositories in temp folders; what only a real process shows (the
 * fast path on a terminal, a reader going away, exit codes and --debug) runs the built binary.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../test-support/tmp.js';
import { serializeRegistry } from '../src/registry/format.js';
import { BIN, ensureBuilt, makeRepo, runCli } from './support/cli.js';
import { runInProcess } from './support/context.js';
import { sampleProject } from './support/fixtures.js';

beforeAll(ensureBuilt);
afterAll(removeTempDirs);

interface Listed {
  id: string;
  name: string;
  path: string;
  remote_url: string | null;
  description: string | null;
  tags: string[];
  project_type: string | null;
  status: string;
  template: string | null;
  template_version: string | null;
  created_at: string;
  missing: boolean;
}

/** A fresh machine (DEV_INFRA_HOME) and a folder for its projects. */
function machine() {
  const root = makeTempDir('dev-infra-cmd-');
  const home = join(root, 'home');
  const code = join(root, 'code');
  mkdirSync(code);
  /** Runs a command in this process, against in-memory streams. */
  const cli = (args: string[], cwd?: string, env?: NodeJS.ProcessEnv) =>
    runInProcess(args, { home, cwd: cwd ?? code, ...(env ? { env } : {}) });
  /** Runs the built binary, for what only a real process shows (exit codes, --debug, HOME). */
  const bin = (args: string[], cwd?: string, env?: NodeJS.ProcessEnv) =>
    runCli(home, args, { cwd: cwd ?? code, ...(env ? { env } : {}) });
  const list = async (...args: string[]): Promise<Listed[]> => {
    const r = await cli(['list', '--json', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Listed[];
  };
  const registryText = () => readFileSync(join(home, 'registry.json'), 'utf8');
  return { root, home, code, cli, bin, list, registryText };
}

describe('add', () => {
  it('registers a git repository with its origin remote, flags and defaults', async () => {
    const m = machine();
    const api = makeRepo(join(m.code, 'api'), 'git@GitHub.com:acme/api.git');
    const r = await m.cli(['add', api, '--tag', 'svc', '--tag', 'go,svc', '--type', 'work']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Registered api');
    expect(r.stdout).toContain('github.com/acme/api');
    const [p] = await m.list();
    expect(p).toMatchObject({
      name: 'api',
      path: api,
      remote_url: 'git@GitHub.com:acme/api.git',
      tags: ['go', 'svc'],
      project_type: 'Work',
      status: 'active',
      description: null,
      missing: false,
    });
    expect(p!.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('defaults to the current folder and uses .dev-infra.yml for id and template', async () => {
    const m = machine();
    const dir = join(m.code, 'site');
    mkdirSync(dir);
    writeFileSync(
      join(dir, '.dev-infra.yml'),
      'id: 11111111-2222-3333-4444-555555555555\ntemplate: static\ntemplate_version: "2.1"\ncreated: 2024-05-01T10:00:00Z\n',
    );
    const r = await m.cli(
      ['register', '--name', 'my-site', '--description', 'The site', '--status', 'Paused'],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect((await m.list())[0]).toMatchObject({
      id: '11111111-2222-3333-4444-555555555555',
      name: 'my-site',
      path: dir,
      remote_url: null,
      description: 'The site',
      template: 'static',
      template_version: '2.1',
      status: 'paused',
      created_at: '2024-05-01T10:00:00.000Z',
    });
  });

  it('refuses a missing path, a file, a registered path, a taken name and a known id', async () => {
    const m = machine();
    const api = makeRepo(join(m.code, 'api'));
    expect((await m.cli(['add', api])).code).toBe(0);
    const before = m.registryText();

    const missing = await m.cli(['add', join(m.code, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*nope does not exist/);

    writeFileSync(join(m.code, 'file.txt'), 'x');
    const file = await m.cli(['add', join(m.code, 'file.txt')]);
    expect(file.code).toBe(1);
    expect(file.stderr).toContain('is not a folder');

    const again = await m.cli(['add', api]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already registered as "api"');

    const other = makeRepo(join(m.code, 'other', 'api'));
    const taken = await m.cli(['add', other]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('the name "api" is already used by');
    expect(taken.stderr).toContain('--name');

    const copy = join(m.code, 'copy');
    mkdirSync(copy);
    const id = (await m.list())[0]!.id;
    writeFileSync(join(copy, '.dev-infra.yml'), `id: ${id}\n`);
    const dup = await m.cli(['add', copy]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain(`project id ${id}`);

    for (const r of [missing, file, again, taken, dup]) {
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(m.registryText()).toBe(before);
  });

  it('treats a bad --type, --status or --name as a usage error (exit 2)', async () => {
    const m = machine();
    const api = makeRepo(join(m.code, 'api'));
    const type = await m.cli(['add', api, '--type', 'Hobby']);
    expect(type.code).toBe(2);
    expect(type.stderr).toContain('Work, Personal, Learning, Inactive');
    const status = await m.cli(['add', api, '--status', 'done']);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('active, paused, completed, cancelled');
    expect((await m.cli(['add', api, '--name', 'a/b'])).code).toBe(2);
    expect((await m.cli(['add', api, '--bogus'])).code).toBe(2);
    expect(existsSync(join(m.home, 'registry.json'))).toBe(false);
  });
});

describe('init', () => {
  it('writes .dev-infra.yml when there is none, then registers with its id', async () => {
    const m = machine();
    const dir = makeRepo(join(m.code, 'tool'), 'https://github.com/acme/tool');
    const r = await m.cli(['init', dir, '--template', 'node-cli', '--template-version', '3']);
    expect(r.code, r.stderr).toBe(0);
    const file = readFileSync(join(dir, '.dev-infra.yml'), 'utf8');
    const [p] = await m.list();
    expect(file).toContain(`id: ${p!.id}`);
    expect(file).toContain('template: node-cli');
    expect(file).toMatch(/version: "?3"?/);
    expect(file).toMatch(/created: /);
    expect(p).toMatchObject({ name: 'tool', template: 'node-cli', template_version: '3' });
  });

  it('never overwrites values of an existing file (adds only what is missing)', async () => {
    const m = machine();
    const dir = join(m.code, 'kept');
    mkdirSync(dir);
    const original = '# my comment\ntemplate: mine\nversion: "7"\n';
    writeFileSync(join(dir, '.dev-infra.yml'), original);
    const r = await m.cli(['init', dir, '--template', 'other', '--template-version', '9']);
    expect(r.code, r.stderr).toBe(0);
    const file = readFileSync(join(dir, '.dev-infra.yml'), 'utf8');
    expect(file.startsWith(original)).toBe(true);
    expect(file).not.toContain('other');
    const [p] = await m.list();
    expect(file).toContain(`id: ${p!.id}`);
    expect(p).toMatchObject({ template: 'mine', template_version: '7' });

    // A complete file is left byte-identical.
    const full = join(m.code, 'full');
    mkdirSync(full);
    const complete =
      'id: aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\ntemplate: t\nversion: "1"\ncreated: 2024-01-01\n';
    writeFileSync(join(full, '.dev-infra.yml'), complete);
    expect((await m.cli(['init', full])).code).toBe(0);
    expect(readFileSync(join(full, '.dev-infra.yml'), 'utf8')).toBe(complete);
  });

  it('refuses an already registered folder without writing a file', async () => {
    const m = machine();
    const dir = makeRepo(join(m.code, 'x'));
    expect((await m.cli(['add', dir])).code).toBe(0);
    const r = await m.cli(['init', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already registered');
    expect(existsSync(join(dir, '.dev-infra.yml'))).toBe(false);
  });
});

describe('remove', () => {
  it('drops an entry by name or by path and never touches the files', async () => {
    const m = machine();
    const a = makeRepo(join(m.code, 'a'));
    const b = makeRepo(join(m.code, 'b'));
    writeFileSync(join(a, 'keep.txt'), 'data');
    await m.cli(['add', a]);
    await m.cli(['add', b]);
    const byName = await m.cli(['remove', 'a']);
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.stdout).toContain('not touched');
    expect(readFileSync(join(a, 'keep.txt'), 'utf8')).toBe('data');
    symlinkSync(b, join(m.root, 'link-to-b'));
    expect((await m.cli(['unregister', join(m.root, 'link-to-b')])).code).toBe(0);
    expect(await m.list()).toEqual([]);
    const missing = await m.cli(['remove', 'a']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no project named or at "a"');
    expect((await m.cli(['remove'])).code).toBe(2);
  });
});

describe('update', () => {
  it('changes fields, tags and name; refuses a taken name and an unknown project', async () => {
    const m = machine();
    await m.cli(['add', makeRepo(join(m.code, 'a')), '--tag', 'old']);
    await m.cli(['add', makeRepo(join(m.code, 'b'))]);
    const r = await m.cli([
      'update',
      'a',
      '--name',
      'alpha',
      '--description',
      'first',
      '--tag',
      'new',
      '--untag',
      'old',
      '--type',
      'learning',
      '--status',
      'completed',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const alpha = (await m.list()).find((p) => p.path.endsWith('/a'));
    expect(alpha).toMatchObject({
      name: 'alpha',
      description: 'first',
      tags: ['new'],
      project_type: 'Learning',
      status: 'completed',
    });
    const taken = await m.cli(['update', 'alpha', '--name', 'b']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('already used');
    const unknown = await m.cli(['update', 'zzz', '--status', 'paused']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no project named "zzz"');
    const nothing = await m.cli(['update', 'alpha']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to update');
    expect((await m.cli(['update', 'alpha', '--status', 'gone'])).code).toBe(2);
    expect((await m.cli(['update', 'alpha', '--description', ''])).code).toBe(0);
    expect((await m.list()).find((p) => p.name === 'alpha')!.description).toBeNull();
  });
});

describe('show', () => {
  it('prints fields with ~ paths, JSON with --json, and hides remote credentials', async () => {
    const m = machine();
    const dir = makeRepo(join(m.code, 'secret'), 'https://me:tok3n@github.com/acme/secret.git');
    await m.cli(['add', dir, '--tag', 'x']);
    // `~` comes from the process's HOME, which only a child process can be given.
    const text = m.bin(['show', 'secret'], undefined, { HOME: m.root });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^name:\s+secret$/m);
    expect(text.stdout).toMatch(/^path:\s+~\/code\/secret$/m);
    expect(text.stdout).toContain('https://github.com/acme/secret.git');
    const json = await m.cli(['show', 'secret', '--json']);
    const p = JSON.parse(json.stdout) as Listed;
    expect(p).toMatchObject({ name: 'secret', path: dir, tags: ['x'], missing: false });
    expect(text.stdout + json.stdout).not.toContain('tok3n');
    const unknown = await m.cli(['show', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      'error: no project named "nope" on this machine; see `dev-infra list`\n',
    );
  });
});

describe('list', () => {
  it('prints tab-separated lines when piped, filters, marks missing folders, --json', async () => {
    const m = machine();
    const api = makeRepo(join(m.code, 'api'), 'ssh://git@github.com/acme/api.git/');
    const web = makeRepo(join(m.code, 'web'), 'https://GitHub.com/acme/web');
    const gone = makeRepo(join(m.code, 'gone'));
    await m.cli(['add', api, '--tag', 'go', '--type', 'Work']);
    await m.cli(['add', web, '--tag', 'js', '--status', 'paused']);
    await m.cli(['add', gone]);
    rmSync(gone, { recursive: true });

    const plain = await m.cli(['list']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain('\u001b[');
    expect(
      plain.stdout
        .slice(0, -1)
        .split('\n')
        .map((l) => l.split('\t')),
    ).toEqual([
      ['api', api, 'Work', 'active', 'go', 'github.com/acme/api', ''],
      ['gone', gone, '', 'active', '', '', 'missing'],
      ['web', web, '', 'paused', 'js', 'github.com/acme/web', ''],
    ]);
    expect((await m.list('--tag', 'go')).map((p) => p.name)).toEqual(['api']);
    expect((await m.list('--status', 'paused')).map((p) => p.name)).toEqual(['web']);
    expect((await m.list()).find((p) => p.name === 'gone')!.missing).toBe(true);
    const ls = await m.cli(['ls', '--status', 'completed']);
    expect(ls.stdout).toBe('');
    expect(ls.stderr).toContain('No projects match');
    expect((await m.cli(['list', '--status', 'nope'])).code).toBe(2);
  });

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

  it('gives a hint on an empty registry and does not create files', async () => {
    const m = machine();
    const r = await m.cli(['list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('dev-infra add');
    expect((await m.cli(['list', '--json'])).stdout).toBe('[]\n');
    expect(existsSync(m.home)).toBe(false);
  });
});

describe('scan', () => {
  it('registers repositories and .dev-infra.yml folders, skipping node_modules and nested repos', async () => {
    const m = machine();
    const tree = join(m.code, 'tree');
    const a = makeRepo(join(tree, 'a'), 'git@github.com:acme/a.git');
    makeRepo(join(tree, 'a', 'vendor', 'inner')); // inside a found repository
    const b = makeRepo(join(tree, 'group', 'b'));
    makeRepo(join(tree, 'x', 'node_modules', 'dep'));
    const c = join(tree, 'plain', 'c');
    mkdirSync(c, { recursive: true });
    writeFileSync(join(c, '.dev-infra.yml'), 'template: t\n');
    makeRepo(join(tree, 'l1', 'l2', 'l3', 'deep'));
    const dup = makeRepo(join(tree, 'dup', 'a')); // name clash with a
    const done = makeRepo(join(tree, 'done'));
    await m.cli(['add', done]);

    const dry = await m.cli(['scan', tree, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would add');
    expect(await m.list()).toHaveLength(1);

    const r = await m.cli(['scan', tree]);
    expect(r.code, r.stderr).toBe(0);
    const names = (await m.list()).map((p) => [p.name, p.path]);
    expect(names).toEqual([
      ['a', a],
      ['b', b],
      ['c', c],
      ['done', done],
    ]);
    expect(r.stdout).toMatch(/skipped.*done: already registered as "done"/);
    expect(r.stdout).toMatch(new RegExp(`skipped.*${dup}: the name "a" is already used`));
    expect(r.stdout).toContain('Added 3, skipped 2');
    expect(r.stdout).not.toContain('inner');
    expect(r.stdout).not.toContain('node_modules');

    const deeper = await m.cli(['scan', tree, '--depth', '4']);
    expect(deeper.stdout).toContain('added    deep');
    expect((await m.cli(['scan', tree, '--depth', 'x'])).code).toBe(2);
    expect((await m.cli(['scan', join(m.code, 'nope')])).code).toBe(1);
  });
});

describe('config', () => {
  it('lists, gets and sets machine.name and clone_root; config.yml is mode 0600', async () => {
    const m = machine();
    const list = await m.cli(['config', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const defaults = JSON.parse(list.stdout) as Record<string, string | null>;
    expect(defaults['machine.id']).toBeNull();
    expect(defaults.clone_root).toBe('~/code');
    expect((await m.cli(['config', 'set', 'machine.name', 'work-laptop'])).code).toBe(0);
    expect((await m.cli(['config', 'get', 'machine.name'])).stdout).toBe('work-laptop\n');
    expect((await m.cli(['config', 'set', 'clone_root', '/srv/src'])).code).toBe(0);
    expect((await m.cli(['config', 'get', 'clone_root'])).stdout).toBe('/srv/src\n');
    expect(statSync(join(m.home, 'config.yml')).mode & 0o777).toBe(0o600);
    const registry = JSON.parse(m.registryText());
    expect(registry.machine.name).toBe('work-laptop');
    expect(registry.machine.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await m.cli(['config', 'get', 'machine.id'])).stdout).toBe(`${registry.machine.id}\n`);
    expect((await m.cli(['config', 'unset', 'clone_root'])).code).toBe(0);
    expect((await m.cli(['config', 'get', 'clone_root'])).stdout).toBe('~/code\n');

    const unknown = await m.cli(['config', 'set', 'colour', 'on']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('valid keys: machine.name, clone_root');
    expect((await m.cli(['config', 'get', 'nope'])).code).toBe(2);
    expect((await m.cli(['config', 'set', 'clone_root', 'relative/dir'])).code).toBe(2);
  });

  it('keeps comments and unknown keys of config.yml', async () => {
    const m = machine();
    mkdirSync(m.home, { recursive: true });
    writeFileSync(join(m.home, 'config.yml'), '# mine\nremote:\n  url: https://example.com\n');
    expect((await m.cli(['config', 'set', 'clone_root', '~/src'])).code).toBe(0);
    const text = readFileSync(join(m.home, 'config.yml'), 'utf8');
    expect(text).toContain('# mine');
    expect(text).toContain('url: https://example.com');
    expect(text).toContain('clone_root: ~/src');
  });
});

describe('doctor', () => {
  it('passes on a healthy machine and lists problems with fixes (exit 1)', async () => {
    const m = machine();
    const a = makeRepo(join(m.code, 'a'));
    await m.cli(['add', a]);
    const ok = await m.cli(['doctor']);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toContain('No problems found.');

    rmSync(a, { recursive: true });
    writeFileSync(join(m.home, 'config.yml'), 'clone_root: /x\n');
    chmodSync(join(m.home, 'config.yml'), 0o644);
    const reg = JSON.parse(m.registryText());
    reg.projects.push({ ...reg.projects[0], id: 'other-id', path: '/elsewhere' });
    writeFileSync(join(m.home, 'registry.json'), JSON.stringify(reg));
    mkdirSync(join(m.home, 'registry.json.lock'));
    writeFileSync(join(m.home, 'registry.json.1a2b3c'), '{"half');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(m.home, 'registry.json.lock'), old, old);

    const bad = await m.cli(['doctor', '--json']);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as {
      ok: boolean;
      problems: { check: string; fix: string }[];
    };
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.check).sort()).toEqual(
      ['config', 'duplicate', 'lock', 'path', 'path', 'temp'].sort(),
    );
    for (const p of report.problems) expect(p.fix.length).toBeGreaterThan(0);
    const text = await m.cli(['doctor']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('fix: chmod 600');

    writeFileSync(join(m.home, 'registry.json'), '{"version": 1, "proj');
    const corrupt = await m.cli(['doctor', '--json']);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stdout).toContain('is not valid JSON');
  });
});

describe('completion, help, version, errors', () => {
  it('prints completion scripts for bash, zsh and fish', async () => {
    const m = machine();
    const bash = await m.cli(['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain('complete -F _dev_infra dev-infra');
    expect(bash.stdout).toContain('--template-version');
    expect((await m.cli(['completion', 'zsh'])).stdout).toContain('#compdef dev-infra');
    expect((await m.cli(['completion', 'fish'])).stdout).toContain('complete -c dev-infra');
    expect((await m.cli(['completion', 'tcsh'])).code).toBe(2);
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

  it('every command has --help with an example', async () => {
    const m = machine();
    for (const cmd of [
      ['add'],
      ['init'],
      ['remove'],
      ['update'],
      ['show'],
      ['list'],
      ['scan'],
      ['config'],
      ['config', 'set'],
      ['doctor'],
      ['completion'],
    ]) {
      const r = await m.cli([...cmd, '--help']);
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.stdout, cmd.join(' ')).toContain('Examples:');
      expect(r.stdout).toContain(`$ dev-infra ${cmd[0]}`);
    }
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
});
