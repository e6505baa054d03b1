/** `dev-infra refresh`: flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../help.js';

export function registerRefresh(program: Command, ctx: Context): void {
  program
    .command('refresh')
    .description("read every project's git state now and keep it (no network)")
    .option('--json', 'print the counts as JSON')
    .addHelpText('after', examples('refresh', 'refresh && dev-infra wip', 'refresh --json'))
    .action(async (options) => (await import('./run.js')).runRefresh(ctx, options));
}
