/** `dev-infra scan`: its arguments, flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { depthFlag } from '../../flags.js';
import { examples } from '../help.js';

export function registerScan(program: Command, ctx: Context): void {
  program
    .command('scan')
    .description('find git repositories and .dev-infra.yml folders under DIR and register new ones')
    .argument('<dir>', 'folder to search')
    .option('--depth <n>', 'how many folder levels below DIR to search', depthFlag, 3)
    .option('--dry-run', 'report what would be added, change nothing')
    .addHelpText('after', examples('scan ~/code', 'scan ~ --depth 2 --dry-run'))
    .action(async (dir: string, options) => (await import('./run.js')).runScan(ctx, dir, options));
}
