/**
 * The smaller points of issue 16, each as a user meets it: the nearest command, read-only
 * settings, `--long` without `--all`, plurals, the install hint of a newer registry, and the
 * line a command prints while it waits for the registry lock.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BasicServer, startBasicServer } from '../../../test-support/basic-server.js';
import { removeTempDirs } from '../../../test-support/tmp.js';
import { withLock } from '../src/registry/lock.js';
import { BIN, ensureBuilt, machineEnv, makeRepo } from './support/cli.js';
import { machine } from './support/machine.js';

let basic: BasicServer;
beforeAll(async () => {
  await ensureBuilt();
  basic = await startBasicServer();
});
afterAll(async () => {
  await basic.close();
  removeTempDirs();
});

describe('messages', () => {
  it('an unknown command names the nearest one, close or not', async () => {
    const m = machine();
    for (const [typed, nearest] of [
      ['stauts', 'status'],
      ['frobnicate', undefined],
      ['mvoe', 'move'],
    ] as const) {
      const r = await m.cli([typed]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(
        nearest ? new RegExp(`\\b${nearest}\\b`) : /\(the nearest is \w+; see dev-infra --help\)/,
      );
    }
  });

  it('config set and unset of machine.id say it is read-only', async () => {
    const m = machine();
    for (const args of [
      ['config', 'set', 'machine.id', 'x'],
      ['config', 'unset', 'machine.id'],
    ]) {
      const r = await m.cli(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: machine\.id is read-only: /);
      expect(r.stderr).not.toMatch(/unknown config key/);
    }
    const key = await m.cli(['config', 'set', 'remote.key', 'wp_x']);
    expect(key.stderr).toMatch(
      /remote\.key is read-only: set it with `dev-infra remote set URL --key KEY`/,
    );
  });

  it('list --long without --all is a usage error', async () => {
    const m = machine();
    const r = await m.cli(['list', '--long']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: --long needs --all (or --remote-only)\n');
    expect((await m.cli(['list', '--all', '--long'])).code).toBe(0);
  });

  it('one project is "1 project"', async () => {
    const m = machine();
    await m.cli(['add', makeRepo(join(m.code, 'solo'))]);
    const r = await m.cli(['doctor']);
    expect(r.stdout).toContain('(1 project)');
    expect(r.stdout).not.toContain('1 projects');
  });

  it('a newer registry says to install the CLI from work-prod, not from the npm registry', async () => {
    const m = machine();
    mkdirSync(m.home, { recursive: true });
    writeFileSync(
      join(m.home, 'registry.json'),
      JSON.stringify({ version: 99, machine: { id: 'm', name: null }, projects: [] }),
    );
    const r = await m.cli(['list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /install it again from your work-prod server \(npm install -g http:\/\/HOST:PORT\/install\/dev-infra\.tgz\)/,
    );
    expect(r.stderr).not.toContain('dev-infra@latest');
  });

  it('a sync that waits for the registry lock says so, with the holder PID', async () => {
    const m = machine();
    await m.cli(['add', makeRepo(join(m.code, 'api'))]);
    await m.cli(['remote', 'set', basic.url]);
    let started = false;
    const result = await withLock(join(m.home, 'registry.json'), async () => {
      const child = spawn(process.execPath, [BIN, 'sync'], {
        env: machineEnv(m.home, { NO_COLOR: '1' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      const done = new Promise<number | null>((resolve) => child.on('close', resolve));
      // Hold the lock until the waiting line has been printed.
      for (let i = 0; i < 100 && !stderr.includes('waiting'); i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      started = true;
      return { done, out: () => ({ stderr, stdout }) };
    });
    expect(started).toBe(true);
    expect(await result.done).toBe(0);
    expect(result.out().stderr).toBe(
      `waiting for another dev-infra command (PID ${process.pid})...\n`,
    );
    expect(result.out().stdout).toMatch(/pushed 1\b/);
    expect(basic.projects().map((p) => p.name)).toContain('api');
  });
});
