/** `dev-infra clone`: arguments and help. */
import type { ProjectType } from '@dev-infra/core';
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { jobsFlag, repeatable, typeFlag } from '../../flags.js';
import { examples } from '../help.js';

interface CloneFlags {
  name?: string;
  missing?: boolean;
  tag?: string[];
  type?: ProjectType;
  jobs?: number;
  dryRun?: boolean;
  json?: boolean;
}

/** The flags that only `--missing` takes, as typed. */
const MISSING_ONLY = [
  ['tag', '--tag'],
  ['type', '--type'],
  ['jobs', '--jobs'],
  ['dryRun', '--dry-run'],
  ['json', '--json'],
] as const;

export function registerClone(program: Command, ctx: Context): void {
  program
    .command('clone')
    .description(
      'git clone a project another machine holds (or each one: --missing), and register it here',
    )
    .argument('[name]', 'project name, NAME@MACHINE or an id prefix (see list --remote-only)')
    .argument('[dir]', 'where to clone it (default: <clone_root>/<name>)')
    .option('--name <new>', 'register it here under another name (when its own is taken here)')
    .option('--missing', 'clone every project known from the server that is not on this machine')
    .option(
      '--tag <tag>',
      'with --missing: only projects with this tag (repeatable: all must match)',
      repeatable,
    )
    .option('--type <type>', 'with --missing: only projects of this type', typeFlag)
    .option('--jobs <n>', 'with --missing: how many clones run at once (default 4)', jobsFlag)
    .option('--dry-run', 'with --missing: show what would be cloned where; change nothing')
    .option('--json', 'with --missing: print {cloned, skipped, failed, would_clone} arrays')
    .addHelpText(
      'after',
      `${examples(
        'clone api-server',
        'clone api-server ~/work/api',
        'clone lib1@desktop --name lib1-desktop',
        'clone --missing --dry-run',
        'clone --missing --tag work --jobs 8',
      )}
--missing clones each project \`list --remote-only\` shows into <clone_root>/<name> and
registers it with its id. A project without a remote URL, or whose folder exists, is skipped;
git never prompts (a private URL fails). Exit 1 if any failed; run it again to finish.
`,
    )
    .action(async (name: string | undefined, dir: string | undefined, options: CloneFlags) => {
      if (options.missing) {
        if (name !== undefined)
          throw new UsageError('--missing clones every missing project: give it no NAME');
        if (options.name !== undefined) throw new UsageError('--name and --missing do not mix');
        return (await import('./missing.js')).runCloneMissing(ctx, options);
      }
      for (const [key, flag] of MISSING_ONLY)
        if (options[key] !== undefined) throw new UsageError(`${flag} needs --missing`);
      if (name === undefined)
        throw new UsageError(
          'give the NAME of a project to clone (see `dev-infra list --remote-only`), or --missing for all',
        );
      return (await import('./run.js')).runClone(ctx, name, dir, options);
    });
}
