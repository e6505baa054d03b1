/** The original work-prod API (design section 4), served as a superset with our extra fields. */

import { ErrorResponseSchema, ImportResultSchema, ProjectSchema } from '@dev-infra/core';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { entityTag, noneMatchHolds } from '../conditional-get.js';
import { type ListAnswer, ListCache } from '../list-cache.js';
import {
  ImportBody,
  ProjectCreateBody,
  ProjectIdParams,
  ProjectListQuery,
  ProjectPatchBody,
} from '../schemas.js';
import type {
  ProjectApiStore,
  ProjectInput,
  StoredProject,
  WriteOutcome,
} from '../storage/types.js';

/** A project as the original API shows it: the legacy path, else the latest checkout's. */
export function projectView(p: StoredProject) {
  const f = p.fields;
  return {
    id: p.id,
    uuid: p.uuid,
    name: f.name,
    path: p.path ?? p.checkouts[0]?.path ?? null,
    organization: f.organization,
    classification: f.classification,
    project_type: f.project_type,
    status: f.status,
    description: f.description,
    remote_url: f.remote_url,
    tags: f.tags,
    template: f.template,
    template_version: f.template_version,
    created_at: f.created_at,
    updated_at: f.updated_at,
    checkouts: p.checkouts,
  };
}

const errors = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  404: ErrorResponseSchema,
  409: ErrorResponseSchema,
};
const notFound = (id: number) => ({ error: `project ${id} not found` });

/** Answers a write's outcome: the project, or 400/404/409 with one line. */
function sendOutcome(reply: FastifyReply, id: number, outcome: WriteOutcome) {
  switch (outcome.kind) {
    case 'ok':
      return projectView(outcome.project);
    case 'not_found':
      return reply.code(404).send(notFound(id));
    case 'invalid':
      return reply.code(400).send({ error: outcome.error });
    case 'conflict':
      return reply.code(409).send({ error: outcome.error });
  }
}

/**
 * A kept list answer, as conditionalGet answers the other list routes (see conditional-get.ts):
 * its tag, and 304 with no body when `If-None-Match` holds it. The bytes go out as they are
 * (a JSON content type and a Buffer: Fastify serialises neither again).
 */
function sendAnswer(reply: FastifyReply, ifNoneMatch: string | undefined, answer: ListAnswer) {
  reply.header('etag', answer.tag).header('cache-control', 'private, no-cache');
  if (noneMatchHolds(ifNoneMatch, answer.tag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(answer.body);
}

/** Routes under /api/projects; `storage` is the account-scoped store. */
export function projectRoutes(storage: ProjectApiStore): FastifyPluginAsyncTypebox {
  return async (app) => {
    const lists = new ListCache();
    app.get(
      '/api/projects',
      {
        schema: {
          summary: 'Every live project of the account, optionally filtered',
          querystring: ProjectListQuery,
          response: {
            200: { type: 'array', items: ProjectSchema },
            400: ErrorResponseSchema,
            401: ErrorResponseSchema,
          },
        },
      },
      async (request, reply) => {
        const { accountId, query } = request;
        // Each filter by name: a key never depends on the order of the query string.
        const key = `${accountId}\n${JSON.stringify([
          query.status,
          query.organization,
          query.classification,
          query.project_type,
          query.search,
        ])}`;
        // The version first: a write landing between it and the rows leaves an answer newer
        // than its version, which the next request reads again; never one older.
        const { version, newest } = await storage.listVersion(accountId);
        let answer = lists.get(key, version);
        if (answer === undefined) {
          const projects = await storage.listProjects(accountId, query);
          // The route's own response serialiser: the same bytes as returning the array.
          // fast-json-stringify makes a string (the type also allows the bytes a custom one may).
          const text = String(reply.serialize(projects.map(projectView)));
          const body = Buffer.from(text);
          // Hashing the bytes, not the text, saves encoding 0.4 MB a second time.
          answer = { version, body, tag: entityTag(accountId, body) };
          lists.set(key, answer, newest);
        }
        return sendAnswer(reply, request.headers['if-none-match'], answer);
      },
    );

    app.post(
      '/api/projects',
      {
        schema: {
          summary: 'Create a project (name required); 409 on a duplicate path',
          body: ProjectCreateBody,
          response: { 201: ProjectSchema, ...errors },
        },
      },
      async (request, reply) => {
        const outcome = await storage.createProject(
          request.accountId,
          request.body as ProjectInput,
        );
        if (outcome.kind !== 'ok') return sendOutcome(reply, 0, outcome);
        return reply
          .code(201)
          .header('location', `/api/projects/${outcome.project.id}`)
          .send(projectView(outcome.project));
      },
    );

    app.post(
      '/api/projects/import',
      {
        schema: {
          summary: 'Import projects, skipping any whose remote_url is already known',
          body: ImportBody,
          response: { 201: ImportResultSchema, 400: ErrorResponseSchema, 401: ErrorResponseSchema },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await storage.importProjects(request.accountId, request.body.projects)),
    );

    app.get(
      '/api/projects/:id',
      {
        schema: {
          summary: 'One project by its integer id',
          params: ProjectIdParams,
          response: { 200: ProjectSchema, ...errors },
        },
      },
      async (request, reply) => {
        const project = await storage.getProject(request.accountId, request.params.id);
        return project ? projectView(project) : reply.code(404).send(notFound(request.params.id));
      },
    );

    app.patch(
      '/api/projects/:id',
      {
        schema: {
          summary: 'Change some fields of a project',
          params: ProjectIdParams,
          body: ProjectPatchBody,
          response: { 200: ProjectSchema, ...errors },
        },
      },
      async (request, reply) => {
        // The uuid is a project's identity: it is never changed by an edit.
        const { uuid: _ignored, ...input } = request.body as ProjectInput;
        const outcome = await storage.updateProject(request.accountId, request.params.id, input);
        return sendOutcome(reply, request.params.id, outcome);
      },
    );

    app.delete(
      '/api/projects/:id',
      {
        schema: {
          summary: 'Delete a project (kept as a tombstone so syncing machines learn of it)',
          params: ProjectIdParams,
          response: { 204: { type: 'null' }, ...errors },
        },
      },
      async (request, reply) => {
        const deleted = await storage.deleteProject(request.accountId, request.params.id);
        if (!deleted) return reply.code(404).send(notFound(request.params.id));
        return reply.code(204).send(null);
      },
    );

    app.put(
      '/api/projects/:id/archive',
      {
        schema: {
          summary: 'Archive a project: classification archive, status completed',
          params: ProjectIdParams,
          response: { 200: ProjectSchema, ...errors },
        },
      },
      async (request, reply) => {
        const outcome = await storage.updateProject(request.accountId, request.params.id, {
          classification: 'archive',
          status: 'completed',
        });
        return sendOutcome(reply, request.params.id, outcome);
      },
    );
  };
}
