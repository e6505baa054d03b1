import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { checkRemoteUrl, HttpClient, RemoteError } from '../../src/remote/http.js';
import { closeAll, closedPortUrl, json, startServer } from './servers.js';
import { TEST_CERT, TEST_KEY } from './tls-fixture.js';

const KEY = 'dik_secret_0123456789abcdef';

afterEach(closeAll);

/** Runs `fn` and returns the RemoteError it must throw. */
async function failure(fn: () => Promise<unknown>): Promise<RemoteError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RemoteError);
    const err = e as RemoteError;
    // The key never reaches any message a user can see.
    expect(err.message).not.toContain(KEY);
    expect(err.serverError ?? '').not.toContain(KEY);
    expect(err.message).not.toContain('\n');
    return err;
  }
  throw new Error('expected a RemoteError, got success');
}

describe('HttpClient success paths', () => {
  it('GETs JSON with a User-Agent, query parameters, and no Authorization without a key', async () => {
    const s = await startServer((_hit, res) => json(res, 200, { ok: true }));
    const http = new HttpClient({ url: `${s.url}/` });
    expect(await http.get('/api/x', { a: 1, b: 'two words', c: undefined })).toEqual({ ok: true });
    const hit = s.hits[0]!;
    expect(hit.url).toBe('/api/x?a=1&b=two+words');
    expect(hit.headers['user-agent']).toBe(`dev-infra/${pkg.version}`);
    expect(hit.headers.authorization).toBeUndefined();
  });

  it('sends the key as a Bearer token and a JSON body; keeps a base path', async () => {
    const s = await startServer((hit, res) => json(res, 201, { got: JSON.parse(hit.body) }));
    const http = new HttpClient({ url: `${s.url}/prefix`, apiKey: KEY });
    const r = await http.request<{ got: unknown }>('POST', '/api/y', { body: { a: [1] } });
    expect(r.status).toBe(201);
    expect(r.body.got).toEqual({ a: [1] });
    expect(s.hits[0]!.url).toBe('/prefix/api/y');
    expect(s.hits[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(s.hits[0]!.headers['content-type']).toBe('application/json');
  });

  it('treats an empty key as no key, and an empty answer as undefined', async () => {
    const s = await startServer((_hit, res) => res.writeHead(204).end());
    const http = new HttpClient({ url: s.url, apiKey: '' });
    expect((await http.request('DELETE', '/api/z')).body).toBeUndefined();
    expect(s.hits[0]!.headers.authorization).toBeUndefined();
  });
});

describe('checkRemoteUrl', () => {
  it('accepts http(s) URLs and trims trailing slashes', () => {
    expect(checkRemoteUrl(' https://registry.example.com/ ')).toBe('https://registry.example.com');
    expect(checkRemoteUrl('http://127.0.0.1:8080/base//')).toBe('http://127.0.0.1:8080/base');
  });

  it.each(['localhost:8080', 'ftp://host', 'registry.example.com', '', 'https://host/?x=1'])(
    'refuses %j with a clear line',
    (url) => {
      expect(() => checkRemoteUrl(url)).toThrow(RemoteError);
      expect(() => new HttpClient({ url })).toThrow(/work-prod URL/);
    },
  );

  it('never shows a password that was put in the URL', () => {
    expect(() => checkRemoteUrl('ftp://me:hunter2@host')).toThrow(
      /^not a work-prod URL: ftp:\/\/host/,
    );
  });

  it('refuses user info in an http(s) URL, without showing it', () => {
    for (const url of ['https://me:hunter2@host', 'http://token@127.0.0.1:8080']) {
      let message = '';
      try {
        checkRemoteUrl(url);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/^a work-prod URL must not contain credentials: /);
      expect(message).not.toMatch(/hunter2|token/);
    }
  });
});

describe('HttpClient errors', () => {
  it('maps 401 with a key to a "refused the API key" line, even when the server echoes the key', async () => {
    const s = await startServer((hit, res) =>
      json(res, 401, { error: `bad key ${hit.headers.authorization}` }),
    );
    const err = await failure(() => new HttpClient({ url: s.url, apiKey: KEY }).get('/api/x'));
    expect(err.kind).toBe('auth');
    expect(err.status).toBe(401);
    expect(err.message).toBe(
      'work-prod refused the API key (401): check it with dev-infra remote show',
    );
    expect(err.serverError).toContain('***');
  });

  it('maps 401 without a key to how to set one', async () => {
    const s = await startServer((_hit, res) => json(res, 401, { error: 'key required' }));
    const err = await failure(() => new HttpClient({ url: s.url }).get('/api/x'));
    expect(err.message).toBe(
      `work-prod wants an API key (401): set one with dev-infra remote set ${s.url} --key <KEY>`,
    );
  });

  it('maps other answers to their status and the server’s error', async () => {
    const s = await startServer((hit, res) =>
      hit.url === '/500'
        ? json(res, 500, { error: `database\nis down (key ${KEY})` })
        : res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>nope</h1>'),
    );
    const http = new HttpClient({ url: s.url, apiKey: KEY, retries: 0 });
    const e500 = await failure(() => http.get('/500'));
    expect(e500).toMatchObject({ kind: 'http', status: 500 });
    expect(e500.message).toBe('work-prod answered 500: database is down (key ***)');
    const e404 = await failure(() => http.get('/404'));
    expect(e404.message).toBe('work-prod answered 404 to GET /404');
    expect(e404.status).toBe(404);
  });

  it('cuts a long error text only after removing an echoed key', async () => {
    const s = await startServer((_hit, res) =>
      json(res, 400, { error: `${'x'.repeat(290)}${KEY}${'y'.repeat(50)}` }),
    );
    const err = await failure(() => new HttpClient({ url: s.url, apiKey: KEY }).get('/a'));
    expect(err.message).not.toContain(KEY.slice(0, 8));
    expect(err.message).toContain('x***');
  });

  it('hides a whole message that holds a key too short to cut out, and leaves others whole', async () => {
    const s = await startServer((hit, res) =>
      json(res, 500, { error: hit.url === '/echo' ? 'bad key q7 given' : 'database away' }),
    );
    const http = new HttpClient({ url: s.url, apiKey: 'q7', retries: 0 });
    const echoed = await failure(() => http.get('/echo'));
    expect(echoed.message).toBe(
      'work-prod answered 500: (message not shown: it may hold the API key)',
    );
    const other = await failure(() => http.get('/other'));
    expect(other.message).toBe('work-prod answered 500: database away');
  });

  it('names where a redirect points, so the URL can be fixed', async () => {
    const s = await startServer((_hit, res) =>
      res.writeHead(301, { location: 'https://registry.example.com/api/health' }).end(),
    );
    const err = await failure(() => new HttpClient({ url: s.url }).get('/api/health'));
    expect(err.message).toBe(
      'work-prod answered 301, moved to https://registry.example.com/api/health: update the URL with dev-infra remote set',
    );
  });

  it('refuses a 2xx answer that is not JSON', async () => {
    const s = await startServer((_hit, res) => res.writeHead(200).end('<html>hello</html>'));
    const err = await failure(() => new HttpClient({ url: s.url }).get('/api/health'));
    expect(err.kind).toBe('protocol');
    expect(err.message).toContain('is it a work-prod server?');
  });

  it('fails fast and clearly when the port is closed', async () => {
    const url = await closedPortUrl();
    const http = new HttpClient({ url, apiKey: KEY, retryDelayMs: 20 });
    const err = await failure(() => http.get('/api/health'));
    expect(err.kind).toBe('unreachable');
    expect(err.message).toMatch(
      /^cannot reach http:\/\/127\.0\.0\.1:\d+ \(connection refused, 3 tries\)\. Nothing was changed; local commands still work\.$/,
    );
    const post = await failure(() => http.request('POST', '/api/sync/push', { body: {} }));
    expect(post.message).toContain('(connection refused)');
    expect(post.maybeApplied).toBe(false);
  });

  it('gives up connecting after the connect timeout (a resolver that never answers)', async () => {
    const http = new HttpClient({
      url: 'http://work-prod.invalid:8080',
      apiKey: KEY,
      connectTimeoutMs: 200,
      timeoutMs: 20_000,
      lookup: () => {
        // Never calls back, like a hung DNS server: the socket stays "connecting".
      },
    });
    const err = await failure(() => http.get('/api/health'));
    expect(err.kind).toBe('unreachable');
    expect(err.message).toBe(
      'cannot reach http://work-prod.invalid:8080 (no connection within 0.2 s). Nothing was changed; local commands still work.',
    );
  });

  it('says when the host name does not resolve', async () => {
    const http = new HttpClient({
      url: 'https://nowhere.invalid',
      lookup: (_host, _options, callback) =>
        callback(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), ''),
    });
    const err = await failure(() => http.get('/api/health'));
    expect(err.message).toBe(
      'cannot reach https://nowhere.invalid (host not found). Nothing was changed; local commands still work.',
    );
  });

  it('says when an https certificate is not trusted, without retrying', async () => {
    let hits = 0;
    const tls = createHttpsServer({ key: TEST_KEY, cert: TEST_CERT }, (_req, res) => {
      hits++;
      res.end('{}');
    });
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
      const err = await failure(() => new HttpClient({ url, retryDelayMs: 10 }).get('/api/health'));
      expect(err.kind).toBe('unreachable');
      expect(err.message).toBe(
        `cannot reach ${url} (certificate not trusted: DEPTH_ZERO_SELF_SIGNED_CERT; for a private CA set NODE_EXTRA_CA_CERTS). Nothing was changed; local commands still work.`,
      );
      expect(hits).toBe(0);
    } finally {
      tls.closeAllConnections();
      await new Promise((resolve) => tls.close(resolve));
    }
  });

  it('says when https is spoken to a plain http server', async () => {
    const s = await startServer((_hit, res) => json(res, 200, {}));
    const url = s.url.replace('http:', 'https:');
    const err = await failure(() => new HttpClient({ url }).get('/api/health'));
    expect(err.message).toBe(
      `cannot reach ${url} (TLS handshake failed: is it really https?). Nothing was changed; local commands still work.`,
    );
  });

  it('ends a request the server accepts but never answers, within the overall timeout', async () => {
    const s = await startServer(() => {
      // Never answers.
    });
    const http = new HttpClient({ url: s.url, apiKey: KEY, timeoutMs: 300 });
    const get = await failure(() => http.get('/api/sync/changes'));
    expect(get.kind).toBe('timeout');
    expect(get.message).toBe(
      `cannot reach ${s.url} (no answer within 0.3 s). Nothing was changed; local commands still work.`,
    );
    expect(s.hits).toHaveLength(1); // a timeout is not retried
    const post = await failure(() => http.request('POST', '/api/sync/push', { body: {} }));
    expect(post.kind).toBe('timeout');
    expect(post.maybeApplied).toBe(true);
    expect(post.message).toContain('may or may not have been applied: run the command again');
  });

  it('ends an answer that trickles in too slowly', async () => {
    const s = await startServer((_hit, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"changes": [');
      const t = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(t));
    });
    const err = await failure(() => new HttpClient({ url: s.url, timeoutMs: 400 }).get('/x'));
    expect(err.kind).toBe('timeout');
  });

  it('retries GET on 503/502/504 and succeeds', async () => {
    let n = 0;
    const s = await startServer((_hit, res) => {
      n++;
      if (n === 1) json(res, 503, { error: 'starting' });
      else if (n === 2) json(res, 502, { error: 'proxy' });
      else json(res, 200, { n });
    });
    const http = new HttpClient({ url: s.url, retries: 2, retryDelayMs: 10 });
    expect(await http.get('/api/x')).toEqual({ n: 3 });
    expect(s.hits).toHaveLength(3);
  });

  it('gives up after the retries with the last status', async () => {
    const s = await startServer((_hit, res) => json(res, 504, { error: 'gateway timeout' }));
    const http = new HttpClient({ url: s.url, retries: 1, retryDelayMs: 10 });
    const err = await failure(() => http.get('/api/x'));
    expect(err.message).toBe('work-prod answered 504: gateway timeout');
    expect(s.hits).toHaveLength(2);
  });

  it('never retries a POST, PATCH or DELETE', async () => {
    const s = await startServer((_hit, res) => json(res, 503, { error: 'busy' }));
    const http = new HttpClient({ url: s.url, retries: 3, retryDelayMs: 10 });
    for (const method of ['POST', 'PATCH', 'DELETE']) {
      const err = await failure(() => http.request(method, '/api/x', { body: { a: 1 } }));
      expect(err.status).toBe(503);
    }
    expect(s.hits.map((h) => h.method)).toEqual(['POST', 'PATCH', 'DELETE']);
  });

  it('says a POST cut off mid-answer may have been applied, without retrying', async () => {
    const s = await startServer((_hit, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"results"');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const http = new HttpClient({ url: s.url, retries: 3, retryDelayMs: 10 });
    const err = await failure(() => http.request('POST', '/api/sync/push', { body: {} }));
    expect(err.kind).toBe('unreachable');
    expect(err.maybeApplied).toBe(true);
    expect(err.message).toContain('connection lost');
    expect(s.hits).toHaveLength(1);
  });

  it('retries a GET whose connection is cut, then succeeds', async () => {
    let n = 0;
    const s = await startServer((_hit, res) => {
      if (++n === 1) res.socket?.destroy();
      else json(res, 200, { ok: n });
    });
    const http = new HttpClient({ url: s.url, retryDelayMs: 10 });
    expect(await http.get('/api/x')).toEqual({ ok: 2 });
  });
});
