/** Dashboard sessions: a random token in a cookie, only its hash in the database. */
import { randomBytes } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { hashKey } from '../keys.js';

/** The session cookie's name. */
export const SESSION_COOKIE = 'wp_session';

/** How long a sign-in lasts. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The header a cookie-authenticated write must carry. A cross-site form cannot set it, and
 * a cross-site script cannot send it without a CORS preflight work-prod never grants.
 */
export const CSRF_HEADER = 'x-work-prod-dashboard';

/** A new session token and the hash to store of it. */
export function newSessionToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashKey(token) };
}

/** The session token's hash from the request's cookie, if it has one. */
export function sessionHash(request: FastifyRequest): string | undefined {
  const token = request.cookies?.[SESSION_COOKIE];
  return token ? hashKey(token) : undefined;
}

/** Cookie attributes: httpOnly, SameSite=Strict, Secure whenever the request came over https. */
export function sessionCookieOptions(request: FastifyRequest, maxAgeMs: number) {
  return {
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    path: '/',
    maxAge: Math.floor(maxAgeMs / 1000),
  } satisfies CookieSerializeOptions;
}
