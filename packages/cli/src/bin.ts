#!/usr/bin/env node
// The `dev-infra` entry point. Commander and the command tree load lazily: the commonest
// call, a bare `list` (or `list --json`), runs without them, because most of its time
// budget is Node's own start-up. Every failure becomes one `error: ...` line and an exit
// code (1 failure, 2 usage).
import { reportError } from './errors.js';

const args = process.argv.slice(2);

try {
  if ((args[0] === 'list' || args[0] === 'ls') && args.slice(1).every((a) => a === '--json')) {
    (await import('./commands/list.js')).runList({ json: args.length > 1 });
  } else {
    await (await import('./program.js')).buildProgram().parseAsync(process.argv);
  }
} catch (error) {
  process.exitCode = reportError(error, process.argv.includes('--debug'));
}
