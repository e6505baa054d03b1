/**
 * The command tree. Each command's flags and help sit in commands/<name>/flags.ts, which
 * imports the command's run code only when that command runs, so start-up loads just this
 * file, the flags files and commander. To add a command, add a folder under commands/ and
 * one line here.
 */
import { Command } from 'commander';
import { registerAdd } from './commands/add/flags.js';
import { registerClone } from './commands/clone/flags.js';
import { registerCompletion } from './commands/completion/flags.js';
import { registerConfig } from './commands/config/flags.js';
import { registerDoctor } from './commands/doctor/flags.js';
import { examples } from './commands/help.js';
import { registerInit } from './commands/init/flags.js';
import { registerList } from './commands/list/flags.js';
import { registerMachines } from './commands/machines/flags.js';
import { registerMove } from './commands/move/flags.js';
import { registerRemote } from './commands/remote/flags.js';
import { registerRemove } from './commands/remove/flags.js';
import { registerScan } from './commands/scan/flags.js';
import { registerShow } from './commands/show/flags.js';
import { registerStatus } from './commands/status/flags.js';
import { registerSync } from './commands/sync/flags.js';
import { registerUpdate } from './commands/update/flags.js';
import type { Context } from './context.js';

declare const __VERSION__: string;

/** The whole command tree, its actions running against `ctx` and its output going to ctx.io. */
export function buildProgram(ctx: Context): Command {
  const program = new Command('dev-infra')
    .description(
      "Keep a registry of this machine's projects, and sync it across machines via work-prod.",
    )
    .version(typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev', '-V, --version')
    .option('--debug', 'show the stack trace when something fails')
    // Set before the subcommands are added: they copy these settings when created.
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (text) => ctx.io.out(text),
      writeErr: (text) => ctx.io.err(text),
      // Keep every error on one line: commander puts its "(Did you mean …?)" on a second, and
      // echoes a bad value's own line breaks.
      outputError: (text, write) => write(`${text.trimEnd().replace(/\s*\n\s*/g, ' ')}\n`),
    })
    .addHelpText(
      'after',
      `${examples('add ~/code/api --tag go --type work', 'list', 'show api --json')}
Files: config.yml and registry.json in $DEV_INFRA_HOME, or in $XDG_CONFIG_HOME/dev-infra and
$XDG_DATA_HOME/dev-infra. Exit codes: 0 ok, 1 failure, 2 usage error.
`,
    );

  registerAdd(program, ctx);
  registerInit(program, ctx);
  registerRemove(program, ctx);
  registerUpdate(program, ctx);
  registerMove(program, ctx);
  registerShow(program, ctx);
  registerList(program, ctx);
  registerScan(program, ctx);
  registerConfig(program, ctx);
  registerRemote(program, ctx);
  registerSync(program, ctx);
  registerStatus(program, ctx);
  registerClone(program, ctx);
  registerMachines(program, ctx);
  registerDoctor(program, ctx);
  registerCompletion(program, ctx);
  return program;
}
