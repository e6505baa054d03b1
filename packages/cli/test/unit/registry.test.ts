import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import { fillProjectFile, readProjectFile } from '../../src/project-file.js';
import { REGISTRY_VERSION, serializeRegistry } from '../../src/registry/format.js';
import { MIGRATIONS, MigrationGapError, migrate } from '../../src/registry/migrations.js';
import { resolvePaths } from '../../src/registry/paths.js';
import { parseRegistry } from '../../src/registry/read.js';
import { mutateRegistry } from '../../src/registry/store.js';
import { freshSync, sharedFields } from '../../src/sync/state.js';
import { sampleProject } from '../support/fixtures.js';

afterAll(removeTempDirs);

const project = sampleProject({
  id: 'p1',
  path: '/code/api',
  remote_url: 'https://github.com/a/api',
  tags: ['x'],
  project_type: 'Work',
});

describe('resolvePaths', () => {
  it('puts both files in DEV_INFRA_HOME when set', () => {
    expect(resolvePaths({ DEV_INFRA_HOME: '/m1' }, '/home/me')).toEqual({
      configDir: '/m1',
      configFile: '/m1/config.yml',
      dataDir: '/m1',
      registryFile: '/m1/registry.json',
    });
  });

  it('uses XDG folders, defaulting to ~/.config and ~/.local/share, ignoring relative ones', () => {
    expect(resolvePaths({}, '/home/me')).toMatchObject({
      configFile: '/home/me/.config/dev-infra/config.yml',
      registryFile: '/home/me/.local/share/dev-infra/registry.json',
    });
    expect(resolvePaths({ XDG_CONFIG_HOME: '/c', XDG_DATA_HOME: '/d' }, '/h')).toMatchObject({
      configFile: '/c/dev-infra/config.yml',
      registryFile: '/d/dev-infra/registry.json',
    });
    expect(resolvePaths({ XDG_DATA_HOME: 'rel' }, '/h').registryFile).toBe(
      '/h/.local/share/dev-infra/registry.json',
    );
  });
});

