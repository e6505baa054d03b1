/** `dev-infra doctor`: flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../help.js';

export function registerDoctor(program: Command, ctx: Context): void {
  program
    .command('doctor')
    .description('check config, registry and project paths; list problems with their fix')
    .option('--json', 'print the problems as JSON')
    .addHelpText('after', examples('doctor'))
    .action(async (options) => (await import('./run.js')).runDoctor(ctx, options));
}
