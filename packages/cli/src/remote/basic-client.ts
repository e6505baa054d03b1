/**
 * Typed client for the original work-prod API (design section 4, "basic mode"): integer ids,
 * a full list, POST/PATCH/DELETE, archive and import. Its errors become RemoteErrors whose
 * messages say what happened; `status` stays on them for callers that branch on it.
 */
import {
  type BasicProject,
  BasicProjectListSchema,
  BasicProjectSchema,
  type ImportResult,
  ImportResultSchema,
  type SharedFieldName,
  type SharedFields,
  schemaChecker,
} from '@dev-infra/core';
import { checkAnswer } from './answer.js';
import { type HttpClient, isObject, RemoteError } from './http.js';

export type { BasicProject };

const projectAnswer = schemaChecker(BasicProjectSchema);
const listAnswer = schemaChecker(BasicProjectListSchema);
const importAnswer = schemaChecker(ImportResultSchema);

/** The fields a create or patch may send (the server drops anything else). */
export type BasicProjectInput = Partial<Omit<BasicProject, 'id' | 'created_at' | 'updated_at'>>;

/** The list filters the original API understands. */
export interface BasicFilters {
  status?: string;
  organization?: string;
  classification?: string;
  project_type?: string;
  search?: string;
}

/** `POST /api/projects/import` answer. */
export type BasicImportResult = ImportResult;

/** Shared fields a basic server cannot hold: they stay local (and the CLI says so). */
export const BASIC_UNSUPPORTED_FIELDS = ['tags', 'template', 'template_version'] as const;

/**
 * The basic-API body for a project's shared fields (and this machine's path, if given), and
 * which unsupported fields had values that will not reach the server.
 */
export function toBasicInput(
  fields: SharedFields,
  path?: string,
): { input: BasicProjectInput; dropped: SharedFieldName[] } {
  const input: BasicProjectInput = {
    name: fields.name,
    organization: fields.organization,
    classification: fields.classification,
    project_type: fields.project_type,
    status: fields.status,
    description: fields.description,
    remote_url: fields.remote_url,
  };
  if (path !== undefined) input.path = path;
  const dropped = BASIC_UNSUPPORTED_FIELDS.filter((f) =>
    f === 'tags' ? fields.tags.length > 0 : fields[f] !== null && fields[f] !== '',
  );
  return { input, dropped };
}

/** Shared fields from a basic project; fields it cannot hold come from `keep` (or are empty). */
export function fromBasicProject(
  p: BasicProject,
  keep?: Pick<SharedFields, (typeof BASIC_UNSUPPORTED_FIELDS)[number]>,
): SharedFields {
  return {
    name: p.name,
    description: p.description,
    remote_url: p.remote_url,
    project_type: p.project_type,
    status: p.status ?? 'active',
    classification: p.classification,
    organization: p.organization,
    tags: keep ? [...keep.tags] : [],
    template: keep?.template ?? null,
    template_version: keep?.template_version ?? null,
    created_at: p.created_at,
    updated_at: p.updated_at,
  };
}

/** The original work-prod API. */
export class BasicClient {
  constructor(private readonly http: HttpClient) {}

  /** Every project (filtered when asked): the API has no paging. */
  async list(filters: BasicFilters = {}): Promise<BasicProject[]> {
    const body = await this.http.get<unknown>('/api/projects', { ...filters });
    // Some original servers wrap the list in `{projects: [...]}`.
    const rows = isObject(body) && 'projects' in body ? body.projects : body;
    return checkAnswer(listAnswer, rows, this.answerTo('GET /api/projects'));
  }

  /** One project by its integer id. */
  async get(id: number): Promise<BasicProject> {
    const body = await this.call('GET', `/api/projects/${id}`, { id });
    return checkAnswer(projectAnswer, body, this.answerTo(`GET /api/projects/${id}`));
  }

  /** Creates a project; its id comes from the answer's body or its `Location` header. */
  async create(input: BasicProjectInput): Promise<{ id: number; project?: BasicProject }> {
    const { body, headers } = await this.send('POST', '/api/projects', input, {
      name: input.name,
      path: input.path,
    });
    if (projectAnswer.is(body)) return { id: body.id, project: body };
    const fromBody = isObject(body) ? Number(body.id) : Number.NaN;
    if (Number.isInteger(fromBody)) return { id: fromBody };
    const location = /\/api\/projects\/(\d+)\/?$/.exec(String(headers.location ?? ''));
    if (location) return { id: Number(location[1]) };
    throw this.unexpected('POST /api/projects (no id in the answer)');
  }

  /** Changes some fields of a project. */
  async patch(id: number, input: BasicProjectInput): Promise<BasicProject> {
    const { body } = await this.send('PATCH', `/api/projects/${id}`, input, {
      id,
      name: input.name,
      path: input.path,
    });
    return checkAnswer(projectAnswer, body, this.answerTo(`PATCH /api/projects/${id}`));
  }

  /** Deletes a project for good (the original API keeps no tombstone). */
  async delete(id: number): Promise<void> {
    await this.call('DELETE', `/api/projects/${id}`, { id });
  }

  /** Marks a project archived (classification archive, status completed). */
  async archive(id: number): Promise<BasicProject | undefined> {
    const body = await this.call('PUT', `/api/projects/${id}/archive`, { id });
    return projectAnswer.is(body) ? body : undefined;
  }

  /** Imports many projects; the server skips those whose remote_url it already has. */
  async import(projects: BasicProjectInput[]): Promise<BasicImportResult> {
    const { body } = await this.send('POST', '/api/projects/import', { projects }, {});
    return checkAnswer(importAnswer, body, this.answerTo('POST /api/projects/import'));
  }

  private async call(method: string, path: string, about: About): Promise<unknown> {
    return (await this.send(method, path, undefined, about)).body;
  }

  private async send(method: string, path: string, body: unknown, about: About) {
    try {
      return await this.http.request<unknown>(method, path, { body });
    } catch (e) {
      throw e instanceof RemoteError ? explain(e, about) : e;
    }
  }

  private answerTo(to: string) {
    return { displayUrl: this.http.displayUrl, to };
  }

  private unexpected(what: string): RemoteError {
    return new RemoteError(
      `work-prod at ${this.http.displayUrl} sent an unexpected answer to ${what}: is it a work-prod server?`,
      'protocol',
    );
  }
}

/** What a request was about, to name it in an error. */
interface About {
  id?: number;
  name?: string | null | undefined;
  path?: string | null | undefined;
}

/** Rewrites the original API's 400/404/409 answers into messages that say what to do. */
function explain(e: RemoteError, about: About): RemoteError {
  const said = e.serverError ? `: ${e.serverError}` : '';
  const extra = { status: e.status, serverError: e.serverError, cause: e } as const;
  const project =
    about.id !== undefined
      ? `project ${about.id}`
      : about.name
        ? `project "${about.name}"`
        : 'the project';
  switch (e.status) {
    case 404:
      return new RemoteError(
        `work-prod has no ${project.replace('the ', 'such ')} (404); it may have been deleted there`,
        'http',
        extra,
      );
    case 409:
      return new RemoteError(
        about.path
          ? `work-prod already has a project at path ${about.path} (409)`
          : `work-prod refused ${project} as a duplicate (409)${said}`,
        'http',
        extra,
      );
    case 400:
      return new RemoteError(`work-prod refused ${project} (400)${said}`, 'http', extra);
    default:
      return e;
  }
}
