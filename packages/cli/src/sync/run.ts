/** Runs `sync`, `sync pull` or `sync push` against the configured remote, in either protocol. */

import { UserError } from '../errors.js';
import type { DevInfraPaths } from '../registry/paths.js';
import { detectCapabilities } from '../remote/capabilities.js';
import { driverFor, type SyncSteps } from './protocol.js';
import type { Remote } from './remote-config.js';
import { buildReport, type SyncReport } from './report.js';
import { withSyncSession } from './session.js';

/** What to do, where the files are, and the command's start time (ISO). */
export interface SyncOptions extends SyncSteps {
  dryRun: boolean;
  /** `--verify`: compare the account's digest afterwards and repair a difference. */
  verify?: boolean;
  paths: DevInfraPaths;
  now: string;
}

/** Pulls and/or pushes; returns the report (the caller renders it). */
export async function runSyncCommand(options: SyncOptions, remote: Remote): Promise<SyncReport> {
  const { paths, dryRun, now } = options;
  const settings = remote.require();
  const http = remote.http(settings);
  const protocol = async () => (await detectCapabilities(http)).protocol;
  const session = { paths, server: settings.url, protocol, dryRun, now };
  return withSyncSession(session, async (s) => {
    const driver = driverFor(s.state.protocol, http);
    if (options.verify && !driver.verify)
      throw new UserError(
        'sync --verify: the original work-prod API has no account digest to compare with (sync-v1 only)',
        2,
      );
    await driver.run(s, options);
    const verify = options.verify ? await driver.verify?.(s, options) : undefined;
    const report = buildReport(s.state.protocol, dryRun, s.events);
    if (verify) report.verify = verify;
    return report;
  });
}
