/** Finds out which protocol a work-prod server speaks, from `GET /api/health`. */
import { HealthResponseSchema, SYNC_CAPABILITY, schemaChecker } from '@dev-infra/core';
import { checkAnswer } from './answer.js';
import type { HttpClient } from './http.js';

const healthAnswer = schemaChecker(HealthResponseSchema);

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
  const health = checkAnswer(healthAnswer, await http.get<unknown>('/api/health'), {
    displayUrl: http.displayUrl,
    to: 'GET /api/health',
  });
  const caps = health.capabilities ?? [];
  const protocol: RemoteProtocol = caps.includes(SYNC_CAPABILITY) ? SYNC_CAPABILITY : 'basic';
  return health.version === undefined ? { protocol } : { protocol, version: health.version };
}
