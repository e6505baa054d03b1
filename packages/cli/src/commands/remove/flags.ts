/** `dev-infra remove` (alias `unregister`): its arguments, flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../help.js';

export function registerRemove(program: Command, ctx: Context): void {
  program
    .command('remove')
    .alias('unregister')
    .description('drop a project from the registry (its files are never touched)')
    .argument('<name|path>', 'project name, NAME@MACHINE, an id prefix, or its folder')
    .option('--everywhere', 'also delete it from work-prod (other machines see "deleted remotely")')
    .addHelpText(
      'after',
      examples('remove old-site', 'unregister ~/code/old-site', 'remove old-site --everywhere'),
    )
    .action(async (target: string, options) =>
      (await import('./run.js')).runRemove(ctx, target, options),
    );
}
