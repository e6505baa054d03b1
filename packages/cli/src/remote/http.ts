/**
 * JSON over HTTP(S) to work-prod, with the timeouts, retries and error messages every network
 * command relies on.
 *
 * Built on node:http/node:https rather than fetch: Node's fetch has no separate connect
 * timeout, and a dead host must fail after ~3 s while a slow answer may take ~15 s. Each
 * request uses its own connection (no keep-alive pool): a sync makes a handful of requests,
 * and a pooled socket closed by the server would turn a POST into an ambiguous failure.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { redactRemoteUrl } from '@dev-infra/core';
import pkg from '../../package.json' with { type: 'json' };
import { safeLine } from '../output/safe-text.js';

/** Where and how to reach work-prod. Timeouts are in milliseconds. */
export interface RemoteOptions {
  /** Base URL of work-prod, e.g. `https://registry.example.com` (a path prefix is kept). */
  url: string;
  /** Sent as `Authorization: Bearer` only when set and non-empty. */
  apiKey?: string | undefined;
  /** Time to open the connection (DNS + TCP). Default 3000. */
  connectTimeoutMs?: number;
  /** Time for the whole request including retries. Default 15000. */
  timeoutMs?: number;
  /** Extra attempts for GET on connection errors and 502/503/504. Default 2. */
  retries?: number;
  /** First backoff between retries, doubled each time. Default 250. */
  retryDelayMs?: number;
  /** Host name resolution (default: the system's). Tests use it to simulate a hung resolver. */
  lookup?: LookupFunction;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
export const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_RETRIES = 2;
const DEFAULT_RETRY_DELAY_MS = 250;
/** Larger answers are refused rather than held in memory. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const RETRY_STATUSES = new Set([502, 503, 504]);

/** What kind of failure a RemoteError is, for callers that react differently. */
export type RemoteErrorKind =
  /** No connection could be made (refused, DNS, connect timeout, connection lost). */
  | 'unreachable'
  /** Connected, but no complete answer in time. */
  | 'timeout'
  /** 401/403: the key is missing or refused. */
  | 'auth'
  /** Any other non-2xx answer; `status` and `serverError` say which. */
  | 'http'
  /** A 2xx answer that is not what work-prod sends (not JSON, wrong shape). */
  | 'protocol'
  /** The configured URL is not an http(s) URL. */
  | 'config';

/** A network failure with a one-line message fit to show a user (never containing the key). */
export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  readonly kind: RemoteErrorKind;
  /** The HTTP status when the server answered. */
  readonly status: number | undefined;
  /** The server's own `{"error"}` text, when it sent one. */
  readonly serverError: string | undefined;
  /** True when a non-GET request may have reached the server before the failure. */
  readonly maybeApplied: boolean;

  constructor(
    message: string,
    kind: RemoteErrorKind,
    extra: { status?: number; serverError?: string; maybeApplied?: boolean; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.kind = kind;
    this.status = extra.status;
    this.serverError = extra.serverError;
    this.maybeApplied = extra.maybeApplied ?? false;
  }
}

/** A decoded answer: status, headers and the parsed JSON body (undefined when empty). */
export interface JsonResponse<T> {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: T;
}

/** Options of one request. */
export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

type Failure =
  | { reason: 'refused' | 'dns' | 'lost' | 'connect-timeout' | 'timeout' | 'tls'; code?: string }
  | { reason: 'too-large' };

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

class AttemptFailure extends Error {
  constructor(
    readonly failure: Failure,
    cause?: unknown,
  ) {
    super(failure.reason, cause === undefined ? undefined : { cause });
  }
}

// One definition for every reader of JSON; re-exported here for the remote clients.
export { isObject } from '@dev-infra/core';

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function classify(error: NodeJS.ErrnoException): Failure {
  switch (error.code) {
    case 'ECONNREFUSED':
      return { reason: 'refused' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { reason: 'dns' };
    case 'EPROTO':
      return { reason: 'tls', code: error.code };
    default:
      // Certificate problems (self-signed, expired, wrong name) are not worth a retry.
      if (error.code?.includes('CERT') || error.code?.startsWith('ERR_TLS'))
        return { reason: 'tls', code: error.code };
      return { reason: 'lost', code: error.code ?? error.message };
  }
}

/** Makes one HTTP exchange with a connect timer and an overall timer; never retries. */
function attempt(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: Buffer | undefined,
  limits: { connectTimeoutMs: number; timeoutMs: number; lookup: LookupFunction | undefined },
): Promise<RawResponse> {
  const { connectTimeoutMs, timeoutMs, lookup } = limits;
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, { method, headers, agent: false, ...(lookup ? { lookup } : {}) });
    let connectTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (error: AttemptFailure | undefined, value?: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(overallTimer);
      if (error) {
        req.destroy();
        reject(error);
      } else resolve(value!);
    };
    const overallTimer = setTimeout(
      () => finish(new AttemptFailure({ reason: 'timeout' })),
      timeoutMs,
    );
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(
        () => finish(new AttemptFailure({ reason: 'connect-timeout' })),
        connectTimeoutMs,
      );
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    req.on('error', (e: NodeJS.ErrnoException) => finish(new AttemptFailure(classify(e), e)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) finish(new AttemptFailure({ reason: 'too-large' }));
        else chunks.push(chunk);
      });
      res.on('end', () =>
        finish(undefined, {
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', (e: NodeJS.ErrnoException) => finish(new AttemptFailure(classify(e), e)));
      res.on('aborted', () => finish(new AttemptFailure({ reason: 'lost', code: 'aborted' })));
    });
    req.end(body);
  });
}

