/**
 * `GET /install/dev-infra.tgz`: the dev-infra CLI packed by this server's build, so a machine
 * installs the CLI that matches its server with `npm install -g URL` (no clone, no registry).
 * Public: a machine asks for it before it has a key, and it holds nothing of any account.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { ErrorBody } from '../schemas.js';

/** Where `npm run build` (pack-cli.mjs) writes the tarball; the same from src/ and dist/. */
export const DEFAULT_CLI_TARBALL = fileURLToPath(
  new URL('../../dist/install/dev-infra.tgz', import.meta.url),
);

// A plain plugin, not the TypeBox one: the 200 answer is bytes, which no schema types.
export function installRoutes(tarball: string): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/install/dev-infra.tgz',
      {
        schema: {
          summary: 'The dev-infra CLI built with this server (npm install -g URL)',
          security: [],
          // Sent as the file's bytes: Fastify never serialises a Buffer.
          response: {
            200: { description: 'an npm package tarball', type: 'string', format: 'binary' },
            404: ErrorBody,
          },
        },
      },
      async (_request, reply) => {
        let data: Buffer;
        try {
          data = await readFile(tarball);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          return reply.code(404).send({
            error:
              'the dev-infra tarball is not built: run "npm run build" in the work-prod repository (it writes packages/server/dist/install/dev-infra.tgz)',
          });
        }
        return reply
          .header('content-type', 'application/gzip')
          .header('content-disposition', 'attachment; filename="dev-infra.tgz"')
          .header('cache-control', 'no-cache')
          .send(data);
      },
    );
  };
}
