/** Builds the work-prod Fastify application over a storage (tests call this with port 0). */
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { requireKey } from './auth.js';
import { FailedAuthLimiter } from './auth-limit.js';
import { clientErrorHandler } from './client-error.js';
import type { ServerOptions } from './config.js';
import { acceptEmptyJsonBodies } from './json-body.js';
import { healthRoutes } from './routes/health.js';
import { DEFAULT_CLI_TARBALL, installRoutes } from './routes/install.js';
import { machineRoutes } from './routes/machines.js';
import { projectRoutes } from './routes/projects.js';
import { syncRoutes } from './routes/sync.js';
import { securityHeaders } from './security-headers.js';
import type { Storage } from './storage/types.js';
import { VERSION } from './version.js';
import { dashboardPlugin } from './web/plugin.js';

/** One method + path the app answers, as registered (`:id` style parameters). */
export interface RouteEntry {
  method: string;
  url: string;
  /** Which parts of a request the route's schema checks. */
  checks: { body: boolean; querystring: boolean; params: boolean };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route of the app, filled as routes register: tests cover new routes automatically. */
    routeTable: RouteEntry[];
  }
}

export interface BuildAppInput {
  storage: Storage;
  options: ServerOptions;
  /** The CLI tarball served at /install/dev-infra.tgz (default: the one the build packs). */
  cliTarball?: string;
}

/** `part/name` of the first number in `values` that is not finite, if any. */
function nonFinite(part: string, values: unknown): string | undefined {
  if (typeof values !== 'object' || values === null) return undefined;
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'number' && !Number.isFinite(value)) return `${part}/${name}`;
  }
  return undefined;
}

/** Creates the app (not listening). The caller closes the storage after `app.close()`. */
export async function buildApp({
  storage,
  options,
  cliTarball = DEFAULT_CLI_TARBALL,
}: BuildAppInput): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      options.logLevel === 'silent'
        ? false
        : {
            level: options.logLevel,
            // stdout carries what `serve` prints for people (the first key, the connect line).
            stream: process.stderr,
            // Keys must never reach a log, whatever serialiser a later change adds.
            redact: ['req.headers.authorization', 'headers.authorization'],
          },
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy,
    // Integer ids in paths are checked by the route schemas; this keeps the error shape ours.
    return503OnClosing: true,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    const schema = route.schema ?? {};
    const checks = {
      body: schema.body !== undefined,
      querystring: schema.querystring !== undefined,
      params: schema.params !== undefined,
    };
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url, checks });
  });
  app.decorateRequest('accountId', 0);
  app.decorateRequest('keyHash', undefined);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600
        ? error.statusCode
        : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(status).send({ error: 'internal server error' });
    }
    return reply.code(status).send({ error: error.message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );

  // Ajv's type coercion turns "Infinity" or "1e400" into Infinity and then accepts it as an
  // integer within any bounds (ajv 8.20); refuse it here, before it reaches a query. It runs on
  // every request, so it is a callback hook (an async one costs a promise and its ticks).
  app.addHook('preHandler', (request, reply, done) => {
    const problem = nonFinite('params', request.params) ?? nonFinite('querystring', request.query);
    if (problem === undefined) return done();
    reply.code(400).send({ error: `${problem} must be a finite integer` });
  });
  app.addHook('onRequest', securityHeaders());
  acceptEmptyJsonBodies(app);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      // 3.1: nullable fields are JSON Schema type lists (see schemas.ts).
      openapi: '3.1.0',
      info: {
        title: 'work-prod',
        description: 'Registry service for dev-infra: the original work-prod API and sync-v1.',
        version: VERSION,
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(rateLimit, {
    max: options.rateLimit,
    timeWindow: 60_000,
    // After authentication, so each key has its own budget (unauthenticated: by address).
    hook: 'preHandler',
    keyGenerator: (request) => request.keyHash ?? request.ip,
  });

  await app.register(healthRoutes);
  await app.register(installRoutes(cliTarball));
  // Public like the original's: a client reads it before it has a key.
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // One budget per address for every route that takes a key or session (sign-in too).
  const failures = new FailedAuthLimiter(options.authFailLimit);
  await app.register(async (api) => {
    api.addHook('onRequest', requireKey(storage, failures));
    await api.register(projectRoutes(storage));
    await api.register(syncRoutes(storage));
    await api.register(machineRoutes(storage));
  });
  await app.register(dashboardPlugin(storage, failures));
  return app;
}
