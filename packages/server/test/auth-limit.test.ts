/**
 * The failed-authentication limit (auth-limit.ts) on both backends through `app.inject`: 100
 * refused keys from one address are each a 401 costing one look-up, then that address gets 429
 * (a good key too, sign-in too) with no look-up at all; another address is unaffected; the
 * window passing lifts the block (unit test with a clock).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailedAuthLimiter } from '../src/auth-limit.js';
import type { Storage } from '../src/storage/types.js';
import { describeBackends, makeApp, newAccount } from './helpers.js';

const ATTACKER = '203.0.113.7';
const BYSTANDER = '198.51.100.9';

describeBackends('failed-auth limit', (backend) => {
  let app: FastifyInstance;
  let good: Record<string, string>;
  let lookups = 0;

  beforeAll(async () => {
    const storage = backend().storage;
    ({ auth: good } = await newAccount(storage));
    // Counts key look-ups: the blocked requests must not reach the database.
    const counted = new Proxy(storage, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (prop !== 'accountForKey' || typeof value !== 'function') return value;
        return (hash: string) => {
          lookups += 1;
          return (value as Storage['accountForKey']).call(target, hash);
        };
      },
    });
    app = await makeApp(counted, { authFailLimit: 100 });
  });
  afterAll(async () => {
    await app.close();
  });

  const get = (remoteAddress: string, headers: Record<string, string>) =>
    app.inject({ method: 'GET', url: '/api/projects', remoteAddress, headers });
  const bad = (n: number) => ({ authorization: `Bearer wp_not-a-key-${n}` });

  it('answers 429 after 100 refused keys from one address, not to another', async () => {
    const before = lookups;
    for (let i = 0; i < 100; i++) expect((await get(ATTACKER, bad(i))).statusCode).toBe(401);
    expect(lookups - before).toBe(100);

    const blocked = await get(ATTACKER, bad(100));
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(blocked.body).error).toMatch(/too many refused keys/);
    // A good key from the blocked address waits too (letting it through would mean looking up
    // every key the attacker sends); so does sign-in.
    expect((await get(ATTACKER, good)).statusCode).toBe(429);
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/session',
      remoteAddress: ATTACKER,
      headers: { 'x-work-prod-dashboard': '1' },
      payload: { key: 'wp_guess' },
    });
    expect(signIn.statusCode).toBe(429);
    const afterBlock = lookups;
    for (let i = 0; i < 50; i++) expect((await get(ATTACKER, bad(200 + i))).statusCode).toBe(429);
    expect(lookups).toBe(afterBlock);

    expect((await get(BYSTANDER, good)).statusCode).toBe(200);
    expect((await get(BYSTANDER, bad(1))).statusCode).toBe(401);
  });
});

describe('FailedAuthLimiter', () => {
  it('lifts the block when the window passes, and forgets addresses past its bound', () => {
    let now = 0;
    const limiter = new FailedAuthLimiter(3, 60_000, 2, () => now);
    for (let i = 0; i < 3; i++) limiter.fail('a');
    expect(limiter.retryAfter('a')).toBe(60);
    now = 59_500;
    expect(limiter.retryAfter('a')).toBe(1);
    now = 60_000;
    expect(limiter.retryAfter('a')).toBe(0);
    limiter.fail('a');
    expect(limiter.retryAfter('a')).toBe(0);
    limiter.fail('b');
    limiter.fail('c'); // a third address: the table starts over (memory stays bounded)
    expect(limiter.retryAfter('a')).toBe(0);
  });
});