describe('registry format', () => {
  it('round-trips, with keys in a stable order and sync slots kept', () => {
    const storedSlot = { edited: ['status'], seen_cursor: 4 };
    const storedState = { ...freshSync('http://s', 'sync-v1'), cursor: 9 };
    const registry = parseRegistry(
      JSON.stringify({
        version: 2,
        machine: { id: 'm', name: 'laptop' },
        projects: [{ ...project, sync: storedSlot }],
        sync: storedState,
      }),
      'f',
    );
    const text = serializeRegistry(registry);
    expect(JSON.parse(text).projects[0].sync).toEqual(storedSlot);
    expect(JSON.parse(text).sync).toEqual(storedState);
    const shuffled = JSON.stringify({
      projects: [Object.fromEntries(Object.entries(JSON.parse(text).projects[0]).reverse())],
      sync: storedState,
      machine: { name: 'laptop', id: 'm' },
      version: 2,
    });
    expect(serializeRegistry(parseRegistry(shuffled, 'f'))).toBe(text);
    expect(Object.keys(JSON.parse(text))).toEqual(['version', 'machine', 'projects', 'sync']);
    expect(Object.keys(JSON.parse(text).projects[0])).toEqual([
      'id',
      'name',
      'path',
      'remote_url',
      'description',
      'tags',
      'project_type',
      'status',
      'classification',
      'organization',
      'template',
      'template_version',
      'created_at',
      'updated_at',
      'sync',
    ]);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('reads sync slots of the wrong shape as never synced', () => {
    const text = JSON.stringify({
      version: 2,
      machine: { id: 'm', name: 'laptop' },
      projects: [{ ...project, sync: { base_rev: 4 } }],
      sync: { cursor: 'x' },
    });
    const registry = parseRegistry(text, 'f');
    expect(registry.sync).toBeUndefined();
    expect(registry.projects[0]!.sync).toEqual({
      kind: 'never-synced',
      edited: [],
      seen_cursor: 0,
      seen_deleted: [],
    });
  });

  it('reads a synced slot written by registry version 2 as it was, basic id included', () => {
    const stored = { rev: 3, base: sharedFields(project), pushed_path: '/p', remote_id: 12 };
    const registry = parseRegistry(
      JSON.stringify({
        version: 2,
        machine: { id: 'm' },
        projects: [{ ...project, sync: stored }],
      }),
      'f',
    );
    expect(registry.projects[0]!.sync).toMatchObject({
      kind: 'synced',
      rev: 3,
      remote: { kind: 'basic', id: 12 },
    });
    expect(JSON.parse(serializeRegistry(registry)).projects[0].sync).toEqual(stored);
  });

  it('reads a synced slot whose base does not match the shared fields as never synced', () => {
    const base = sharedFields(project);
    for (const bad of [{ name: 'x' }, { ...base, tags: 'x' }, { ...base, status: 'gone' }, null]) {
      const text = JSON.stringify({
        version: 2,
        machine: { id: 'm' },
        projects: [{ ...project, sync: { rev: 3, base: bad, edited: ['tags'] } }],
      });
      expect(parseRegistry(text, 'f').projects[0]!.sync).toEqual({
        kind: 'never-synced',
        edited: ['tags'],
        seen_cursor: 0,
        seen_deleted: [],
      });
    }
  });

  it('words each field problem from the schema, in one line naming the field', () => {
    const bad = (p: object) => JSON.stringify({ version: 2, machine: { id: 'm' }, projects: [p] });
    const message = (over: object) => {
      try {
        parseRegistry(bad({ ...project, ...over }), 'f');
      } catch (e) {
        return (e as Error).message.split('; ')[0];
      }
      return 'accepted';
    };
    const at = 'f is not a valid registry: projects[0]';
    expect(message({ tags: 'x' })).toBe(
      `${at}.tags must be an array of strings (at most 100, each at most 100 characters)`,
    );
    expect(message({ name: '' })).toBe(`${at}.name must be a non-empty string`);
    expect(message({ id: 5 })).toBe(`${at}.id must be a non-empty string`);
    expect(message({ path: 5 })).toBe(`${at}.path must be a non-empty string`);
    expect(message({ description: 5 })).toBe(`${at}.description must be a string or null`);
    expect(message({ description: 'd'.repeat(5001) })).toBe(
      `${at}.description must be at most 5000 characters`,
    );
    expect(message({ status: 'gone' })).toBe(
      `${at}.status must be one of active, paused, completed, cancelled`,
    );
    expect(message({ classification: 'x' })).toMatch(/classification must be null or one of /);
    expect(message({ sync: 'x' })).toBe(`${at}.sync must be an object`);
    expect(message({ created_at: null })).toBe(`${at}.created_at must be a non-empty string`);
    // What older writers left out still reads as it did.
    const { tags: _t, project_type: _p, description: _d, ...sparse } = project;
    expect(message({ ...sparse, tags: null })).toBe('accepted');
  });

  it('names the file and the field when the shape is wrong', () => {
    const bad = (p: object) => JSON.stringify({ version: 1, machine: { id: 'm' }, projects: [p] });
    expect(() => parseRegistry(bad({ ...project, path: 'relative' }), '/r.json')).toThrow(
      /^\/r\.json is not a valid registry: projects\[0\]\.path must be an absolute path/,
    );
    expect(() => parseRegistry(bad({ ...project, tags: [1] }), 'f')).toThrow(/tags must be/);
    expect(() => parseRegistry(bad({ ...project, project_type: 'work' }), 'f')).toThrow(
      /project_type/,
    );
    expect(() => parseRegistry('[]', 'f')).toThrow(/not a JSON object/);
    expect(() => parseRegistry('{"version":1,"projects":[]}', 'f')).toThrow(/machine/);
  });
});

describe('migrations', () => {
  it('version 2 is current; a version 1 document is stamped 2 and otherwise unchanged', () => {
    expect(REGISTRY_VERSION).toBe(2);
    expect(Object.keys(MIGRATIONS)).toEqual(['1']);
    const doc = { version: 2, machine: {}, projects: [] };
    expect(migrate(doc, 2)).toBe(doc);
    const v1 = { version: 1, machine: { id: 'm' }, projects: [], sync: { cursor: 3 } };
    expect(migrate(v1, 1)).toEqual({ ...v1, version: 2 });
  });

  it('applies each step in order up to the target and stamps the version', () => {
    const steps = {
      1: (d: Record<string, unknown>) => ({ ...d, projects: [], trail: ['1to2'] }),
      2: (d: Record<string, unknown>) => ({ ...d, trail: [...(d.trail as string[]), '2to3'] }),
    };
    expect(migrate({ version: 1 }, 1, 3, steps)).toEqual({
      version: 3,
      projects: [],
      trail: ['1to2', '2to3'],
    });
    expect(migrate({ version: 2, trail: [] }, 2, 3, steps)).toEqual({
      version: 3,
      trail: ['2to3'],
    });
    expect(() => migrate({ version: 1 }, 1, 4, steps)).toThrow(MigrationGapError);
  });
});

describe('mutateRegistry', () => {
  it('writes only when something changed and writes nothing when the change throws', async () => {
    const dir = join(makeTempDir('dev-infra-mutate-'), 'data');
    const file = join(dir, 'registry.json');
    await mutateRegistry(file, dir, (r) => {
      r.projects.push({ ...project });
    });
    const first = readFileSync(file, 'utf8');
    await expect(
      mutateRegistry(file, dir, (r) => {
        r.projects = [];
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(readFileSync(file, 'utf8')).toBe(first);
    const result = await mutateRegistry(file, dir, (r) => r.projects.length);
    expect(result).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(first);
  });
});

describe('.dev-infra.yml', () => {
  it('reads version or template_version, and fills only missing keys', () => {
    const dir = makeTempDir('dev-infra-pf-');
    expect(readProjectFile(dir)).toBeNull();
    writeFileSync(join(dir, '.dev-infra.yml'), '');
    expect(fillProjectFile(dir, { id: 'i', template: 't', template_version: '1' })).toEqual([
      'id',
      'template',
      'version',
    ]);
    expect(readProjectFile(dir)).toEqual({ id: 'i', template: 't', template_version: '1' });
    expect(fillProjectFile(dir, { id: 'other', created: '2024' })).toEqual(['created']);
    expect(readProjectFile(dir)?.id).toBe('i');

    const alt = join(dir, 'alt');
    mkdirSync(alt);
    writeFileSync(join(alt, '.dev-infra.yml'), 'template_version: 2.0\ncreated: 2024-05-01\n');
    expect(readProjectFile(alt)).toEqual({ template_version: '2', created: '2024-05-01' });
  });

  it('refuses invalid YAML or a non-mapping with a message naming the file', () => {
    const dir = makeTempDir('dev-infra-pf-');
    writeFileSync(join(dir, '.dev-infra.yml'), 'id: [x\n');
    expect(() => readProjectFile(dir)).toThrow(/\.dev-infra\.yml is not valid YAML/);
    writeFileSync(join(dir, '.dev-infra.yml'), '- a\n- b\n');
    expect(() => readProjectFile(dir)).toThrow(/must be a YAML mapping/);
  });
});
