/** `GET /api/machines`: the account's machines, last sync and checkout counts. */
import { ErrorResponseSchema, MachinesResponseSchema } from '@dev-infra/core';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MachineStore } from '../storage/types.js';

/** Serves `GET /api/machines` from the machines role alone. */
export function machineRoutes(storage: MachineStore): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/machines',
      {
        schema: {
          summary: "The account's machines",
          response: { 200: MachinesResponseSchema, 401: ErrorResponseSchema },
        },
      },
      async (request) => storage.machines(request.accountId),
    );
  };
}
