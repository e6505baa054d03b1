/**
 * `remote set` checks the URL and key against real servers before storing them: a real
 * work-prod (sync-v1), the fake original one (basic), a plain HTTP server that is not work-prod,
 * and a wrong key. A refused key is then an error in `status` and `sync`, never "offline".
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BasicServer, startBasicServer } from '../../../../../test-support/basic-server.js';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../../../server/test/helpers.js';
import { machine } from '../../../test/support/machine.js';
import { useListeningApp } from '../../../test/sync/listening-app.js';
import { checked } from '../../sync/remote-config.js';

afterAll(removeTempDirs);

const configOf = (home: string) =>
  existsSync(join(home, 'config.yml')) ? readFileSync(join(home, 'config.yml'), 'utf8') : '';

describeBackends(
  'remote set against work-prod',
  (backend) => {
    const url = useListeningApp(backend);

    it('stores a URL and key the server accepts, and shows the key by its prefix', async () => {
      const { key, prefix } = await newAccount(backend().storage, 'remote');
      const m = machine();
      const set = await m.cli(['remote', 'set', url(), '--key', key]);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toContain(`(key ${prefix}…); protocol: sync-v1`);
      expect(configOf(m.home)).toContain(key);
      const show = await m.cli(['remote', 'show']);
      expect(show.stdout).toContain(`key:      ${prefix}…`);
      expect(show.stdout).not.toContain(key);
    });

    it('refuses a wrong key in one line and stores nothing; --no-verify stores it', async () => {
      const { key } = await newAccount(backend().storage, 'remote');
      const wrong = `wp_${'x'.repeat(43)}`;
      const m = machine();
      const set = await m.cli(['remote', 'set', url(), '--key', wrong]);
      expect(set.code).toBe(1);
      expect(set.stderr).toBe(
        `error: work-prod at ${url()} refused the API key wp_xxxxxxxx… (401); nothing stored (--no-verify stores it anyway)\n`,
      );
      expect(set.stderr).not.toContain(wrong);
      expect(configOf(m.home)).toBe('');
      const missing = await m.cli(['remote', 'set', url()]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/wants an API key \(401\): give one with --key/);

      // Stored anyway, the refused key is an error in status and sync, never "offline".
      expect((await m.cli(['remote', 'set', url(), '--key', wrong, '--no-verify'])).code).toBe(0);
      expect(configOf(m.home)).toContain(wrong);
      for (const args of [['status'], ['sync'], ['status', '--json'], ['machines']]) {
        const r = await m.cli(args);
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stdout).not.toContain('offline');
        expect(r.stderr).toBe(
          `error: work-prod refused the API key wp_xxxxxxxx… (401): set a new one with dev-infra remote set ${url()} --key <KEY>\n`,
        );
      }
      expect((await m.cli(['remote', 'set', url(), '--key', key])).code).toBe(0);
      expect((await m.cli(['status'])).code).toBe(0);
    });
  },
  ['sqlite'],
);

describe('remote set against other servers', () => {
  let basic: BasicServer;
  let plain: Server;
  let plainUrl = '';
  beforeAll(async () => {
    basic = await startBasicServer();
    // A web server that is not work-prod: HTML for /, 404 for everything else.
    plain = createServer((req, res) => {
      if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
      else res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await basic.close();
    await new Promise((resolve) => plain.close(resolve));
  });

  it('accepts an original work-prod (basic mode) after an authenticated list', async () => {
    const m = machine();
    const set = await m.cli(['remote', 'set', basic.url, '--key', 'wp_basic_key_value']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('protocol: basic (original work-prod API)');
    const seen = basic.requests.map((r) => `${r.method} ${r.url.split('?')[0]}`);
    expect(seen).toEqual(expect.arrayContaining(['GET /api/health', 'GET /api/projects']));
    expect(configOf(m.home)).toContain(basic.url);
  });

  it('refuses a URL with credentials, naming neither user nor password anywhere', async () => {
    const m = machine();
    const secret = 'S3cretPassw0rd';
    const withCreds = basic.url.replace('http://', `http://alice:${secret}@`);
    const before = basic.requests.length;
    for (const url of [withCreds, withCreds.replace(`alice:${secret}`, secret)]) {
      const set = await m.cli(['remote', 'set', url, '--key', 'wp_basic_key_value']);
      expect(set.code).toBe(1);
      expect(set.stdout).toBe('');
      expect(set.stderr).toBe(
        `error: the work-prod URL must not contain credentials; use: dev-infra remote set ${basic.url} --key <KEY>\n`,
      );
    }
    // Refused before any request: the credentials never went over the wire either.
    expect(basic.requests.length).toBe(before);
    expect(configOf(m.home)).toBe('');

    // The same URL in the environment fails every network command in one line.
    mkdirSync(join(m.code, 'p'));
    expect((await m.cli(['add', join(m.code, 'p')])).code).toBe(0);
    const env = { DEV_INFRA_REMOTE: withCreds, DEV_INFRA_API_KEY: 'wp_basic_key_value' };
    for (const args of [['remote', 'show'], ['status'], ['sync'], ['machines']]) {
      const r = await m.cli(args, undefined, env);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout + r.stderr).not.toContain(secret);
      expect(r.stdout + r.stderr).not.toContain('alice');
      expect(r.stderr).toBe(
        `error: the work-prod URL in DEV_INFRA_REMOTE must not contain credentials; use: DEV_INFRA_REMOTE=${basic.url} with DEV_INFRA_API_KEY=<KEY>\n`,
      );
    }
    expect(basic.requests.length).toBe(before);
    expect(m.registryText()).not.toContain(secret);
    expect(configOf(m.home)).toBe('');
  });

  it('refuses a server that is not work-prod, and a URL where nothing listens', async () => {
    const m = machine();
    const set = await m.cli(['remote', 'set', plainUrl, '--key', 'wp_some_key_value']);
    expect(set.code).toBe(1);
    expect(set.stderr).toMatch(
      new RegExp(
        `^error: ${plainUrl} is not a work-prod server \\(GET /api/health: .*404.*\\); nothing stored`,
      ),
    );
    expect(set.stderr.trim().split('\n')).toHaveLength(1);
    expect(set.stderr).not.toContain('<h1>');
    const none = await m.cli(['remote', 'set', 'http://127.0.0.1:9', '--key', 'wp_some_key_value']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:9 .*; nothing stored/);
    expect(configOf(m.home)).toBe('');
  });
});

describe('a work-prod URL with credentials', () => {
  it('is refused naming only scheme, host and path, whatever the password holds', () => {
    for (const url of [
      'http://alice:p@ss@host:8080/',
      'https://tok3n-p@ss@host/base?x=1#y',
      'http://:p@ss@host',
      'HTTP://alice:p@ss@HOST',
    ]) {
      let message = '';
      try {
        checked(url);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, url).toMatch(
        /^the work-prod URL must not contain credentials; use: dev-infra remote set https?:\/\/host(:8080|\/base)? --key <KEY>$/,
      );
      expect(message).not.toMatch(/p@ss|alice|tok3n/);
    }
    // A `/` in the password ends the user info early: nothing of the URL is echoed then.
    expect(() => checked('http://alice:p@ss/w0rd@host')).toThrow(
      /^the work-prod URL must not contain credentials; use: dev-infra remote set http:\/\/<host> --key <KEY>$/,
    );
  });
});
