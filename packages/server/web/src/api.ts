/** The dashboard's HTTP calls: same-origin, cookie session, the CSRF header on every write. */
// Type-only: the types are core's schemas' (Static), and the bundle must not pull TypeBox in.
import type {
  DashboardProject,
  HistoryEntry,
  MachinesResponse,
  ProjectPage,
  ProjectsPage,
  SessionResponse,
  SharedFields,
  TagList,
  WipResponse,
} from '@dev-infra/core';

export type { HistoryEntry, ProjectsPage };
/** The dashboard's project: a live sync record. */
export type Project = DashboardProject;

export type Edits = Partial<Pick<SharedFields, 'description' | 'tags' | 'project_type' | 'status'>>;

/** A failed call: the HTTP status and the server's one-line error. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** Called when the session has ended, so the app can show the sign-in page. */
let onSignedOut: () => void = () => {};
export function whenSignedOut(fn: () => void): void {
  onSignedOut = fn;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-work-prod-dashboard'] = '1';
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'Cannot reach work-prod. Check the connection and try again.', null);
  }
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const message =
      typeof data === 'object' && data !== null && 'error' in data
        ? String((data as { error: unknown }).error)
        : `work-prod answered ${res.status}`;
    if (res.status === 401 && path !== '/api/session') onSignedOut();
    throw new ApiError(res.status, message, data);
  }
  return data as T;
}

/** Query string from the non-empty values. */
function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const api = {
  session: () => request<SessionResponse>('GET', '/api/session'),
  signIn: (key: string) => request<SessionResponse>('POST', '/api/session', { key }),
  signOut: () => request<void>('DELETE', '/api/session'),
  projects: (params: Record<string, string | number | undefined>) =>
    request<ProjectsPage>('GET', `/api/dashboard/projects${query(params)}`),
  tags: () => request<TagList>('GET', '/api/dashboard/tags'),
  machines: () => request<MachinesResponse>('GET', '/api/machines'),
  wip: () => request<WipResponse>('GET', '/api/dashboard/wip'),
  project: (uuid: string) =>
    request<ProjectPage>('GET', `/api/dashboard/projects/${encodeURIComponent(uuid)}`),
  edit: (uuid: string, baseRev: number, edits: Edits) =>
    request<Project>('PATCH', `/api/dashboard/projects/${encodeURIComponent(uuid)}`, {
      base_rev: baseRev,
      ...edits,
    }),
};
