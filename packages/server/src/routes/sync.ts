/** The sync-v1 routes: the changes feed and the compare-and-swap push. */
import {
  CHANGES_DEFAULT_LIMIT,
  ChangesResponseSchema,
  CodedErrorResponseSchema,
  DigestResponseSchema,
  ErrorResponseSchema,
  MACHINE_INCARNATION_CONFLICT,
  type MachineRef,
} from '@dev-infra/core';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { conditionalGet } from '../conditional-get.js';
import { pushEnvelopeProblem, textProblem } from '../domain/records.js';
import { ChangesQuery, PushBody, PushResultBody } from '../schemas.js';
import { MachineIncarnationError } from '../storage/checkouts.js';
import type { FeedStore, PushStore } from '../storage/types.js';

/**
 * Runs `fn`; a MachineIncarnationError becomes a 409 whose `code` tells the client to take a
 * new machine id (nothing was written).
 */
async function refusingCopies<T>(
  reply: FastifyReply,
  fn: () => Promise<T>,
): Promise<T | FastifyReply> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof MachineIncarnationError)) throw error;
    return reply.code(409).send({
      error: error.message,
      code: MACHINE_INCARNATION_CONFLICT,
      ...(error.stored !== null ? { incarnation: error.stored } : {}),
    });
  }
}

/** A MachineRef without the tokens that were not sent (exactOptionalPropertyTypes). */
function machineRef(
  id: string,
  name: string,
  incarnation: string | undefined,
  next: string | undefined,
): MachineRef {
  return {
    id,
    name,
    ...(incarnation !== undefined ? { incarnation } : {}),
    ...(next !== undefined ? { next_incarnation: next } : {}),
  };
}

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
            409: CodedErrorResponseSchema,
          },
        },
      },
      async (request, reply) => {
        const {
          since = 0,
          limit = CHANGES_DEFAULT_LIMIT,
          machine_id,
          machine_name,
          machine_incarnation,
          machine_next_incarnation,
          digest,
        } = request.query;
        if (machine_id !== undefined && machine_name === undefined)
          return reply
            .code(400)
            .send({ error: 'querystring/machine_name is required with machine_id' });
        if (machine_incarnation !== undefined && machine_id === undefined)
          return reply
            .code(400)
            .send({ error: 'querystring/machine_id is required with machine_incarnation' });
        if (machine_next_incarnation !== undefined && machine_incarnation === undefined)
          return reply.code(400).send({
            error: 'querystring/machine_incarnation is required with machine_next_incarnation',
          });
        const bad =
          textProblem('querystring/machine_id', machine_id) ??
          textProblem('querystring/machine_name', machine_name) ??
          textProblem('querystring/machine_incarnation', machine_incarnation) ??
          textProblem('querystring/machine_next_incarnation', machine_next_incarnation);
        if (bad) return reply.code(400).send({ error: bad });
        const machine =
          machine_id !== undefined && machine_name !== undefined
            ? machineRef(machine_id, machine_name, machine_incarnation, machine_next_incarnation)
            : undefined;
        return refusingCopies(reply, () =>
          storage.changes(request.accountId, since, limit, machine, digest === 1),
        );
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
          response: {
            200: PushResultBody,
            400: ErrorResponseSchema,
            401: ErrorResponseSchema,
            409: CodedErrorResponseSchema,
          },
        },
      },
      async (request, reply) => {
        // The envelope is refused whole; a bad record is rejected alone (fieldsProblem), so one
        // bad local record does not stop a machine syncing the others.
        const problem = pushEnvelopeProblem(request.body);
        if (problem) return reply.code(400).send({ error: problem });
        const { id, name, incarnation, next_incarnation } = request.body.machine;
        if (next_incarnation !== undefined && incarnation === undefined)
          return reply
            .code(400)
            .send({ error: 'body/machine/incarnation is required with next_incarnation' });
        return refusingCopies(reply, () =>
          storage.push(request.accountId, {
            machine: machineRef(id, name, incarnation, next_incarnation),
            changes: request.body.changes,
            checkouts: request.body.checkouts ?? [],
          }),
        );
      },
    );
  };
}
