/** `dev-infra add` (alias `register`): its arguments, flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { nameFlag, repeatable, statusFlag, typeFlag } from '../../flags.js';
import { examples } from '../help.js';

/** Adds the flags `add` and `init` share (a new project's fields). */
export function newProjectFlags(command: Command): Command {
  return command
    .option('--name <name>', 'project name (default: the folder name)', nameFlag)
    .option('--description <text>', 'one-line description')
    .option('--tag <tag>', 'tag (repeatable, or comma-separated)', repeatable)
    .option('--type <type>', 'Work, Personal, Learning or Inactive', typeFlag)
    .option('--status <status>', 'active (default), paused, completed or cancelled', statusFlag);
}

export function registerAdd(program: Command, ctx: Context): void {
  newProjectFlags(
    program
      .command('add')
      .alias('register')
      .description('register a project folder (default: the current folder)')
      .argument('[path]', 'the project folder', '.'),
  )
    .addHelpText(
      'after',
      examples('add', 'add ~/code/api --name api --tag go --tag svc --type work --status active'),
    )
    .action(async (path: string, options) => (await import('./run.js')).runAdd(ctx, path, options));
}
