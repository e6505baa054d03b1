/** Real HTTP servers on 127.0.0.1 for the remote client's tests, closed by `closeAll`. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the test server saw it, with its body text. */
export interface Hit {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A started test server. */
export interface TestServer {
  url: string;
  hits: Hit[];
  close(): Promise<void>;
}

const open: Server[] = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Starts a server whose handler gets each request with its body already read. */
export async function startServer(
  handler: (hit: Hit, res: ServerResponse, req: IncomingMessage) => unknown,
): Promise<TestServer> {
  const hits: Hit[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const hit = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    hits.push(hit);
    await handler(hit, res, req);
  });
  open.push(server);
  return { url: await listen(server), hits, close: () => stop(server) };
}

/** Writes a JSON answer. */
export function json(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A URL whose port had a server a moment ago and now has none: connections are refused. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await stop(server);
  return url;
}

/** Closes every server this module started (call in afterEach/afterAll). */
export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map(stop));
}
