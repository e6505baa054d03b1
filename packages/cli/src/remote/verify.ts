/**
 * What `remote set` checks before it stores anything: that the URL answers as work-prod (sync-v1,
 * or the original API), and that the key opens an authenticated route. Each failure is one line.
 */

import { BasicClient } from './basic-client.js';
import { detectCapabilities, type RemoteProtocol } from './capabilities.js';
import { type HttpClient, RemoteError } from './http.js';
import { SyncClient } from './sync-client.js';

/** The protocol the server speaks, once its health answer and the key are both accepted. */
export async function verifyRemote(
  http: HttpClient,
  keyShown: string | undefined,
): Promise<RemoteProtocol> {
  let protocol: RemoteProtocol;
  try {
    ({ protocol } = await detectCapabilities(http));
  } catch (error) {
    if (!(error instanceof RemoteError)) throw error;
    // An HTML page, a 404 or another JSON shape: something answers, but not work-prod.
    const why =
      error.kind === 'unreachable' || error.kind === 'timeout'
        ? // Only what failed: the network error's advice ("Nothing was changed...") would
          // read twice beside this command's own.
          (error.message.split('. ')[0] ?? error.message)
        : `${http.displayUrl} is not a work-prod server (GET /api/health: ${error.message})`;
    throw new RemoteError(`${why}; nothing stored (--no-verify stores it anyway)`, error.kind);
  }
  try {
    // The cheapest authenticated call of each protocol.
    if (protocol === 'basic') await new BasicClient(http).list();
    else await new SyncClient(http).machines();
  } catch (error) {
    if (!(error instanceof RemoteError)) throw error;
    const why =
      error.kind === 'auth'
        ? keyShown
          ? `work-prod at ${http.displayUrl} refused the API key ${keyShown} (${error.status})`
          : `work-prod at ${http.displayUrl} wants an API key (${error.status}): give one with --key`
        : error.message;
    throw new RemoteError(`${why}; nothing stored (--no-verify stores it anyway)`, error.kind);
  }
  return protocol;
}
