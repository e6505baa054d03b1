/** The sync-v1 routes: the changes feed and the compare-and-swap push. */
import {
  CHANGES_DEFAULT_LIMIT,
  ChangesResponseSchema,
  DigestResponseSchema,
  ErrorResponseSchema,
} from '@dev-infra/core';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { conditionalGet } from '../conditional-get.js';
import { pushEnvelopeProblem, textProblem } from '../domain/records.js';
import { ChangesQuery, PushBody, PushResultBody } from '../schemas.js';
import type { FeedStore, PushStore } from '../storage/types.js';

/** Routes under /api/sync. */
export function syncRoutes(storage: FeedStore & PushStore): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/sync/changes',
      {
        onSend: conditionalGet,
        schema: {
          summary: 'Records changed after `since`, in revision order (with tombstones)',
          querystring: ChangesQuery,
          response: {
            200: ChangesResponseSchema,
            400: ErrorResponseSchema,
            401: ErrorResponseSchema,
          },
        },
      },
      async (request, reply) => {
        const {
          since = 0,
          limit = CHANGES_DEFAULT_LIMIT,
          machine_id,
          machine_name,
          digest,
        } = request.query;
        if (machine_id !== undefined && machine_name === undefined)
          return reply
            .code(400)
            .send({ error: 'querystring/machine_name is required with machine_id' });
        const bad =
          textProblem('querystring/machine_id', machine_id) ??
          textProblem('querystring/machine_name', machine_name);
        if (bad) return reply.code(400).send({ error: bad });
        const machine =
          machine_id !== undefined && machine_name !== undefined
            ? { id: machine_id, name: machine_name }
            : undefined;
        return storage.changes(request.accountId, since, limit, machine, digest === 1);
      },
    );

    app.get(
      '/api/sync/digest',
      {
        schema: {
          summary: "The account's digest: record count and a hash over every record, with the head",
          response: { 200: DigestResponseSchema, 401: ErrorResponseSchema },
        },
      },
      async (request) => storage.digest(request.accountId),
    );

    app.post(
      '/api/sync/push',
      {
        schema: {
          summary: 'Apply record and checkout changes of one machine (compare-and-swap per record)',
          body: PushBody,
          response: { 200: PushResultBody, 400: ErrorResponseSchema, 401: ErrorResponseSchema },
        },
      },
      async (request, reply) => {
        // The envelope is refused whole; a bad record is rejected alone (fieldsProblem), so one
        // bad local record does not stop a machine syncing the others.
        const problem = pushEnvelopeProblem(request.body);
        if (problem) return reply.code(400).send({ error: problem });
        return storage.push(request.accountId, {
          machine: request.body.machine,
          changes: request.body.changes,
          checkouts: request.body.checkouts ?? [],
        });
      },
    );
  };
}
