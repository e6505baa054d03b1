/** `dev-infra status`: flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../help.js';

export function registerStatus(program: Command, ctx: Context): void {
  program
    .command('status')
    .description("each project's sync state (asks the server what changed; read-only)")
    .option('--offline', 'use the last sync only (no network)')
    .option('--json', 'print everything as JSON')
    .option('--exit-code', 'exit 1 when anything is out of sync')
    .option('--git', 'also list work in progress on every machine (as `dev-infra wip`)')
    .addHelpText(
      'after',
      examples('status', 'status --offline', 'status --exit-code', 'status --git'),
    )
    .action(async (options) => (await import('./run.js')).runStatus(ctx, options));
}
