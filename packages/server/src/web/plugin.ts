/**
 * The web dashboard: sign-in sessions, the dashboard's API (search, project page, edits) and
 * the static page itself at `/`. One encapsulated Fastify plugin.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { refusedForFailures, requireKey } from '../auth.js';
import type { FailedAuthLimiter } from '../auth-limit.js';
import { hashKey } from '../keys.js';
import { ErrorBody } from '../schemas.js';
import type {
  CredentialStore,
  DashboardStore,
  SessionStore,
  StoredProject,
} from '../storage/types.js';
import {
  DashboardProjectsBody,
  DashboardProjectsQuery,
  EditBody,
  EditConflictBody,
  ProjectPageBody,
  SessionBody,
  SignInBody,
  TagsBody,
  UuidParams,
  WipBody,
} from './schemas.js';
import {
  CSRF_HEADER,
  newSessionToken,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  sessionCookieOptions,
  sessionHash,
} from './session.js';

/** How many history entries the project page shows. */
const HISTORY_LIMIT = 50;

/** The built page: next to the compiled plugin, or (running from sources) in dist. */
function assetsDir(): string | undefined {
  const candidates = ['./public/', '../../dist/web/public/'].map((p) =>
    fileURLToPath(new URL(p, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(`${dir}index.html`));
}

/** A project as the dashboard shows it. */
function dashboardView(p: StoredProject) {
  return { uuid: p.uuid, rev: p.rev, seq: p.seq, fields: p.fields, checkouts: p.checkouts };
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

/** Refuses a cookie write without the dashboard's header (a cross-site form cannot add it). */
function csrfRefused(request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.headers[CSRF_HEADER] === '1') return false;
  void reply.code(403).send({ error: `this request needs the header "${CSRF_HEADER}: 1"` });
  return true;
}

/** The dashboard's API: the key or session hook, then search, project page and edits. */
function dashboardApi(
  storage: CredentialStore & DashboardStore,
  failures: FailedAuthLimiter,
): FastifyPluginAsyncTypebox {
  return async (api) => {
    api.addHook('onRequest', requireKey(storage, failures));

    api.get(
      '/api/dashboard/projects',
      {
        schema: {
          summary: 'Search, filter, sort and page the projects (for the dashboard)',
          querystring: DashboardProjectsQuery,
          response: { 200: DashboardProjectsBody, ...errors },
        },
      },
      async (request) => {
        const { type, orphan, ...rest } = request.query;
        const page = await storage.dashboardProjects(request.accountId, {
          ...rest,
          project_type: type,
          orphan: orphan === 1,
        });
        return { ...page, projects: page.projects.map(dashboardView) };
      },
    );

    api.get(
      '/api/dashboard/tags',
      { schema: { summary: 'Every tag in use', response: { 200: TagsBody, ...errors } } },
      async (request) => ({ tags: await storage.dashboardTags(request.accountId) }),
    );

    api.get(
      '/api/dashboard/wip',
      {
        schema: {
          summary:
            'Checkouts with unpushed commits, uncommitted changes, stashes or an operation in progress, by machine',
          response: { 200: WipBody, ...errors },
        },
      },
      async (request) => storage.dashboardWip(request.accountId),
    );

    api.get(
      '/api/dashboard/projects/:uuid',
      {
        schema: {
          summary: 'One project with its checkouts and recent changes',
          params: UuidParams,
          response: { 200: ProjectPageBody, 404: ErrorBody, ...errors },
        },
      },
      async (request, reply) => {
        const project = await storage.projectByUuid(request.accountId, request.params.uuid);
        if (!project) return reply.code(404).send({ error: 'no such project (deleted?)' });
        const history = await storage.projectHistory(request.accountId, project.id, HISTORY_LIMIT);
        return { project: dashboardView(project), history };
      },
    );

    api.patch(
      '/api/dashboard/projects/:uuid',
      {
        schema: {
          summary: 'Edit description, tags, type or status (compare-and-swap on base_rev)',
          params: UuidParams,
          body: EditBody,
          response: {
            200: ProjectPageBody.properties.project,
            404: ErrorBody,
            409: EditConflictBody,
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const { base_rev, ...edits } = request.body;
        const outcome = await storage.editProject(
          request.accountId,
          request.params.uuid,
          base_rev,
          edits,
        );
        switch (outcome.kind) {
          case 'applied':
            return dashboardView(outcome.project);
          case 'conflict':
            return reply.code(409).send({
              error: 'changed elsewhere since you opened it: reload to see the current values',
              current: dashboardView(outcome.project),
            });
          case 'not_found':
            return reply.code(404).send({ error: 'no such project (deleted elsewhere?)' });
          case 'invalid':
            return reply.code(400).send({ error: outcome.error });
        }
      },
    );
  };
}

/** The dashboard plugin over `storage`. */
export function dashboardPlugin(
  storage: SessionStore & DashboardStore,
  failures: FailedAuthLimiter,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/api/session',
      {
        schema: {
          summary: 'Sign in to the dashboard with an API key (sets a session cookie)',
          security: [],
          body: SignInBody,
          response: { 200: SessionBody, ...errors },
        },
      },
      async (request, reply) => {
        if (csrfRefused(request, reply)) return reply;
        // Sign-in is a key guess like any other: the same budget per address.
        if (refusedForFailures(failures, request, reply)) return reply;
        const keyHash = hashKey(request.body.key.trim());
        const accountId = await storage.accountForKey(keyHash);
        if (accountId === undefined) {
          failures.fail(request.ip);
          return reply.code(401).send({ error: 'That API key is not valid (or was revoked).' });
        }
        const { token, hash } = newSessionToken();
        await storage.createSession(
          accountId,
          hash,
          new Date(Date.now() + SESSION_TTL_MS),
          keyHash,
        );
        void reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(request, SESSION_TTL_MS));
        return { account: (await storage.accountName(accountId)) ?? '' };
      },
    );

    app.get(
      '/api/session',
      {
        schema: {
          summary: 'The signed-in account, or 401',
          security: [],
          response: { 200: SessionBody, 401: ErrorBody },
        },
      },
      async (request, reply) => {
        const hash = sessionHash(request);
        const accountId = hash ? await storage.accountForSession(hash) : undefined;
        if (accountId === undefined) return reply.code(401).send({ error: 'not signed in' });
        return { account: (await storage.accountName(accountId)) ?? '' };
      },
    );

    app.delete(
      '/api/session',
      {
        schema: {
          summary: 'Sign out (deletes the session)',
          security: [],
          response: { 204: { type: 'null' }, ...errors },
        },
      },
      async (request, reply) => {
        if (csrfRefused(request, reply)) return reply;
        const hash = sessionHash(request);
        if (hash) await storage.deleteSession(hash);
        void reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(request, 0));
        return reply.code(204).send(null);
      },
    );

    await app.register(dashboardApi(storage, failures));

    const root = assetsDir();
    if (root) {
      // wildcard: false routes only the built files, so unknown paths keep the JSON 404.
      await app.register(fastifyStatic, { root, wildcard: false, index: 'index.html' });
    } else {
      app.get('/', { schema: { hide: true } }, async (_request, reply) =>
        reply
          .code(503)
          .type('text/plain')
          .send('The dashboard is not built: run "npm run build" in the work-prod package.'),
      );
    }
  };
}
