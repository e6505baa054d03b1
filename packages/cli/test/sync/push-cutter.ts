/**
 * A forwarding proxy on 127.0.0.1 between the CLI and a real work-prod process that kills the
 * server at a chosen `POST /api/sync/push` of a sync:
 *  - case A: once the request's body has been forwarded, before the server's answer reaches
 *    the proxy (the batch may or may not have been committed);
 *  - case B: once the server's whole answer reached the proxy (the batch was committed), after
 *    forwarding only part of it to the client (the answer is lost).
 * Either way the client's connection is then closed, as when the server dies under it.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PushRequest } from '@dev-infra/core';

export type CutCase = 'A' | 'B';

/** What the proxy did at the aimed push. */
export interface Cut {
  kase: CutCase;
  /** Index of the cut push among the pushes since `aim` (0 = the first batch). */
  batch: number;
  /** The cut batch as the CLI sent it. */
  request: PushRequest;
  /** Case A only: the server's answer had reached the proxy before the kill took effect. */
  answeredBeforeKill: boolean;
}

export interface Aim {
  kase: CutCase;
  /** Which push of the next sync to cut (0-based). */
  batch: number;
  /** Case A: milliseconds between forwarding the body and the kill. */
  delayMs?: number;
  /** Kills the server; resolves once it is dead. */
  kill: () => Promise<unknown>;
}

export interface PushCutter {
  url: string;
  /** Where requests go; set it again after restarting the server. */
  upstream: string;
  /** Arms the proxy for the next sync; the promise resolves when the cut happened. */
  aim(aim: Aim): Promise<Cut>;
  /** Pushes forwarded since the last `aim`. */
  pushes(): number;
  close(): Promise<void>;
}

const readAll = (stream: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });

/** Starts the proxy in front of `upstream`. */
export async function startPushCutter(upstream: string): Promise<PushCutter> {
  let armed: (Aim & { done: (cut: Cut) => void }) | null = null;
  let pushes = 0;
  const cutter: PushCutter = {
    url: '',
    upstream,
    aim: (aim) =>
      new Promise<Cut>((done) => {
        pushes = 0;
        armed = { ...aim, done };
      }),
    pushes: () => pushes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const server = createServer(async (req, res) => {
    const body = await readAll(req);
    let aim: typeof armed = null;
    if (req.method === 'POST' && (req.url ?? '').startsWith('/api/sync/push')) {
      if (armed && pushes === armed.batch) {
        aim = armed;
        armed = null;
      }
      pushes += 1;
    }
    const target = new URL(cutter.upstream);
    const up = httpRequest({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: target.host },
    });
    const cut = (answeredBeforeKill: boolean): Cut => ({
      kase: aim!.kase,
      batch: aim!.batch,
      request: JSON.parse(body.toString('utf8')) as PushRequest,
      answeredBeforeKill,
    });
    up.on('error', () => req.socket.destroy());
    if (aim?.kase === 'A') {
      let answered = false;
      up.on('response', () => {
        answered = true;
      });
      up.end(body, () => {
        setTimeout(async () => {
          await aim.kill();
          req.socket.destroy();
          aim.done(cut(answered));
        }, aim.delayMs ?? 0);
      });
      return;
    }
    up.on('response', async (upRes) => {
      const answer = await readAll(upRes).catch(() => null);
      if (answer === null) return void req.socket.destroy();
      if (aim?.kase === 'B') {
        await aim.kill();
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        res.write(answer.subarray(0, Math.floor(answer.length / 2)), () => {
          req.socket.destroy();
          aim.done(cut(false));
        });
        return;
      }
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      res.end(answer);
    });
    up.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cutter.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return cutter;
}
