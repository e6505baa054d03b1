/**
 * A fake of the ORIGINAL plain work-prod (design section 4, basic mode), in memory on
 * 127.0.0.1, for testing dev-infra against a server without sync-v1. It keeps that API's
 * quirks on purpose: integer ids, hard DELETE, 409 on a duplicate `path`, only the original
 * fields (anything else is dropped, so tags, template and checkouts cannot be stored), no
 * capabilities in /api/health, and no auth (an Authorization header is accepted and ignored).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const CLASSIFICATIONS = ['primary', 'secondary', 'archive', 'maintenance'];
const PROJECT_TYPES = ['Work', 'Personal', 'Learning', 'Inactive'];
const STATUSES = ['active', 'paused', 'completed', 'cancelled'];
const TEXT_FIELDS = ['path', 'organization', 'description', 'remote_url'] as const;
const ENUMS = {
  classification: CLASSIFICATIONS,
  project_type: PROJECT_TYPES,
  status: STATUSES,
} as const;
const FILTERS = ['status', 'organization', 'classification', 'project_type'] as const;

/** A project as the original API stores it. */
export interface BasicServerProject {
  id: number;
  name: string;
  path: string | null;
  organization: string | null;
  classification: string | null;
  project_type: string | null;
  status: string | null;
  description: string | null;
  remote_url: string | null;
  created_at: string;
  updated_at: string;
}

/** One request the fake received (to check headers in tests). */
export interface SeenRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  userAgent: string | undefined;
}

/** A running fake basic work-prod. */
export interface BasicServer {
  url: string;
  /** A copy of every stored project, in id order. */
  projects(): BasicServerProject[];
  /** Every request received so far. */
  requests: SeenRequest[];
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Checks a body's known fields and returns only those (unknown fields are dropped). */
function pickFields(body: Record<string, unknown>): Partial<BasicServerProject> {
  const out: Record<string, string | null> = {};
  if ('name' in body) {
    if (typeof body.name !== 'string' || body.name.trim() === '')
      throw new HttpError(400, 'name is required');
    out.name = body.name;
  }
  for (const f of TEXT_FIELDS) {
    if (!(f in body)) continue;
    const v = body[f];
    if (v !== null && typeof v !== 'string') throw new HttpError(400, `${f} must be a string`);
    out[f] = v === '' ? null : v;
  }
  for (const [f, allowed] of Object.entries(ENUMS)) {
    if (!(f in body) || body[f] === null) {
      if (f in body) out[f] = null;
      continue;
    }
    const v = body[f];
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
      throw new HttpError(400, `${f} must be one of ${allowed.join(', ')}`);
    out[f] = v;
  }
  return out as Partial<BasicServerProject>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new HttpError(400, 'body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startBasicServer(): Promise<BasicServer> {
  const store = new Map<number, BasicServerProject>();
  const requests: SeenRequest[] = [];
  let nextId = 1;

  const now = () => new Date().toISOString();
  const find = (id: string): BasicServerProject => {
    const p = /^\d+$/.test(id) ? store.get(Number(id)) : undefined;
    if (!p) throw new HttpError(404, 'project not found');
    return p;
  };
  const checkPath = (path: string | null | undefined, self?: number) => {
    if (!path) return;
    for (const p of store.values()) {
      if (p.path === path && p.id !== self)
        throw new HttpError(409, `a project with path ${path} already exists`);
    }
  };
  /**
   * `keepType`: the real v0.3.0 keeps `project_type` only through the import; POST and PATCH
   * ignore it (issue 13 part 3), and clients must cope.
   */
  const create = (body: Record<string, unknown>, keepType = false): BasicServerProject => {
    if (!('name' in body)) throw new HttpError(400, 'name is required');
    const fields = pickFields(body);
    if (!keepType) delete fields.project_type;
    checkPath(fields.path);
    const at = now();
    const project: BasicServerProject = {
      id: nextId++,
      name: fields.name as string,
      path: fields.path ?? null,
      organization: fields.organization ?? null,
      classification: fields.classification ?? null,
      project_type: fields.project_type ?? null,
      status: fields.status ?? 'active',
      description: fields.description ?? null,
      remote_url: fields.remote_url ?? null,
      created_at: at,
      updated_at: at,
    };
    store.set(project.id, project);
    return project;
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      if (body === undefined) {
        res.writeHead(status, headers).end();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const parts = url.pathname.replace(/\/+$/, '').split('/').slice(1);
    const [api, resource, id, action] = parts;
    if (api !== 'api') throw new HttpError(404, 'not found');

    if (resource === 'health' && parts.length === 2 && method === 'GET')
      return send(200, { status: 'ok', message: 'work-prod is running' });
    if (resource !== 'projects') throw new HttpError(404, 'not found');

    if (parts.length === 2 && method === 'GET') {
      const search = url.searchParams.get('search')?.toLowerCase();
      const rows = [...store.values()].filter(
        (p) =>
          FILTERS.every((f) => {
            const want = url.searchParams.get(f);
            return want === null || p[f] === want;
          }) &&
          (!search ||
            p.name.toLowerCase().includes(search) ||
            (p.description ?? '').toLowerCase().includes(search)),
      );
      return send(200, rows);
    }
    if (parts.length === 2 && method === 'POST') {
      const project = create(await readJson(req));
      return send(201, project, { location: `/api/projects/${project.id}` });
    }
    if (id === 'import' && parts.length === 3 && method === 'POST') {
      const body = await readJson(req);
      if (!Array.isArray(body.projects)) throw new HttpError(400, 'projects must be an array');
      const result = { imported: 0, skipped: 0, errors: [] as string[] };
      for (const [i, item] of body.projects.entries()) {
        const known =
          typeof item?.remote_url === 'string' &&
          [...store.values()].some((p) => p.remote_url === item.remote_url);
        if (known) {
          result.skipped++;
          continue;
        }
        try {
          if (typeof item !== 'object' || item === null) throw new HttpError(400, 'not an object');
          create(item as Record<string, unknown>, true);
          result.imported++;
        } catch (e) {
          if (!(e instanceof HttpError)) throw e;
          result.errors.push(`project ${i}: ${e.message}`);
        }
      }
      return send(200, result);
    }
    if (id !== undefined && parts.length === 3) {
      const project = find(id);
      if (method === 'GET') return send(200, project);
      if (method === 'DELETE') {
        store.delete(project.id);
        return send(204);
      }
      if (method === 'PATCH') {
        const fields = pickFields(await readJson(req));
        delete fields.project_type; // ignored, as by the real v0.3.0 (see `create`)
        checkPath(fields.path, project.id);
        Object.assign(project, fields, { updated_at: now() });
        return send(200, project);
      }
    }
    if (id !== undefined && action === 'archive' && parts.length === 4 && method === 'PUT') {
      const project = find(id);
      Object.assign(project, { classification: 'archive', status: 'completed', updated_at: now() });
      return send(200, project);
    }
    const known = parts.length <= 3 || (parts.length === 4 && action === 'archive');
    throw new HttpError(known ? 405 : 404, known ? 'method not allowed' : 'not found');
  };

  const server = createServer((req, res) => {
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      userAgent: req.headers['user-agent'],
    });
    route(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      const message = e instanceof Error ? e.message : 'internal error';
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    projects: () => [...store.values()].map((p) => ({ ...p })),
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
