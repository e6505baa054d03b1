/** Runs `sync`, `sync pull` or `sync push` against the configured remote, in either protocol. */

import { UserError } from '../errors.js';
import { applyStates, collectStates, type GitSettings } from '../git/collect.js';
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
  /** How to collect the checkouts' git state before a push; absent or disabled: not at all. */
  git?: GitSettings;
  env?: NodeJS.ProcessEnv;
}

/** Pulls and/or pushes; returns the report (the caller renders it). */
export async function runSyncCommand(options: SyncOptions, remote: Remote): Promise<SyncReport> {
  const { paths, dryRun, now } = options;
  const settings = remote.require();
  const http = remote.http(settings);
  const protocol = async () => (await detectCapabilities(http)).protocol;
  const session = { paths, server: settings.url, protocol, dryRun, now };
  return withSyncSession(session, async (s) => {
    if (options.push && options.git?.enabled) {
      // Git runs while the pull waits on the network; the push takes the states when ready.
      const reading = collectStates(s.registry.projects, options.git, () => now, options.env);
      let applied = false;
      s.gitReady = async () => {
        const collected = await reading;
        if (applied) return;
        applied = true;
        applyStates(s.registry.projects, collected, now, true);
        // Basic mode has no checkouts: the state is kept for `wip` here, never sent.
        s.pushGit = s.state.protocol === 'sync-v1';
      };
    }
    const driver = driverFor(s.state.protocol, http);
    if (options.verify && !driver.verify)
      throw new UserError(
        'sync --verify: the original work-prod API has no account digest to compare with (sync-v1 only)',
        2,
      );
    let verify: Awaited<ReturnType<NonNullable<typeof driver.verify>>> | undefined;
    try {
      await driver.run(s, options);
      verify = options.verify ? await driver.verify?.(s, options) : undefined;
    } finally {
      // Basic mode, a repair-less `sync pull`... or a failed pull: settle the reading.
      await s.gitReady?.().catch(() => undefined);
    }
    const report = buildReport(s.state.protocol, dryRun, s.events);
    if (verify) report.verify = verify;
    return report;
  });
}
