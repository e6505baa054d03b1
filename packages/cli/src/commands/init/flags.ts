/** `dev-infra init`: its arguments, flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { newProjectFlags } from '../add/flags.js';
import { examples } from '../help.js';

export function registerInit(program: Command, ctx: Context): void {
  newProjectFlags(
    program
      .command('init')
      .description(
        'write a .dev-infra.yml (id, template, version, created) if missing, then register',
      )
      .argument('[path]', 'the project folder', '.'),
  )
    .option('--template <name>', 'template the project was made from (kept in .dev-infra.yml)')
    .option('--template-version <version>', 'version of that template')
    .addHelpText(
      'after',
      examples('init', 'init ~/code/site --template static-site --template-version 2'),
    )
    .action(async (path: string, options) =>
      (await import('./run.js')).runInit(ctx, path, options),
    );
}
