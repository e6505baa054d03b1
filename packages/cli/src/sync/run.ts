/** Runs `sync`, `sync pull` or `sync push` against the configured remote, in either protocol. */
import type { Prefer } from '@dev-infra/core';
import type { Remote } from '../context.js';
import type { DevInfraPaths } from '../registry/paths.js';
import { BasicClient } from '../remote/basic-client.js';
import { detectCapabilities } from '../remote/capabilities.js';
import { SyncClient } from '../remote/sync-client.js';
import { pullBasic, pushBasic } from './basic-mode.js';
import { pullSyncV1 } from './pull.js';
import { pushSyncV1 } from './push.js';
import type { SyncReport } from './report.js';
import { withSyncSession } from './session.js';

/** What to do. */
export interface SyncOptions {
  pull: boolean;
  push: boolean;
  dryRun: boolean;
  prefer: Prefer;
}

/** Pulls and/or pushes; returns the report (the caller renders it). */
export async function runSyncCommand(
  options: SyncOptions,
  paths: DevInfraPaths,
  remote: Remote,
): Promise<SyncReport> {
  const settings = remote.require();
  const http = remote.http(settings);
  const detect = async () => (await detectCapabilities(http)).protocol;
  return withSyncSession(paths, settings.url, detect, options.dryRun, async (session) => {
    if (session.state.protocol === 'sync-v1') {
      const client = new SyncClient(http);
      if (options.pull) await pullSyncV1(client, session, options.prefer);
      if (options.push) await pushSyncV1(client, session, options.prefer);
    } else {
      const client = new BasicClient(http);
      const list = await pullBasic(client, session, options.prefer);
      if (options.push) await pushBasic(client, session, list);
    }
    return session.report;
  });
}
