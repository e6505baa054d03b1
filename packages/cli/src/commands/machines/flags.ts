/** `dev-infra machines`: flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';

export function registerMachines(program: Command, ctx: Context): void {
  program
    .command('machines')
    .description("the account's machines, with their last sync")
    .option('--json', 'print them as JSON')
    .action(async (options) => (await import('./run.js')).runMachines(ctx, options));
}
