/** `dev-infra hook`: its argument, flag and help. */
import { Argument, type Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../help.js';

export function registerHook(program: Command, ctx: Context): void {
  program
    .command('hook')
    .description('print a prompt hook that syncs in the background every sync.frequency')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .option('--cd <name>', 'name of the function that cds to a project', 'dcd')
    .option('--no-cd', 'define no such function')
    .addHelpText(
      'after',
      `${examples(
        'hook bash   # in ~/.bashrc: eval "$(dev-infra hook bash)"',
        'hook zsh    # in ~/.zshrc: eval "$(dev-infra hook zsh)"',
        'hook fish   # in ~/.config/fish/config.fish: dev-infra hook fish | source',
        'hook bash --cd pcd',
        'hook zsh --no-cd',
      )}
At each prompt the hook reads one small file (the time the next sync is due) with shell
builtins; when it is due, it runs \`dev-infra sync --background\`, detached. It also defines
\`dcd NAME\` (cd to a project's folder). \`dev-infra config set sync.frequency off\` stops it.
`,
    )
    .action(async (shell: string, options: { cd: string | false }) =>
      (await import('./run.js')).runHook(ctx, shell, options),
    );
}