/**
 * The `{"error": "..."}` text of an error answer, shortened to one line with its control
 * characters shown as escapes: it is the server's text, printed on the user's terminal.
 */
function serverErrorText(text: string): string | undefined {
  const found = rawServerErrorText(text);
  return found === undefined ? undefined : safeLine(found);
}

function rawServerErrorText(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && 'error' in parsed) {
      const e = (parsed as { error: unknown }).error;
      if (typeof e === 'string' && e.trim()) return e.replace(/\s+/g, ' ').trim().slice(0, 300);
    }
  } catch {
    // Not JSON: fall through to the raw text below.
  }
  const raw = text.replace(/\s+/g, ' ').trim();
  return raw && !raw.startsWith('<') ? raw.slice(0, 300) : undefined;
}

/**
 * Checks a work-prod URL as a user typed it and returns it without trailing slashes; throws a
 * RemoteError (kind `config`) saying what is wrong.
 */
export function checkRemoteUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  let parsed: URL | undefined;
  try {
    parsed = new URL(trimmed);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.host) {
    throw new RemoteError(
      `not a work-prod URL: ${redactRemoteUrl(trimmed)} (expected http://host:port or https://host)`,
      'config',
    );
  }
  // remote-config refuses these with the way out; this is the last guard for any other caller,
  // since fetch would send them as Basic credentials on every request.
  if (parsed.username || parsed.password) {
    throw new RemoteError(
      `a work-prod URL must not contain credentials: ${redactRemoteUrl(trimmed)}`,
      'config',
    );
  }
  if (parsed.search || parsed.hash) {
    throw new RemoteError(
      `a work-prod URL takes no query or fragment: ${redactRemoteUrl(trimmed)}`,
      'config',
    );
  }
  return trimmed;
}

/** Shorter keys are not cut out of a server's message but hide it whole (see scrub). */
const MIN_SCRUBBED_KEY = 8;

/** A client for one work-prod server: JSON requests with timeouts, retries and clear errors. */
export class HttpClient {
  readonly baseUrl: string;
  /** The base URL with any credentials removed, for messages. */
  readonly displayUrl: string;
  private readonly apiKey: string | undefined;
  private readonly connectTimeoutMs: number;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly lookup: LookupFunction | undefined;

  constructor(options: RemoteOptions) {
    this.baseUrl = checkRemoteUrl(options.url);
    this.displayUrl = redactRemoteUrl(this.baseUrl);
    this.apiKey = options.apiKey ? options.apiKey : undefined;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retries = options.retries ?? DEFAULT_RETRIES;
    this.retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    this.lookup = options.lookup;
  }

  /** GET a JSON document; retried on connection errors and 502/503/504. */
  async get<T>(path: string, query?: RequestOptions['query']): Promise<T> {
    return (await this.request<T>('GET', path, { query })).body;
  }

  /**
   * Sends one request and decodes the JSON answer. Non-2xx answers and every network failure
   * become a RemoteError; only GET is retried, never a request that changes something.
   */
  async request<T>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<JsonResponse<T>> {
    const url = this.urlFor(path, options.query);
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': `dev-infra/${pkg.version}`,
    };
    if (body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(body.length);
    }
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;

