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
import { registerExec } from './commands/exec/flags.js';
import { examples } from './commands/help.js';
import { registerHook } from './commands/hook/flags.js';
import { registerInit } from './commands/init/flags.js';
import { registerList } from './commands/list/flags.js';
import { registerMachines } from './commands/machines/flags.js';
import { registerMove } from './commands/move/flags.js';
import { registerPath } from './commands/path/flags.js';
import { registerRefresh } from './commands/refresh/flags.js';
import { registerRemote } from './commands/remote/flags.js';
import { registerRemove } from './commands/remove/flags.js';
import { registerRestore } from './commands/restore/flags.js';
import { registerScan } from './commands/scan/flags.js';
import { registerShow } from './commands/show/flags.js';
import { registerStatus } from './commands/status/flags.js';
import { registerSync } from './commands/sync/flags.js';
import { registerUpdate } from './commands/update/flags.js';
import { registerWip } from './commands/wip/flags.js';
import type { Context } from './context.js';

declare const __VERSION__: string;

/** Edit distance between two words (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(
        row[j]! + 1,
        next[j - 1]! + 1,
        row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    row = next;
  }
  return row[b.length]!;
}

/**
 * An unknown command's error with the nearest command named: commander suggests only close
 * misspellings, and a user who typed `register` or `ls` still wants to know where to look.
 */
function withSuggestion(line: string, program: Command): string {
  const unknown = /^error: unknown command '([^']*)'$/.exec(line);
  if (!unknown) return line;
  const typed = unknown[1]!;
  const names = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  const nearest = names.reduce((best, name) =>
    distance(typed, name) < distance(typed, best) ? name : best,
  );
  return `${line} (the nearest is ${nearest}; see dev-infra --help)`;
}

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
      outputError: (text, write) =>
        write(`${withSuggestion(text.trimEnd().replace(/\s*\n\s*/g, ' '), program)}\n`),
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
  registerRestore(program, ctx);
  registerUpdate(program, ctx);
  registerMove(program, ctx);
  registerShow(program, ctx);
  registerPath(program, ctx);
  registerExec(program, ctx);
  registerList(program, ctx);
  registerScan(program, ctx);
  registerConfig(program, ctx);
  registerRemote(program, ctx);
  registerSync(program, ctx);
  registerStatus(program, ctx);
  registerRefresh(program, ctx);
  registerWip(program, ctx);
  registerClone(program, ctx);
  registerMachines(program, ctx);
  registerDoctor(program, ctx);
  registerCompletion(program, ctx);
  registerHook(program, ctx);
  return program;
}
