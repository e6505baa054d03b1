/**
 * A registry (or config) that cannot be read: every command fails with one clear line
 * naming the file and exits 1, and the file stays byte-identical. Nothing rewrites it.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../test-support/tmp.js';
import { ensureBuilt, makeRepo, runCli } from './support/cli.js';
import { sampleProject } from './support/fixtures.js';

beforeAll(ensureBuilt);
afterAll(removeTempDirs);

const project = sampleProject();
const machine = { id: '6a1f0000-0000-4000-8000-0000000000ff', name: null };

const cases: [string, string, RegExp][] = [
  [
    'truncated JSON',
    JSON.stringify({ version: 1, machine, projects: [project] }).slice(0, 90),
    /is not valid JSON/,
  ],
  ['not JSON at all', 'projects:\n  - api\n', /is not valid JSON/],
  [
    'a newer schema version',
    JSON.stringify({ version: 3, machine, projects: [project] }, null, 2),
    /registry version 3, newer than this dev-infra understands \(2\); upgrade dev-infra/,
  ],
  ['no version', JSON.stringify({ machine, projects: [] }), /no valid schema "version"/],
  [
    'projects not an array',
    JSON.stringify({ version: 1, machine, projects: {} }),
    /projects must be an array/,
  ],
  [
    'a bad status',
    JSON.stringify({ version: 1, machine, projects: [{ ...project, status: 'done' }] }),
    /projects\[0\]\.status must be one of/,
  ],
];

describe.each(cases)('a registry with %s', (_label, content, message) => {
  it('makes every command fail with exit 1 and leaves the file byte-identical', () => {
    const root = makeTempDir('dev-infra-corrupt-');
    const home = join(root, 'home');
    mkdirSync(home);
    const file = join(home, 'registry.json');
    writeFileSync(file, content);
    const repo = makeRepo(join(root, 'repo'));
    const commands = [
      ['list'],
      ['list', '--json'],
      ['show', 'api'],
      ['add', repo],
      ['init', repo],
      ['update', 'api', '--status', 'paused'],
      ['remove', 'api'],
      ['scan', root],
      ['config', 'set', 'machine.name', 'x'],
      ['config', 'list'],
    ];
    for (const args of commands) {
      const r = runCli(home, args, { cwd: root });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toContain(file);
      expect(lines[0]).toMatch(message);
      expect(lines[0]).toMatch(/fix it by hand|upgrade dev-infra/);
      expect(readFileSync(file, 'utf8'), args.join(' ')).toBe(content);
    }
    const doctor = runCli(home, ['doctor'], { cwd: root });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe(content);
    // No temp files or .dev-infra.yml were left behind.
    expect(readdirSync(home)).toEqual(['registry.json']);
    expect(readdirSync(repo)).toEqual(['.git']);
  });
});

describe('a config.yml that is not valid YAML', () => {
  it('makes config commands fail with exit 1 and leaves it untouched', () => {
    const home = join(makeTempDir('dev-infra-badconf-'), 'home');
    mkdirSync(home);
    const file = join(home, 'config.yml');
    const content = 'clone_root: [unclosed\n';
    writeFileSync(file, content);
    for (const args of [
      ['config', 'set', 'clone_root', '/x'],
      ['config', 'get', 'clone_root'],
      ['config', 'list'],
    ]) {
      const r = runCli(home, args);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^error: ${file} is not valid YAML`));
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(readFileSync(file, 'utf8')).toBe(content);
    // The registry is unaffected: local project commands still work.
    expect(runCli(home, ['list', '--json']).stdout).toBe('[]\n');
  });
});
