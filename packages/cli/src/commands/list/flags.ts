/**
 * `dev-infra list` (alias `ls`): its flags and help. From the binary, a bare `list`, `list
 * --json` and a plain `list --all` / `--remote-only` skip this: bin.ts calls the same runs
 * without commander.
 */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { repeatable, statusFlag } from '../../flags.js';
import { examples } from '../help.js';

export function registerList(program: Command, ctx: Context): void {
  program
    .command('list')
    .alias('ls')
    .description("list this machine's projects")
    .option('--tag <tag>', 'only projects with this tag (repeatable: all must match)', repeatable)
    .option('--status <status>', 'only projects with this status', statusFlag)
    .option('--json', 'print an array of project objects')
    .option('--all', 'also projects only other machines hold (from the last sync; no network)')
    .option('--remote-only', 'only projects with no checkout on this machine')
    .option('--long', 'with --all: show where other machines keep them')
    .addHelpText(
      'after',
      examples(
        'list',
        'list --tag go --status active',
        "list --json | jq -r '.[].path'",
        'list --all --long',
      ),
    )
    .action(async (options) => {
      if (options.all || options.remoteOnly)
        return (await import('./run-all.js')).runListAll(ctx, options);
      // This machine's own list has its paths already; ignoring the flag would hide a typo.
      if (options.long) throw new UsageError('--long needs --all (or --remote-only)');
      return (await import('./run.js')).runList(ctx, options);
    });
}
