/** Where the database is and how the server behaves, from flags and environment. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

const isPostgresUrl = (value: string) => /^postgres(ql)?:\/\//i.test(value);

/**
 * The database to use: `--db` (a file, or a postgres:// URL), else `DATABASE_URL`, else
 * `WORK_PROD_DB`, else `$XDG_DATA_HOME/work-prod/work-prod.db`.
 */
export function resolveDatabase(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): DatabaseTarget {
  if (flag)
    return isPostgresUrl(flag) ? { kind: 'postgres', url: flag } : { kind: 'sqlite', file: flag };
  if (env.DATABASE_URL) {
    if (!isPostgresUrl(env.DATABASE_URL))
      throw new Error('DATABASE_URL must be a postgres:// URL (unset it to use SQLite)');
    return { kind: 'postgres', url: env.DATABASE_URL };
  }
  if (env.WORK_PROD_DB) return { kind: 'sqlite', file: env.WORK_PROD_DB };
  const dataHome = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return { kind: 'sqlite', file: join(dataHome, 'work-prod', 'work-prod.db') };
}

/** Describes a target for messages without any password in it. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return `SQLite ${target.file}`;
  const url = new URL(target.url);
  return `PostgreSQL ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
}

/** Tunables of the HTTP service. */
export interface ServerOptions {
  /** Largest accepted request body, bytes. */
  bodyLimit: number;
  /** Requests per key per minute. */
  rateLimit: number;
  /** Refused keys or session tokens per client address per minute; then 429 (auth-limit.ts). */
  authFailLimit: number;
  /** pino level, or 'silent'. Logs go to stderr, apart from what `serve` prints. */
  logLevel: string;
  /** Trust X-Forwarded-* from a reverse proxy. */
  trustProxy: boolean | string;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive whole number (got ${JSON.stringify(raw)})`);
  return value;
}

/**
 * WORK_PROD_KEY_CACHE_SECONDS (default 5; 0 turns the cache off): how long a running server
 * trusts a key it found live before asking the database again, so how long a key revoked by
 * another process (the `key revoke` command, another instance) may still be accepted.
 */
export function keyCacheTtlMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WORK_PROD_KEY_CACHE_SECONDS;
  if (raw === undefined || raw === '') return 5_000;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 3600)
    throw new Error(
      `WORK_PROD_KEY_CACHE_SECONDS must be a whole number of seconds from 0 to 3600 (got ${JSON.stringify(raw)})`,
    );
  return value * 1000;
}

/**
 * Reads WORK_PROD_BODY_LIMIT, WORK_PROD_RATE_LIMIT, WORK_PROD_AUTH_FAIL_LIMIT,
 * WORK_PROD_LOG_LEVEL, WORK_PROD_TRUST_PROXY.
 * The log level defaults to `info`, or `warn` when the logs go to a terminal: someone watching
 * `npm start` wants the banner and the problems, not a JSON line per request.
 */
export function serverOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  logsToTerminal = false,
): ServerOptions {
  const trust = env.WORK_PROD_TRUST_PROXY;
  return {
    bodyLimit: positiveInt(env, 'WORK_PROD_BODY_LIMIT', 1024 * 1024),
    rateLimit: positiveInt(env, 'WORK_PROD_RATE_LIMIT', 10_000),
    authFailLimit: positiveInt(env, 'WORK_PROD_AUTH_FAIL_LIMIT', 100),
    logLevel: env.WORK_PROD_LOG_LEVEL || (logsToTerminal ? 'warn' : 'info'),
    trustProxy: trust === undefined || trust === '' ? false : trust === 'true' ? true : trust,
  };
}
