/** `GET /api/health`: liveness and capabilities; the one route without a key. */
import { SYNC_CAPABILITY } from '@dev-infra/core';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HealthBody } from '../schemas.js';
import { VERSION } from '../version.js';

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/health',
    {
      // Load balancers and monitors poll it; a limit would take a healthy instance out.
      config: { rateLimit: false },
      schema: {
        summary: 'Liveness and capabilities (no key needed)',
        security: [],
        response: { 200: HealthBody },
      },
    },
    async () => ({
      status: 'ok',
      message: 'work-prod is running',
      capabilities: [SYNC_CAPABILITY],
      version: VERSION,
    }),
  );
};
