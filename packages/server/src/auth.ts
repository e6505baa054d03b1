/** Authentication: a Bearer key or a dashboard session cookie resolves the request's account. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FailedAuthLimiter } from './auth-limit.js';
import { hashKey } from './keys.js';
import type { CredentialStore } from './storage/types.js';
import { CSRF_HEADER, sessionHash } from './web/session.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated account (set by the auth hook on every protected route). */
    accountId: number;
    /** sha256 of the presented key or session token: the rate limit's bucket. */
    keyHash: string | undefined;
  }
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * An onRequest hook that admits only requests with a live key or session. A session-cookie
 * write must also carry the dashboard's header (CSRF defence on top of SameSite=Strict).
 */
export function requireKey(storage: CredentialStore, failures: FailedAuthLimiter) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (refusedForFailures(failures, request, reply)) return reply;
    const header = request.headers.authorization;
    const session = header ? undefined : sessionHash(request);
    if (session !== undefined) {
      const accountId = await storage.accountForSession(session);
      if (accountId === undefined) {
        failures.fail(request.ip);
        return reply.code(401).send({ error: 'your session has ended: sign in again' });
      }
      if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== '1')
        return reply
          .code(403)
          .send({ error: `a signed-in write needs the header "${CSRF_HEADER}: 1"` });
      request.accountId = accountId;
      request.keyHash = session;
      return;
    }
    const key = header ? BEARER.exec(header)?.[1] : undefined;
    if (!key) {
      return reply
        .code(401)
        .send({ error: 'missing API key: send the header "Authorization: Bearer <key>"' });
    }
    const hash = hashKey(key);
    const accountId = await storage.accountForKey(hash);
    if (accountId === undefined) {
      failures.fail(request.ip);
      return reply.code(401).send({ error: 'invalid or revoked API key' });
    }
    request.accountId = accountId;
    request.keyHash = hash;
  };
}

/**
 * Answers 429 when the client's address is past its failed-authentication budget (see
 * auth-limit.ts); true when it did. A missing key is no guess and is not counted.
 */
export function refusedForFailures(
  failures: FailedAuthLimiter,
  request: FastifyRequest,
  reply: FastifyReply,
): boolean {
  const wait = failures.retryAfter(request.ip);
  if (wait === 0) return false;
  void reply
    .code(429)
    .header('retry-after', String(wait))
    .send({ error: `too many refused keys from your address: try again in ${wait} s` });
  return true;
}
