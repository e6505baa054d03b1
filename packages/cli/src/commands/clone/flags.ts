/** `dev-infra clone`: arguments and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../help.js';

export function registerClone(program: Command, ctx: Context): void {
  program
    .command('clone')
    .description('git clone a project another machine holds, and register it here')
    .argument('<name>', 'project name, NAME@MACHINE or an id prefix (see list --remote-only)')
    .argument('[dir]', 'where to clone it (default: <clone_root>/<name>)')
    .option('--name <new>', 'register it here under another name (when its own is taken here)')
    .addHelpText(
      'after',
      examples(
        'clone api-server',
        'clone api-server ~/work/api',
        'clone lib1@desktop --name lib1-desktop',
      ),
    )
    .action(async (name: string, dir: string | undefined, options: { name?: string }) =>
      (await import('./run.js')).runClone(ctx, name, dir, options),
    );
}
