/** `dev-infra remote set|show|remove`: arguments, flags and help. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../help.js';

export function registerRemote(program: Command, ctx: Context): void {
  const remote = program
    .command('remote')
    .description('set, show or remove the work-prod server this machine syncs with')
    .addHelpText(
      'after',
      examples(
        'remote set http://127.0.0.1:8080 --key wp_...',
        'remote set http://10.0.0.5:8080 --key wp_... --no-verify',
        'remote show',
        'remote remove',
      ),
    );
  remote
    .command('set')
    .description(
      'use this work-prod, once it answers as work-prod and accepts the key (stored in config.yml, mode 0600)',
    )
    .argument('<url>', 'work-prod base URL')
    .option('--key <key>', 'API key (shown only as a prefix from now on)')
    .option('--no-verify', 'store the URL and key without checking them against the server')
    .action(async (url: string, options) =>
      (await import('./run.js')).runRemoteSet(ctx, url, options),
    );
  remote
    .command('show')
    .description('show the URL, the key prefix and the protocol the server speaks')
    .option('--json', 'print it as JSON')
    .action(async (options) => (await import('./run.js')).runRemoteShow(ctx, options));
  remote
    .command('remove')
    .description('stop syncing (forget the URL and key)')
    .action(async () => (await import('./run.js')).runRemoteRemove(ctx));
}
