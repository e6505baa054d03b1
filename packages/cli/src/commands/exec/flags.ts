/** `dev-infra exec`: its arguments, flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { jobsFlag, repeatable, statusFlag, typeFlag } from '../../flags.js';
import { examples } from '../help.js';

export function registerExec(program: Command, ctx: Context): void {
  const exec = program.command('exec');
  // `exec git status -s` reads `-s` as exec's own flag: say where the command's flags go.
  const inherited = exec.configureOutput();
  exec.configureOutput({
    ...inherited,
    outputError: (text, write) =>
      inherited.outputError?.(
        text.startsWith('error: unknown option')
          ? `${text.trimEnd()} (put the command after --: dev-infra exec -- CMD ARGS...)\n`
          : text,
        write,
      ),
  });
  exec
    .description("run a command in each of this machine's project folders (no shell)")
    .argument('<command...>', 'the command and its arguments, after `--`')
    .option('--tag <tag>', 'only projects with this tag (repeatable: all must match)', repeatable)
    .option('--type <type>', 'only projects of this type', typeFlag)
    .option('--status <status>', 'only projects with this status', statusFlag)
    .option('--dirty', 'only projects whose git working tree has changes')
    .option('--jobs <n>', 'how many projects run at once (default 4)', jobsFlag)
    .option('--stream', "print lines as they come, each prefixed with its project's name")
    .option('--json', 'print an array of {name, path, exit_code, stdout, stderr, skipped, error}')
    .addHelpText(
      'after',
      `${examples(
        'exec -- git status --short',
        'exec --tag go --jobs 8 -- go test ./...',
        'exec --dirty --stream -- git diff --stat',
        "exec -- sh -c 'git log -1 --format=%s | cut -c1-60'",
      )}
The command runs without a shell: write \`sh -c '...'\` for pipes, globs or $VARIABLES. It gets
no stdin. A project whose folder is missing is skipped (not a failure). Exit 1 if any failed.
`,
    )
    .action(async (command: string[], options) => {
      // Both write to stdout; mixing lines into JSON would leave neither readable.
      if (options.stream && options.json) throw new UsageError('--stream and --json do not mix');
      return (await import('./run.js')).runExec(ctx, command, options);
    });
}
