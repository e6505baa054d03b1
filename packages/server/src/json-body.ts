/**
 * The JSON body parser, as Fastify's own but with an empty body read as "no body": the
 * original work-prod accepts `PUT .../archive` and `DELETE` with `Content-Type:
 * application/json` and nothing after it, which many HTTP clients send on every request.
 * A route that needs a body still refuses the empty one through its schema (400).
 */
import type { FastifyInstance } from 'fastify';

export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  // The same prototype-poisoning protection as Fastify's default parser.
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // parseAs 'string' hands a string; the type also allows a Buffer.
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.length === 0) return done(null, undefined);
    parse(request, text, done);
  });
}
