// The full command line: commander and the command tree, loaded by bin.ts for every
// command but the fast-path `list`. Prints any failure as one line and sets the exit code.
import { type Context, processContext, type RemoteLoader } from './context.js';
import { reportError } from './errors.js';
import { buildProgram } from './program.js';

// A chunk of its own: local commands never load the remote's code or the YAML parser for it.
const loadRemote: RemoteLoader = async (paths, env) =>
  (await import('./sync/remote-config.js')).remoteFor(paths, env);

/** Parses `argv` (node, script, then the arguments) and runs the command it names. */
export async function main(
  argv: string[],
  ctx: Context = processContext(loadRemote),
): Promise<void> {
  try {
    await buildProgram(ctx).parseAsync(argv);
  } catch (error) {
    ctx.exitCode = reportError(error, argv.includes('--debug'), ctx.io);
  }
}
