/** `dev-infra move`: its arguments, flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../help.js';

export function registerMove(program: Command, ctx: Context): void {
  program
    .command('move')
    .description("record that a project's folder has moved (or move it, with --files)")
    .argument('<name>', 'project name, NAME@MACHINE (this one) or an id prefix')
    .argument('<newpath>', 'where the folder is now (or, with --files, where to move it)')
    .option('--files', 'move the folder itself too (NEWPATH must not exist yet)')
    .addHelpText(
      'after',
      examples('move api ~/work/api', 'move api ~/work/api --files', 'move 3f2a9c ~/src/api'),
    )
    .action(async (name: string, newPath: string, options: { files?: boolean }) =>
      (await import('./run.js')).runMove(ctx, name, newPath, options),
    );
}
