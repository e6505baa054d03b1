/** `dev-infra sync [pull|push]`: flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { preferFlag } from '../../flags.js';
import { examples } from '../help.js';

const syncFlags = (command: Command) =>
  command
    .option('--dry-run', 'say what would change, change nothing')
    .option(
      '--prefer <side>',
      'who wins a same-field conflict: local (default) or remote',
      preferFlag,
    )
    .option('--json', 'print the report as JSON')
    .option('--no-git', "don't collect or send the checkouts' git state this time");

export function registerSync(program: Command, ctx: Context): void {
  const sync = syncFlags(
    program
      .command('sync')
      .description("pull changes from work-prod, merge, and push this machine's changes"),
  )
    .option('--background', 'sync in a detached process and return at once (the shell hook)')
    .option('--verify', "then compare the server's account digest with this machine's view")
    .addHelpText(
      'after',
      examples(
        'sync',
        'sync --dry-run',
        'sync --prefer remote',
        'sync pull',
        'sync --no-git',
        'sync --background',
        'sync --verify',
      ),
    )
    .action(async (options) =>
      options.background
        ? (await import('./background.js')).runSyncBackground(ctx, options)
        : (await import('./run.js')).runSync(ctx, 'both', options),
    );
  // The flags may come before the subcommand (`sync --dry-run pull`), hence optsWithGlobals.
  const half = (what: 'pull' | 'push') => async (_options: unknown, cmd: Command) => {
    const options = cmd.optsWithGlobals();
    if (options.background)
      throw new UsageError(
        `--background runs a whole sync: use \`dev-infra sync --background\`, not sync ${what}`,
      );
    return (await import('./run.js')).runSync(ctx, what, options);
  };
  syncFlags(sync.command('pull').description('only fetch and merge changes from work-prod')).action(
    half('pull'),
  );
  syncFlags(sync.command('push').description("only send this machine's changes")).action(
    half('push'),
  );
}
