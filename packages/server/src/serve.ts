/** `work-prod serve`: migrate, listen, make the first account if none, stop gracefully. */
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { firstAccountName, firstStartNotice, shellWord } from './admin/first-start.js';
import { buildApp } from './app.js';
import {
  type DatabaseTarget,
  describeTarget,
  keyCacheTtlMsFromEnv,
  serverOptionsFromEnv,
} from './config.js';
import { generateKey } from './keys.js';
import { openStorage } from './storage/open.js';

/** The URL other machines should use, from the address actually bound. */
function publicUrl(address: AddressInfo): string {
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard
    ? hostname()
    : address.family === 'IPv6'
      ? `[${address.address}]`
      : address.address;
  return `http://${host}:${address.port}`;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

/** What `key create` must be given to reach the database `serve` was given by `--db`. */
function dbArgsFor(dbFlag: string | undefined): string {
  if (dbFlag === undefined) return '';
  // A postgres:// URL holds a password: it is never printed.
  return /^postgres(ql)?:/i.test(dbFlag) ? ' --db <the same URL>' : ` --db ${shellWord(dbFlag)}`;
}

/** Runs the server until SIGTERM or SIGINT. `dbFlag`: the `--db` given, for the notice. */
export async function serve(
  target: DatabaseTarget,
  host: string,
  port: number,
  dbFlag?: string,
): Promise<void> {
  const options = serverOptionsFromEnv(process.env, process.stderr.isTTY === true);
  const storage = await openStorage(target, { keyCacheTtlMs: keyCacheTtlMsFromEnv() });
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let notice: string[] = [];
  try {
    await storage.migrate();
    app = await buildApp({ storage, options });
    await app.listen({ host, port }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      throw new Error(
        `${host}:${port} is already in use: stop what listens there or choose another --port (nothing was created)`,
      );
    });
    // Only now: an account made before a failed listen (a busy port) would hold a key that
    // is never shown, and the next start would not make another.
    const url = publicUrl(app.server.address() as AddressInfo);
    const first = generateKey('first key');
    const account = firstAccountName();
    if (await storage.createFirstAccount(account.name, first.stored))
      notice = firstStartNotice({ url, account, key: first.key, dbArgs: dbArgsFor(dbFlag) });
    // One write, so whoever reads the output sees the whole first-start notice at once.
    say([`work-prod listening on ${url} (${describeTarget(target)})`, ...notice].join('\n'));
  } catch (error) {
    await app?.close();
    await storage.close();
    throw error;
  }
  const server = app;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`work-prod: ${signal} received, finishing requests in flight`);
    try {
      await server.close();
      await storage.close();
      say('work-prod stopped');
    } catch (error) {
      process.stderr.write(`work-prod: error while stopping: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
