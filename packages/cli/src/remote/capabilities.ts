/** Finds out which protocol a work-prod server speaks, from `GET /api/health`. */
import { type HealthResponse, SYNC_CAPABILITY } from '@dev-infra/core';
import { type HttpClient, RemoteError } from './http.js';

/** `sync-v1` when the server announces it, else the original (basic) API. */
export type RemoteProtocol = typeof SYNC_CAPABILITY | 'basic';

/** What the server offers. */
export interface Capabilities {
  protocol: RemoteProtocol;
  /** The server's version, when it says. */
  version?: string;
}

/** Asks the server's health route which protocol to use (a plain work-prod has no capabilities). */
export async function detectCapabilities(http: HttpClient): Promise<Capabilities> {
  const health = await http.get<Partial<HealthResponse> | undefined>('/api/health');
  if (!health || typeof health !== 'object' || Array.isArray(health)) {
    throw new RemoteError(
      `${http.displayUrl} answered /api/health with something unexpected: is it a work-prod server?`,
      'protocol',
    );
  }
  const caps = Array.isArray(health.capabilities) ? health.capabilities : [];
  const protocol: RemoteProtocol = caps.includes(SYNC_CAPABILITY) ? SYNC_CAPABILITY : 'basic';
  return typeof health.version === 'string' ? { protocol, version: health.version } : { protocol };
}
