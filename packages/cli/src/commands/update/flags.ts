/** `dev-infra update`: its arguments, flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { nameFlag, repeatable, statusFlag, typeFlag } from '../../flags.js';
import { examples } from '../help.js';

export function registerUpdate(program: Command, ctx: Context): void {
  program
    .command('update')
    .description("change a project's fields")
    .argument('<name>', 'project name, NAME@MACHINE (this one) or an id prefix')
    .option('--name <name>', 'rename the project', nameFlag)
    .option('--description <text>', 'set the description ("" clears it)')
    .option('--tag <tag>', 'add a tag (repeatable)', repeatable)
    .option('--untag <tag>', 'remove a tag (repeatable)', repeatable)
    .option('--type <type>', 'Work, Personal, Learning or Inactive', typeFlag)
    .option('--status <status>', 'active, paused, completed or cancelled', statusFlag)
    .addHelpText(
      'after',
      examples(
        'update api --status paused --tag legacy',
        'update api --name api-server --untag go',
      ),
    )
    .action(async (name: string, options) =>
      (await import('./run.js')).runUpdate(ctx, name, options),
    );
}
