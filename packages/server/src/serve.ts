/** `work-prod serve`: migrate, make the first account if none, listen, stop gracefully. */
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { checkUserName } from './admin/accounts.js';
import { buildApp } from './app.js';
import {
  type DatabaseTarget,
  describeTarget,
  keyCacheTtlMsFromEnv,
  serverOptionsFromEnv,
} from './config.js';
import { generateKey } from './keys.js';
import { openStorage } from './storage/open.js';

/** The first account's name: $USER when it is a usable name, else "default". */
function firstAccountName(): string {
  try {
    return checkUserName(process.env.USER ?? 'default');
  } catch {
    return 'default';
  }
}

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

/** Runs the server until SIGTERM or SIGINT. */
export async function serve(target: DatabaseTarget, host: string, port: number): Promise<void> {
  const options = serverOptionsFromEnv();
  const storage = await openStorage(target, { keyCacheTtlMs: keyCacheTtlMsFromEnv() });
  try {
    await storage.migrate();
  } catch (error) {
    await storage.close();
    throw error;
  }
  const first = generateKey('first key');
  const accountName = firstAccountName();
  const createdFirst = await storage.createFirstAccount(accountName, first.stored);

  const app = await buildApp({ storage, options });
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close();
    await storage.close();
    throw error;
  }
  const url = publicUrl(app.server.address() as AddressInfo);
  // One write, so whoever reads the output sees the whole first-start notice at once.
  const lines = [`work-prod listening on ${url} (${describeTarget(target)})`];
  if (createdFirst) {
    lines.push(
      '',
      `Created the first account, ${accountName}. Its API key is shown only this once:`,
      '',
      `  ${first.key}`,
      '',
      'On each machine, run:',
      '',
      `dev-infra remote set ${url} --key ${first.key}`,
      '',
    );
  }
  say(lines.join('\n'));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`work-prod: ${signal} received, finishing requests in flight`);
    try {
      await app.close();
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
