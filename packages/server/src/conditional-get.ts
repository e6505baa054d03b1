/**
 * Conditional GET for list-like routes: an `ETag` from the serialised answer and the account,
 * and `304 Not Modified` with no body when `If-None-Match` holds it. A polling script then
 * pays for the answer's bytes only when something changed. The account is part of the tag so
 * that one account's tag never matches another account's identical-looking answer.
 */
import { createHash } from 'node:crypto';
import type { onSendHookHandler } from 'fastify';

/** The strong tag of `payload` (text, or its UTF-8 bytes: the same tag) as `accountId` sees it. */
export function entityTag(accountId: number, payload: string | Buffer): string {
  const digest = createHash('sha256').update(`${accountId}\n`).update(payload).digest('base64url');
  return `"${digest.slice(0, 27)}"`;
}

/** Whether an `If-None-Match` value lists `tag` (or is `*`); weak comparison, as RFC 9110 says. */
export function noneMatchHolds(header: string | undefined, tag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((raw) => {
    const candidate = raw.trim();
    return candidate === '*' || candidate.replace(/^W\//, '') === tag;
  });
}

/** An onSend hook for a route whose 200 answer is JSON; put it on the route's options. */
export const conditionalGet: onSendHookHandler<unknown> = (request, reply, payload, done) => {
  if (reply.statusCode !== 200 || typeof payload !== 'string') {
    done(null, payload);
    return;
  }
  const tag = entityTag(request.accountId, payload);
  // Answers depend on the key or session: no shared cache may keep them, browsers revalidate.
  reply.header('etag', tag).header('cache-control', 'private, no-cache');
  if (noneMatchHolds(request.headers['if-none-match'], tag)) {
    reply.code(304).removeHeader('content-type');
    done(null, null);
  } else done(null, payload);
};
