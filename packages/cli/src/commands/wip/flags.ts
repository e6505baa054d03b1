/** `dev-infra wip`: flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../help.js';

export function registerWip(program: Command, ctx: Context): void {
  program
    .command('wip')
    .description(
      'work in progress on every machine: unpushed commits, changes, stashes, operations (no network)',
    )
    .option('--json', 'print {"machines": [...]} as JSON')
    .option('--exit-code', 'exit 1 when any checkout has work in progress')
    .addHelpText(
      'after',
      `${examples('wip', 'wip --json', 'wip --exit-code', 'status --git')}
This machine's state is from its last sync or refresh; other machines' from what they last
pushed (run \`dev-infra sync\` to hear of them). Each line says how old its report is.
`,
    )
    .action(async (options) => (await import('./run.js')).runWip(ctx, options));
}
