/** A real work-prod over HTTP on 127.0.0.1 (port 0) for the in-process sync tests. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { makeApp, type TestBackend } from '../../../server/test/helpers.js';

/**
 * Starts work-prod on `backend` before the enclosing block's tests and stops it after them.
 * Returns a getter of its base URL (known once started).
 */
export function useListeningApp(backend: () => TestBackend): () => string {
  let app: FastifyInstance | undefined;
  let url = '';
  beforeAll(async () => {
    app = await makeApp(backend().storage);
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
  });
  return () => url;
}
