/** Bearer-key authentication: resolves the request's account, or answers 401. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashKey } from './keys.js';
import type { Storage } from './storage/types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated account (set by the auth hook on every protected route). */
    accountId: number;
    /** sha256 of the presented key: the rate limit's bucket; never the key itself. */
    keyHash: string | undefined;
  }
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** An onRequest hook that admits only requests with a live key. */
export function requireKey(storage: Storage) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    const key = header ? BEARER.exec(header)?.[1] : undefined;
    if (!key) {
      return reply
        .code(401)
        .send({ error: 'missing API key: send the header "Authorization: Bearer <key>"' });
    }
    const hash = hashKey(key);
    const accountId = await storage.accountForKey(hash);
    if (accountId === undefined) {
      return reply.code(401).send({ error: 'invalid or revoked API key' });
    }
    request.accountId = accountId;
    request.keyHash = hash;
  };
}
