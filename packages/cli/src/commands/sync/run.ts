/** `dev-infra sync [pull|push]`: parses flags, runs the sync, prints the summary. */
import type { Prefer } from '@dev-infra/core';
import type { Context } from '../../context.js';
import { UserError } from '../../errors.js';
import { gitSettings } from '../../git/collect.js';
import { printJson } from '../../output/json.js';
import { RemoteError } from '../../remote/http.js';
import { afterForegroundSync } from '../../sync/background.js';
import { keyError } from '../../sync/remote-config.js';
import { renderReport } from '../../sync/report.js';
import { runSyncCommand } from '../../sync/run.js';

export interface SyncFlags {
  dryRun?: boolean;
  prefer?: Prefer;
  json?: boolean;
  /** `--no-git`: false. */
  git?: boolean;
  verify?: boolean;
}

export async function runSync(
  ctx: Context,
  what: 'both' | 'pull' | 'push',
  flags: SyncFlags,
): Promise<void> {
  const progress =
    ctx.io.errIsTTY && !flags.json
      ? setTimeout(() => ctx.io.err('syncing with work-prod…\n'), 1500)
      : undefined;
  const remote = await ctx.remote();
  try {
    const report = await runSyncCommand(
      {
        pull: what !== 'push',
        push: what !== 'pull',
        dryRun: flags.dryRun === true,
        verify: flags.verify === true,
        prefer: flags.prefer ?? 'local',
        paths: ctx.paths,
        now: ctx.now().toISOString(),
        git: {
          ...gitSettings(ctx.paths.configFile),
          ...(flags.git === false ? { enabled: false } : {}),
        },
        env: ctx.env,
      },
      remote,
    );
    if (what === 'both' && !flags.dryRun) afterForegroundSync(ctx.paths, ctx.now().getTime());
    if (flags.json) printJson(ctx.io, report);
    else ctx.io.out(renderReport(report));
    if (report.rejected.length > 0 || report.verify?.in_sync === false) ctx.exitCode = 1;
  } catch (error) {
    // Network failures are already one clear line; make them user errors (no --debug hint).
    const settings = remote.settings();
    const refused = settings ? keyError(error, settings) : undefined;
    if (refused) throw refused;
    if (error instanceof RemoteError) throw new UserError(error.message);
    throw error;
  } finally {
    if (progress) clearTimeout(progress);
  }
}
