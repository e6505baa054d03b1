/** `dev-infra sync [pull|push]`: parses flags, runs the sync, prints the summary. */
import type { Prefer } from '@dev-infra/core';
import { UserError } from '../errors.js';
import { printJson } from '../output/json.js';
import { writeOut } from '../output/stdout.js';
import { resolvePaths } from '../registry/paths.js';
import { RemoteError } from '../remote/http.js';
import { renderReport } from '../sync/report.js';
import { runSyncCommand } from '../sync/run.js';

export interface SyncFlags {
  dryRun?: boolean;
  prefer?: Prefer;
  json?: boolean;
}

/** Runs one of the three sync commands. */
export async function runSync(what: 'both' | 'pull' | 'push', flags: SyncFlags): Promise<void> {
  const progress =
    process.stderr.isTTY === true && !flags.json
      ? setTimeout(() => process.stderr.write('syncing with work-prod…\n'), 1500)
      : undefined;
  try {
    const report = await runSyncCommand({
      pull: what !== 'push',
      push: what !== 'pull',
      dryRun: flags.dryRun === true,
      prefer: flags.prefer ?? 'local',
      paths: resolvePaths(),
      now: new Date().toISOString(),
    });
    if (flags.json) printJson(report);
    else writeOut(renderReport(report));
    if (report.rejected.length > 0) process.exitCode = 1;
  } catch (error) {
    // Network failures are already one clear line; make them user errors (no --debug hint).
    if (error instanceof RemoteError) throw new UserError(error.message);
    throw error;
  } finally {
    if (progress) clearTimeout(progress);
  }
}
