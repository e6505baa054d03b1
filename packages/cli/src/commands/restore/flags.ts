/** `dev-infra restore`: its argument, flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../help.js';

export function registerRestore(program: Command, ctx: Context): void {
  program
    .command('restore')
    .description('make a project shown "deleted remotely" live again everywhere (at the next sync)')
    .argument('<name|path>', 'project name, NAME@MACHINE (this one), an id prefix, or its folder')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples('restore old-site', 'restore old-site && dev-infra sync'))
    .action(async (target: string, options: { json?: boolean }) =>
      (await import('./run.js')).runRestore(ctx, target, options),
    );
}