    const idempotent = method === 'GET';
    const deadline = Date.now() + this.timeoutMs;
    for (let tries = 0; ; tries++) {
      const remaining = deadline - Date.now();
      const canRetry = (delay: number) =>
        idempotent && tries < this.retries && deadline - Date.now() > delay;
      const delay = this.retryDelayMs * 2 ** tries;
      let raw: RawResponse;
      try {
        if (remaining <= 0) throw new AttemptFailure({ reason: 'timeout' });
        raw = await attempt(method, url, headers, body, {
          connectTimeoutMs: Math.min(this.connectTimeoutMs, remaining),
          timeoutMs: remaining,
          lookup: this.lookup,
        });
      } catch (e) {
        if (!(e instanceof AttemptFailure)) throw e;
        const f = e.failure;
        if ((f.reason === 'refused' || f.reason === 'lost') && canRetry(delay)) {
          await sleep(delay);
          continue;
        }
        throw this.networkError(method, f, tries + 1, e.cause);
      }
      if (RETRY_STATUSES.has(raw.status) && canRetry(delay)) {
        await sleep(delay);
        continue;
      }
      return this.decode<T>(method, path, raw);
    }
  }

  private urlFor(path: string, query: RequestOptions['query']): URL {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return url;
  }

  /**
   * Removes the API key from any text that might reach a user (a server could echo it). A key
   * too short to be told from ordinary words (a typo, a test key) would turn every "a" into
   * "***": then the text is dropped whole when it holds the key.
   */
  private scrub(text: string): string {
    const key = this.apiKey;
    if (!key || !text.includes(key)) return text;
    if (key.length < MIN_SCRUBBED_KEY) return '(message not shown: it may hold the API key)';
    return text.split(key).join('***');
  }

  private networkError(method: string, f: Failure, tries: number, cause: unknown): RemoteError {
    const nothing = 'Nothing was changed; local commands still work.';
    const maybe =
      'It may or may not have been applied: run the command again to finish it. Local commands still work.';
    const after = tries > 1 ? `, ${tries} tries` : '';
    const at = this.displayUrl;
    switch (f.reason) {
      case 'refused':
        return this.error(
          `cannot reach ${at} (connection refused${after}). ${nothing}`,
          'unreachable',
          { cause },
        );
      case 'dns':
        return this.error(
          `cannot reach ${at} (host not found${after}). ${nothing}`,
          'unreachable',
          { cause },
        );
      case 'tls':
        return this.error(
          f.code === 'EPROTO'
            ? `cannot reach ${at} (TLS handshake failed: is it really https?). ${nothing}`
            : `cannot reach ${at} (certificate not trusted: ${f.code}; for a private CA set NODE_EXTRA_CA_CERTS). ${nothing}`,
          'unreachable',
          { cause },
        );
      case 'connect-timeout':
        return this.error(
          `cannot reach ${at} (no connection within ${seconds(this.connectTimeoutMs)}). ${nothing}`,
          'unreachable',
          { cause },
        );
      case 'too-large':
        return this.error(
          `work-prod at ${at} sent an answer larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MB; refusing it. ${method === 'GET' ? nothing : maybe}`,
          'protocol',
          { maybeApplied: method !== 'GET' },
        );
      case 'timeout':
      case 'lost': {
        const why =
          f.reason === 'timeout'
            ? `no answer within ${seconds(this.timeoutMs)}`
            : `connection lost: ${f.code ?? 'reset'}${after}`;
        const idempotent = method === 'GET';
        return this.error(
          `cannot reach ${at} (${why}). ${idempotent ? nothing : maybe}`,
          f.reason === 'timeout' ? 'timeout' : 'unreachable',
          { maybeApplied: !idempotent, cause },
        );
      }
    }
  }

  private decode<T>(method: string, path: string, raw: RawResponse): JsonResponse<T> {
    const { status, headers, text } = raw;
    if (status < 200 || status >= 300) {
      // Scrubbed before it is shortened, so no part of an echoed key survives; callers may
      // show serverError on its own.
      const safe = serverErrorText(this.scrub(text));
      if (status === 401 || status === 403) {
        const message = this.apiKey
          ? `work-prod refused the API key (${status}): check it with dev-infra remote show`
          : `work-prod wants an API key (${status}): set one with dev-infra remote set ${this.displayUrl} --key <KEY>`;
        throw this.error(message, 'auth', { status, serverError: safe });
      }
      const location = headers.location;
      if (status >= 300 && status < 400 && location) {
        throw this.error(
          `work-prod answered ${status}, moved to ${safeLine(redactRemoteUrl(location))}: update the URL with dev-infra remote set`,
          'http',
          { status },
        );
      }
      const message = `work-prod answered ${status}${safe ? `: ${safe}` : ` to ${method} ${path}`}`;
      // A gateway error to a change may hide a server that applied it before the proxy gave up.
      const maybeApplied = method !== 'GET' && (status === 502 || status === 504);
      throw this.error(message, 'http', { status, serverError: safe, maybeApplied });
    }
    if (text.trim() === '') return { status, headers, body: undefined as T };
    try {
      return { status, headers, body: JSON.parse(text) as T };
    } catch {
      throw this.error(
        `${this.displayUrl} answered ${method} ${path} with something that is not JSON: is it a work-prod server?`,
        'protocol',
        { status },
      );
    }
  }

  /** Every RemoteError is made here, so the key is scrubbed from every message. */
  private error(
    message: string,
    kind: RemoteErrorKind,
    extra?: ConstructorParameters<typeof RemoteError>[2],
  ): RemoteError {
    // A short key's hiding is done on the server's text alone (decode): done here, it would
    // hide this client's own words, which hold its letters.
    const key = this.apiKey;
    const scrubbed = key && key.length >= MIN_SCRUBBED_KEY ? this.scrub(message) : message;
    return new RemoteError(scrubbed, kind, extra);
  }
}
