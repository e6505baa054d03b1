/**
 * work-prod hands out its own CLI: `GET /install/dev-infra.tgz` serves the tarball the build
 * packed (or a clear 404), and the install-and-connect line of the first-start notice, run as
 * printed into a fresh npm prefix, leaves a working `dev-infra` connected to the server.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../test-support/tmp.js';
import { buildApp } from '../src/app.js';
import { DEFAULT_CLI_TARBALL } from '../src/routes/install.js';
import {
  describeBackends,
  killServers,
  requireBuilt,
  startServer,
  testOptions,
} from './helpers.js';

const run = promisify(execFile);

beforeAll(() => {
  requireBuilt();
  if (!existsSync(DEFAULT_CLI_TARBALL))
    throw new Error(`${DEFAULT_CLI_TARBALL} is missing: run "npm run build" before these tests`);
});
afterAll(() => {
  killServers();
  removeTempDirs();
});

describeBackends(
  'GET /install/dev-infra.tgz',
  (backend) => {
    it('serves the packed CLI without a key, as gzip', async () => {
      const app = await buildApp({ storage: backend().storage, options: testOptions() });
      try {
        await app.listen({ host: '127.0.0.1', port: 0 });
        const { port } = app.server.address() as AddressInfo;
        const res = await fetch(`http://127.0.0.1:${port}/install/dev-infra.tgz`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/gzip');
        const bytes = Buffer.from(await res.arrayBuffer());
        expect([...bytes.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
      } finally {
        await app.close();
      }
    });

    it('answers 404 with how to build it when the tarball is missing', async () => {
      const missing = join(makeTempDir('work-prod-install-'), 'dev-infra.tgz');
      const app = await buildApp({
        storage: backend().storage,
        options: testOptions(),
        cliTarball: missing,
      });
      try {
        const res = await app.inject({ method: 'GET', url: '/install/dev-infra.tgz' });
        expect(res.statusCode).toBe(404);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        const body = res.json() as Record<string, string>;
        expect(Object.keys(body)).toEqual(['error']);
        expect(body.error).toMatch(/npm run build/);
      } finally {
        await app.close();
      }
    });
  },
  ['sqlite'],
);

it('installs and connects dev-infra with the one line the first start prints', async () => {
  const tmp = makeTempDir('work-prod-install-');
  const server = await startServer(['--db', join(tmp, 'work-prod.db')], { USER: 'tester' });
  try {
    const line = (await server.waitFor(/^npm install -g .+$/m))[0];
    const prefix = join(tmp, 'prefix');
    // Only this test's npm settings: a fresh global prefix and cache, nothing inherited.
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)),
    );
    Object.assign(env, {
      PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
      npm_config_prefix: prefix,
      npm_config_cache: join(tmp, 'npm-cache'),
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      DEV_INFRA_HOME: join(tmp, 'machine'),
    });
    const installed = await run('sh', ['-c', line], { env });
    expect(installed.stdout).toMatch(new RegExp(server.url.replace(/\./g, '\\.')));
    const version = await run('sh', ['-c', 'command -v dev-infra && dev-infra --version'], { env });
    expect(version.stdout).toBe(`${join(prefix, 'bin', 'dev-infra')}\n0.1.0\n`);
    const shown = await run(join(prefix, 'bin', 'dev-infra'), ['remote', 'show', '--json'], {
      env,
    });
    expect(shown.stdout).toContain(server.url);
  } finally {
    await server.stop();
  }
}, 120_000);
