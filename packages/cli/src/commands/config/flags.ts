/** `dev-infra config list|get|set|unset`: arguments, flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../help.js';

export function registerConfig(program: Command, ctx: Context): void {
  const config = program
    .command('config')
    .description("read and change this machine's settings")
    .addHelpText(
      'after',
      examples('config list', 'config get machine.name', 'config set clone_root ~/code'),
    );
  config
    .command('list')
    .description('show every setting')
    .option('--json', 'print the settings as JSON')
    .action(async (options) => (await import('./run.js')).runConfigList(ctx, options));
  config
    .command('get')
    .description('print one setting')
    .argument('<key>', 'setting name (see config list)')
    .addHelpText('after', examples('config get machine.name'))
    .action(async (key: string) => (await import('./run.js')).runConfigGet(ctx, key));
  config
    .command('set')
    .description('change one setting')
    .argument('<key>', 'setting name (see config list)')
    .argument('<value>', 'new value')
    .addHelpText('after', examples('config set machine.name work-laptop'))
    .action(async (key: string, value: string) =>
      (await import('./run.js')).runConfigSet(ctx, key, value),
    );
  config
    .command('unset')
    .description('return one setting to its default')
    .argument('<key>', 'setting name (see config list)')
    .addHelpText('after', examples('config unset clone_root'))
    .action(async (key: string) => (await import('./run.js')).runConfigUnset(ctx, key));
}
