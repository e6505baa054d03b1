/** `dev-infra clone`: arguments and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../help.js';

export function registerClone(program: Command, ctx: Context): void {
  program
    .command('clone')
    .description('git clone a project another machine holds, and register it here')
    .argument('<name>', 'project name (see list --remote-only)')
    .argument('[dir]', 'where to clone it (default: <clone_root>/<name>)')
    .addHelpText('after', examples('clone api-server', 'clone api-server ~/work/api'))
    .action(async (name: string, dir: string | undefined) =>
      (await import('./run.js')).runClone(ctx, name, dir),
    );
}
