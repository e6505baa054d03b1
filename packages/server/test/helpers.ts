/**
 * Shared test fixtures: both backends (SQLite temp file, PostgreSQL test database), apps,
 * accounts with keys, and spawned `work-prod` processes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SharedFields } from '@dev-infra/core';
import BetterSqlite3 from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { createTestDatabase, postgresAdminUrl } from '../../../test-support/services.js';
import { makeTempDir, removeTempDirs } from '../../../test-support/tmp.js';
import { buildApp } from '../src/app.js';
import type { DatabaseTarget, ServerOptions } from '../src/config.js';
import { generateKey } from '../src/keys.js';
import { openStorage } from '../src/storage/open.js';
import type { Storage } from '../src/storage/types.js';

export type BackendName = 'sqlite' | 'postgres';

/** A migrated database of one backend for one test file. */
export interface TestBackend {
  name: BackendName;
  target: DatabaseTarget;
  /** What `--db` takes for this database (a file or a postgres:// URL). */
  dbArg: string;
  storage: Storage;
}

async function openTestBackend(name: BackendName, adminUrl: string | undefined) {
  let target: DatabaseTarget;
  let drop = async () => {};
  if (name === 'postgres') {
    const db = await createTestDatabase(adminUrl!);
    target = { kind: 'postgres', url: db.url };
    drop = db.drop;
  } else {
    target = { kind: 'sqlite', file: join(makeTempDir('work-prod-test-'), 'work-prod.db') };
  }
  const storage = await openStorage(target);
  await storage.migrate();
  const backend: TestBackend = {
    name,
    target,
    dbArg: target.kind === 'postgres' ? target.url : target.file,
    storage,
  };
  return {
    backend,
    close: async () => {
      await storage.close();
      await drop();
      removeTempDirs();
    },
  };
}

/**
 * Runs `body` once per backend. PostgreSQL needs TEST_DATABASE_URL: without it the block is
 * skipped visibly (and fails in CI, where services are required).
 */
export function describeBackends(
  title: string,
  body: (backend: () => TestBackend) => void,
  only: BackendName[] = ['sqlite', 'postgres'],
): void {
  describe.each(only)(`${title} [%s]`, (name) => {
    const adminUrl = name === 'postgres' ? postgresAdminUrl() : undefined;
    if (name === 'postgres' && !adminUrl) {
      it.skip('PostgreSQL is not available (set TEST_DATABASE_URL)', () => {});
      return;
    }
    let opened: Awaited<ReturnType<typeof openTestBackend>> | undefined;
    beforeAll(async () => {
      opened = await openTestBackend(name, adminUrl);
    });
    afterAll(async () => {
      await opened?.close();
    });
    body(() => opened!.backend);
  });
}

/** Quiet options for apps under test. */
export function testOptions(overrides: Partial<ServerOptions> = {}): ServerOptions {
  return {
    bodyLimit: 1024 * 1024,
    rateLimit: 10_000,
    // The fuzz and isolation tests send many bad keys from 127.0.0.1 on purpose.
    authFailLimit: 10_000,
    logLevel: 'silent',
    trustProxy: false,
    ...overrides,
  };
}

/** An app over `storage`, closed by the caller. */
export function makeApp(storage: Storage, overrides: Partial<ServerOptions> = {}) {
  return buildApp({ storage, options: testOptions(overrides) });
}

let accountCounter = 0;

/** A fresh account with one key: its id, key and the Authorization header. */
export async function newAccount(storage: Storage, prefix = 'user') {
  accountCounter += 1;
  const name = `${prefix}-${process.pid}-${accountCounter}-${Math.random().toString(36).slice(2, 8)}`;
  const account = await storage.createAccount(name);
  if (!account) throw new Error(`account ${name} already exists`);
  const { key, stored } = generateKey('test');
  await storage.addKey(account.id, stored);
  return {
    id: account.id,
    name,
    key,
    prefix: stored.prefix,
    auth: { authorization: `Bearer ${key}` },
  };
}

/**
 * An app over the backend for the file, and a fresh account for each test: read them from the
 * returned object inside tests (they are set by the hooks).
 */
export function appWithAccount(backend: () => TestBackend) {
  const state = {} as { app: FastifyInstance; auth: Record<string, string>; accountId: number };
  beforeAll(async () => {
    state.app = await makeApp(backend().storage);
  });
  afterAll(async () => {
    await state.app?.close();
  });
  beforeEach(async () => {
    const account = await newAccount(backend().storage);
    state.auth = account.auth;
    state.accountId = account.id;
  });
  return state;
}

/** Sends a JSON request through `app.inject` and parses the answer. */
export async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  const res = await app.inject({
    method,
    url,
    headers,
    ...(body === undefined ? {} : { payload: body as object }),
  });
  const text = res.body;
  return {
    status: res.statusCode,
    headers: res.headers,
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response shapes
    body: (text.length > 0 ? JSON.parse(text) : undefined) as any,
  };
}

export const SERVER_BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** Fails clearly when the server has not been built (process tests run the real bin). */
export function requireBuilt(): void {
  if (!existsSync(SERVER_BIN))
    throw new Error(`${SERVER_BIN} is missing: run "npm run build" before these tests`);
}

/** Runs a work-prod command to completion. */
export function runBin(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [SERVER_BIN, ...args], {
      env: { ...process.env, DATABASE_URL: '', WORK_PROD_DB: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A spawned `work-prod serve`, its URL once listening, and how to stop it. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves once the output matches `pattern` (rejects if the process exits first). */
  waitFor: (pattern: RegExp) => Promise<RegExpExecArray>;
  /** Sends `signal` and resolves with the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Starts `work-prod serve --port 0` and waits for its "listening on" line. */
export function startServer(
  args: string[],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [SERVER_BIN, 'serve', '--port', '0', ...args], {
    env: {
      ...process.env,
      DATABASE_URL: '',
      WORK_PROD_DB: '',
      WORK_PROD_LOG_LEVEL: 'warn',
      ...env,
    },
  });
  running.add(child);
  let out = '';
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(out);
        if (match) {
          child.stdout.off('data', check);
          resolve(match);
        }
      };
      child.stdout.on('data', check);
      check();
      void exited.then(() => reject(new Error(`work-prod exited; output:\n${out}`)));
    });
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      const match = /work-prod listening on (http:\/\/\S+)/.exec(out);
      if (match)
        resolve({
          url: match[1]!,
          child,
          output: () => out,
          waitFor,
          stop: (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => {
      out += d;
    });
    void exited.then((code) =>
      reject(new Error(`work-prod exited (${code}) before listening:\n${out}`)),
    );
  });
}

/** Kills any server a failed test left running (afterAll in process tests). */
export function killServers(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** A complete, valid set of shared fields for pushes, with `over` applied. */
export function syncFields(name: string, over: Partial<SharedFields> = {}): SharedFields {
  return {
    name,
    description: null,
    remote_url: null,
    project_type: 'Work',
    status: 'active',
    classification: null,
    organization: null,
    tags: [],
    template: null,
    template_version: null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

/** A plain, untyped Kysely over the target (the storage's tables are those of the latest). */
export function rawDb(target: DatabaseTarget): Kysely<unknown> {
  if (target.kind === 'postgres')
    return new Kysely({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: target.url, max: 1 }) }),
    });
  return new Kysely({ dialect: new SqliteDialect({ database: new BetterSqlite3(target.file) }) });
}
