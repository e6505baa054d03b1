/** `dev-infra path`: its arguments, flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../help.js';

export function registerPath(program: Command, ctx: Context): void {
  program
    .command('path')
    .description("print a project's folder on this machine")
    .argument('<name>', 'project name, NAME@MACHINE (this one) or an id prefix')
    .option('--json', 'print {"name", "path"} as JSON')
    .addHelpText('after', examples('cd "$(dev-infra path api)"', 'path api --json'))
    .action(async (name: string, options) =>
      (await import('./run.js')).runPath(ctx, name, options),
    );
}
