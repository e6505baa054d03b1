/** `dev-infra completion`: its argument and help. */
import { Argument, type Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../help.js';

export function registerCompletion(program: Command, ctx: Context): void {
  program
    .command('completion')
    .description('print a shell completion script')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      examples(
        'completion bash > ~/.local/share/bash-completion/completions/dev-infra',
        'completion zsh > ~/.zfunc/_dev-infra   # with fpath+=~/.zfunc in .zshrc',
        'completion fish > ~/.config/fish/completions/dev-infra.fish',
      ),
    )
    .action(async (shell: string) => (await import('./run.js')).runCompletion(ctx, shell, program));
}
