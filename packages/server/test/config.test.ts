/** Which database and options the flags and environment select. */
import { describe, expect, it } from 'vitest';
import {
  describeTarget,
  keyCacheTtlMsFromEnv,
  resolveDatabase,
  serverOptionsFromEnv,
} from '../src/config.js';

describe('resolveDatabase', () => {
  const pg = 'postgres://u:secret@db.example:5433/wp';
  it('prefers --db, then DATABASE_URL, then WORK_PROD_DB, then the XDG data folder', () => {
    const env = { DATABASE_URL: pg, WORK_PROD_DB: '/srv/w.db', XDG_DATA_HOME: '/data' };
    expect(resolveDatabase('/tmp/x.db', env)).toEqual({ kind: 'sqlite', file: '/tmp/x.db' });
    expect(resolveDatabase(undefined, env)).toEqual({ kind: 'postgres', url: pg });
    expect(resolveDatabase(undefined, { ...env, DATABASE_URL: '' })).toEqual({
      kind: 'sqlite',
      file: '/srv/w.db',
    });
    expect(resolveDatabase(undefined, { XDG_DATA_HOME: '/data' })).toEqual({
      kind: 'sqlite',
      file: '/data/work-prod/work-prod.db',
    });
  });

  it('takes a postgres URL in --db and refuses a DATABASE_URL that is not one', () => {
    expect(resolveDatabase('postgresql://h/db', {})).toEqual({
      kind: 'postgres',
      url: 'postgresql://h/db',
    });
    expect(() => resolveDatabase(undefined, { DATABASE_URL: 'mysql://h/db' })).toThrow(/postgres/);
  });

  it('describes a target without its password', () => {
    expect(describeTarget({ kind: 'postgres', url: pg })).toBe('PostgreSQL db.example:5433/wp');
  });
});

describe('serverOptionsFromEnv', () => {
  it('has generous defaults and reads overrides', () => {
    expect(serverOptionsFromEnv({})).toEqual({
      bodyLimit: 1024 * 1024,
      rateLimit: 10_000,
      authFailLimit: 100,
      logLevel: 'info',
      trustProxy: false,
    });
    expect(
      serverOptionsFromEnv({
        WORK_PROD_BODY_LIMIT: '2048',
        WORK_PROD_RATE_LIMIT: '5',
        WORK_PROD_TRUST_PROXY: 'true',
      }),
    ).toMatchObject({ bodyLimit: 2048, rateLimit: 5, trustProxy: true });
  });

  it('refuses a limit that is not a positive whole number', () => {
    expect(() => serverOptionsFromEnv({ WORK_PROD_RATE_LIMIT: 'lots' })).toThrow(
      /WORK_PROD_RATE_LIMIT/,
    );
    expect(() => serverOptionsFromEnv({ WORK_PROD_BODY_LIMIT: '0' })).toThrow(
      /WORK_PROD_BODY_LIMIT/,
    );
  });

  it('reads the key cache time: 5 s by default, 0 turns it off, nonsense is refused', () => {
    expect(keyCacheTtlMsFromEnv({})).toBe(5_000);
    expect(keyCacheTtlMsFromEnv({ WORK_PROD_KEY_CACHE_SECONDS: '0' })).toBe(0);
    expect(keyCacheTtlMsFromEnv({ WORK_PROD_KEY_CACHE_SECONDS: '30' })).toBe(30_000);
    for (const bad of ['-1', '1.5', 'soon', '86400'])
      expect(() => keyCacheTtlMsFromEnv({ WORK_PROD_KEY_CACHE_SECONDS: bad })).toThrow(
        /WORK_PROD_KEY_CACHE_SECONDS/,
      );
  });
});
