/**
 * Connecting without a server: the no-remote line of every network command, the environment
 * overrides, the key kept out of output, and a version-1 registry upgraded on first sync state.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import { ensureBuilt, runCli } from '../support/cli.js';

const KEY = 'wp_secretsecretsecretsecret';

describe('remote settings', () => {
  beforeAll(ensureBuilt);
  afterAll(removeTempDirs);

  it('network commands without a remote say in one line how to set one; local ones still work', () => {
    const home = makeTempDir();
    for (const args of [['sync'], ['sync', 'push'], ['machines']]) {
      const r = runCli(home, args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/no work-prod server is set: run `dev-infra remote set <URL>/);
    }
    expect(runCli(home, ['list', '--all']).code).toBe(0);
    const status = runCli(home, ['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/no projects/);
  });

  it('remote set stores the key at mode 0600 and shows only a prefix; remove forgets both', () => {
    const home = makeTempDir();
    // Port 9 (discard) on loopback: nothing listens, so the probe fails at once.
    const set = runCli(home, ['remote', 'set', 'http://127.0.0.1:9/', '--key', KEY, '--no-verify']);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(
      /Remote set to http:\/\/127\.0\.0\.1:9 \(key wp_secre…\); protocol: unknown/,
    );
    expect(set.stdout + set.stderr).not.toContain(KEY);
    expect(readFileSync(join(home, 'config.yml'), 'utf8')).toContain(KEY);
    const show = runCli(home, ['remote', 'show', '--json']);
    expect(JSON.parse(show.stdout)).toMatchObject({ url: 'http://127.0.0.1:9', key: 'wp_secre…' });
    expect(show.stdout).not.toContain(KEY);
    const removed = runCli(home, ['remote', 'remove']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(runCli(home, ['sync']).stderr).toMatch(/no work-prod server is set/);
  });

  it('DEV_INFRA_REMOTE and DEV_INFRA_API_KEY override the config', () => {
    const home = makeTempDir();
    runCli(home, [
      'remote',
      'set',
      'http://127.0.0.1:9',
      '--key',
      'wp_stored_key_value',
      '--no-verify',
    ]);
    const env = { DEV_INFRA_REMOTE: 'http://127.0.0.2:9', DEV_INFRA_API_KEY: KEY };
    const show = JSON.parse(runCli(home, ['remote', 'show', '--json'], { env }).stdout);
    expect(show).toMatchObject({
      url: 'http://127.0.0.2:9',
      url_from: 'env',
      key: 'wp_secre…',
      key_from: 'env',
    });
    const sync = runCli(home, ['sync'], { env });
    expect(sync.code).toBe(1);
    expect(sync.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.2:9/);
    expect(sync.stderr).not.toContain(KEY);
    expect(runCli(home, ['remote', 'set', 'ftp://x']).stderr).toMatch(/not a work-prod URL/);
  });

  it('a version-1 registry is read, and written back as version 2 by the next change', () => {
    const home = makeTempDir();
    const dir = makeTempDir();
    const v1 = { version: 1, machine: { id: 'm-1', name: null }, projects: [] };
    writeFileSync(join(home, 'registry.json'), JSON.stringify(v1));
    expect(runCli(home, ['add', dir]).code).toBe(0);
    const doc = JSON.parse(readFileSync(join(home, 'registry.json'), 'utf8'));
    expect(doc).toMatchObject({ version: 2, machine: { id: 'm-1' } });
    expect(doc.projects).toHaveLength(1);
  });
});
