/**
 * helmet's security headers on every answer. helmet's defaults do not depend on the request,
 * so its middleware runs once, at start-up, against a recorder, and each request gets the
 * recorded headers through Fastify's own reply headers. Two reasons: @fastify/helmet (and
 * then helmet's middleware run per request) cost a few percent of a small request's CPU in
 * the throughput benchmark, and a header set on the raw response (`res.setHeader`, what
 * helmet does) forces Node's slower header path for the whole answer, where headers that
 * reach `writeHead` together in one object are validated and written in one pass.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import helmet from 'helmet';

/**
 * The headers helmet's default middleware sets (names in lower case), read from one run of it.
 * helmet also removes X-Powered-By; nothing in Fastify sets that header, so there is nothing
 * to remove (the test checks it stays absent).
 */
export function helmetHeaders(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string) {
      headers[name.toLowerCase()] = value;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let finished = false;
  // helmet's defaults only call setHeader/removeHeader and never read the request: the
  // recorder stands in for both (a future default that did more would fail right here).
  helmet()({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously');
  return Object.freeze(headers);
}

/** An onRequest hook giving the answer helmet's default headers. */
export function securityHeaders() {
  const headers = helmetHeaders();
  return (_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    reply.headers(headers);
    done();
  };
}
