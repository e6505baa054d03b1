/**
 * A hostile work-prod for tests (issue 14): a tiny node:http server on 127.0.0.1 that speaks
 * sync-v1 well enough for the CLI to pick that protocol, and answers whatever the test scripts:
 * records of the wrong shape, null fields, escaping names, endless pages, a huge head, hostile
 * error text. The real server cannot be made to send these, which is why this exists.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sampleFields } from '../packages/core/test/fixtures.js';

/** A scripted answer: an HTTP status and a body (sent as JSON unless it is already a string). */
export interface Answer {
  status?: number;
  body: unknown;
}

/** The answers a test scripts; each route falls back to a well-formed empty answer. */
export interface HostileScript {
  /** `GET /api/sync/changes?since=&limit=`. */
  changes?(q: { since: number; limit: number; call: number }): Answer;
  /** `POST /api/sync/push` with the parsed body. */
  push?(body: unknown): Answer;
  /** `GET /api/machines`. */
  machines?(): Answer;
  /**
   * `GET /api/projects`, the original (basic) API. When set, /api/health announces no
   * capabilities, so the CLI uses basic mode.
   */
  projects?(): Answer;
}

/** A running hostile server. */
export interface HostileServer {
  url: string;
  /** How many times each route was asked (`GET /api/sync/changes`, ...). */
  calls: Map<string, number>;
  /** Replaces the script (the server keeps running). */
  script(s: HostileScript): void;
  close(): Promise<void>;
}

/** A record that passes SyncRecordSchema; `fields` and the rest override parts of it. */
export function hostileRecord(
  uuid: string,
  seq: number,
  fields: Record<string, unknown> = {},
  rest: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    uuid,
    rev: seq,
    seq,
    deleted: false,
    // Plain fields, then whatever the test puts on top (of any type: that is the point).
    fields: { ...sampleFields({ name: `p${seq}` }), ...fields },
    checkouts: [],
    ...rest,
  };
}

/** A uuid made from a number, so tests can name records without randomness. */
export const uuidOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Starts a hostile server on a free port of 127.0.0.1. */
export async function startHostileServer(initial: HostileScript = {}): Promise<HostileServer> {
  let script = initial;
  const calls = new Map<string, number>();
  const send = (res: ServerResponse, a: Answer) => {
    const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
    res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
    res.end(text);
  };
  const readBody = async (req: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return undefined;
    }
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = `${req.method} ${url.pathname}`;
    const call = (calls.get(route) ?? 0) + 1;
    calls.set(route, call);
    void (async () => {
      switch (route) {
        case 'GET /api/health':
          // The shape of the real server's answer (HealthResponse): sync-v1 is announced.
          return send(res, {
            body: script.projects
              ? { status: 'ok', message: 'hostile' }
              : { status: 'ok', message: 'hostile', capabilities: ['sync-v1'], version: '0' },
          });
        case 'GET /api/projects':
          return send(res, script.projects?.() ?? { body: [] });
        case 'GET /api/sync/changes': {
          const since = Number(url.searchParams.get('since') ?? 0);
          const limit = Number(url.searchParams.get('limit') ?? 500);
          return send(
            res,
            script.changes?.({ since, limit, call }) ?? {
              body: { changes: [], next: since, more: false, head: since },
            },
          );
        }
        case 'POST /api/sync/push': {
          const body = await readBody(req);
          return send(
            res,
            script.push?.(body) ?? { body: { results: [], checkouts: [], head: 0 } },
          );
        }
        case 'GET /api/machines':
          return send(res, script.machines?.() ?? { body: { machines: [] } });
        default:
          return send(res, { status: 404, body: { error: 'not found' } });
      }
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    script: (s) => {
      script = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
