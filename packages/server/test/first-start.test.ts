/**
 * The real `work-prod serve` on its first start: the account and key are made only once it
 * listens (a busy port makes nothing), the notice names the account and the commands to run,
 * and JSON logs stay off stdout, where the notice goes.
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../test-support/tmp.js';
import { killServers, requireBuilt, runBin, startServer } from './helpers.js';

let blocker: Server;
let busyPort = 0;
beforeAll(async () => {
  requireBuilt();
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  busyPort = (blocker.address() as { port: number }).port;
});
afterAll(async () => {
  killServers();
  await new Promise((resolve) => blocker.close(resolve));
  removeTempDirs();
});

it('makes no account on a busy port, and the next start shows the key', async () => {
  const db = join(makeTempDir('work-prod-first-'), 'work-prod.db');
  const busy = await runBin(['serve', '--port', String(busyPort), '--db', db], { USER: 'tester' });
  expect(busy.code).toBe(1);
  expect(busy.stderr.trim()).toBe(
    `work-prod: error: 127.0.0.1:${busyPort} is already in use: stop what listens there or choose another --port (nothing was created)`,
  );
  expect(busy.stdout).not.toMatch(/wp_/);
  const users = await runBin(['user', 'list', '--json', '--db', db]);
  expect(JSON.parse(users.stdout)).toEqual([]);

  const server = await startServer(['--db', db], { USER: 'tester', WORK_PROD_LOG_LEVEL: 'info' });
  let stdout = '';
  server.child.stdout!.on('data', (d) => {
    stdout += d;
  });
  try {
    const { url } = server;
    const key = (await server.waitFor(/^ {2}(wp_[\w-]{43})$/m))[1]!;
    const out = server.output();
    expect(out).toContain(
      'Created the first account, tester (named after $USER). Its API key is shown only this once:',
    );
    expect(out).toContain(
      `\nnpm install -g ${url}/install/dev-infra.tgz && dev-infra remote set ${url} --key ${key}\n`,
    );
    expect(out).toContain(`\ndev-infra remote set ${url} --key ${key}\n`);
    expect(out).toContain(
      'It listens on loopback only: for other machines, start it with --host 0.0.0.0',
    );
    expect(out).toContain(`work-prod key create --user tester --db ${db}\n`);
    // A request's log line goes to stderr; stdout has the notice only.
    expect(
      (await fetch(`${url}/api/projects`, { headers: { authorization: `Bearer ${key}` } })).status,
    ).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    expect(await server.stop()).toBe(0);
  }
  expect(server.output()).toMatch(/"level":30/);
  expect(stdout).not.toMatch(/"level"/);
});

it('names the account "default" when $USER is not set, and says so', async () => {
  const db = join(makeTempDir('work-prod-first-'), 'work-prod.db');
  const server = await startServer(['--db', db], { USER: '' });
  try {
    await server.waitFor(/^More keys/m);
    expect(server.output()).toContain('Created the first account, default ($USER is not set).');
    expect(server.output()).toContain('work-prod key create --user default --db ');
  } finally {
    await server.stop();
  }
});
