/** `dev-infra show`: its arguments, flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../help.js';

export function registerShow(program: Command, ctx: Context): void {
  program
    .command('show')
    .description("show one project's fields")
    .argument('<name>', 'project name, NAME@MACHINE (this one) or an id prefix')
    .option('--json', 'print the project as JSON')
    .addHelpText('after', examples('show api', 'show api --json | jq .remote_url'))
    .action(async (name: string, options) =>
      (await import('./run.js')).runShow(ctx, name, options),
    );
}
