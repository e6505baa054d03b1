/**
 * `dev-infra sync --background`: what the shell hook runs when a sync is due. The command
 * starts a detached copy of itself and returns at once; that copy (marked by
 * BACKGROUND_CHILD_ENV) takes the background lock or exits quietly, runs a normal sync, writes
 * the next-due stamp and logs the outcome in one line.
 */
import { DEFAULT_SYNC_FREQUENCY, parseSyncFrequency } from '@dev-infra/core';
import type { Context } from '../../context.js';
import { oneLine, UsageError } from '../../errors.js';
import { gitSettings } from '../../git/collect.js';
import { ensurePrivateDir } from '../../private-files.js';
import {
  BACKGROUND_CHILD_ENV,
  backgroundFiles,
  failureLine,
  logBackgroundRun,
  spawnBackgroundSync,
  summary,
  syncFrequency,
  tryBackgroundLock,
  writeNextDue,
} from '../../sync/background.js';
import { keyError, type RemoteSettings } from '../../sync/remote-config.js';
import { runSyncCommand } from '../../sync/run.js';
import type { SyncFlags } from './run.js';

/** Runs `sync --background`: in the hook's process, starts the child; in the child, syncs. */
export async function runSyncBackground(ctx: Context, flags: SyncFlags): Promise<void> {
  if (flags.dryRun || flags.json || flags.prefer)
    throw new UsageError('--background takes no other flag (it runs a plain `dev-infra sync`)');
  const noGit = flags.git === false;
  if (ctx.env[BACKGROUND_CHILD_ENV] === '1') {
    await backgroundChild(ctx, noGit);
    return;
  }
  const started = spawnBackgroundSync(ctx.paths, ctx.env, noGit ? ['--no-git'] : []);
  ctx.io.out(
    started
      ? 'Started a background sync; `dev-infra status` shows how it went\n'
      : 'A background sync is already running\n',
  );
}

async function backgroundChild(ctx: Context, noGit: boolean): Promise<void> {
  const { paths } = ctx;
  const at = () => ctx.now().toISOString();
  let frequency: number | 'off';
  try {
    frequency = syncFrequency(paths);
  } catch (error) {
    // A broken config.yml: say so in the log, and try again a default period later.
    logBackgroundRun(paths, { at: at(), ok: false, message: oneLine(error) });
    writeNextDue(paths, ctx.now().getTime(), parseSyncFrequency(DEFAULT_SYNC_FREQUENCY) ?? 600);
    return;
  }
  if (frequency === 'off') {
    writeNextDue(paths, ctx.now().getTime(), 'off');
    return;
  }
  ensurePrivateDir(paths.dataDir);
  const release = tryBackgroundLock(backgroundFiles(paths).lock);
  if (!release) return;
  let settings: RemoteSettings | undefined;
  try {
    const remote = await ctx.remote();
    settings = remote.settings();
    // No remote yet: nothing to sync and nothing wrong; the stamp still waits a period.
    if (!settings) return;
    // The same git state collection as a sync at the prompt: the hook's syncs are what keeps
    // other machines' `wip` current.
    const git = gitSettings(paths.configFile);
    const report = await runSyncCommand(
      {
        pull: true,
        push: true,
        dryRun: false,
        prefer: 'local',
        paths,
        now: at(),
        git: noGit ? { ...git, enabled: false } : git,
        env: ctx.env,
      },
      remote,
    );
    const first = report.rejected[0];
    logBackgroundRun(
      paths,
      first
        ? {
            at: at(),
            ok: false,
            message: `work-prod refused ${report.rejected.length} change(s); ${first.project}: ${first.error}`,
          }
        : { at: at(), ok: true, message: summary(report.pulled, report.pushed) },
    );
  } catch (error) {
    const refused = settings ? keyError(error, settings) : undefined;
    logBackgroundRun(paths, { at: at(), ok: false, message: failureLine(refused ?? error) });
  } finally {
    // Also after a failure: a server that is down is tried again a period later, not at
    // every prompt.
    try {
      writeNextDue(paths, ctx.now().getTime(), frequency);
    } finally {
      release();
    }
  }
}
