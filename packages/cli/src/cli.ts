// The full command line: commander and the command tree, loaded by bin.ts for every
// command but the bare `list`. Prints any failure as one line and sets the exit code.
import { reportError } from './errors.js';
import { buildProgram } from './program.js';

/** Parses `argv` and runs the command it names. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = reportError(error, argv.includes('--debug'));
  }
}
