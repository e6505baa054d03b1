#!/usr/bin/env node
// The `dev-infra` entry point, kept tiny because most of `list`'s time budget is Node's own
// start-up. It is bundled as CommonJS (no ES module loader to start) with the `list` code
// inside, and requires list-all.js (CommonJS too) for a plain `list --all`; both run the same
// `run` functions as the full command line, with the same context. Every other command loads
// cli.js, which brings commander and the command tree.
import { runList } from './commands/list/run.js';
import { processContext } from './context.js';
import { reportError } from './errors.js';

const args = process.argv.slice(2);
const isList = args[0] === 'list' || args[0] === 'ls';
const flags = args.slice(1);

if (isList && flags.every((a) => a === '--json')) {
  // No remote: `list` never talks to the network.
  const ctx = processContext();
  try {
    runList(ctx, { json: flags.length > 0 });
  } catch (error) {
    ctx.exitCode = reportError(error, false, ctx.io);
  }
} else if (
  isList &&
  flags.length > 0 &&
  flags.every((a) => a === '--all' || a === '--remote-only')
) {
  const ctx = processContext();
  try {
    const { runListAll } = require('./list-all.js') as typeof import('./commands/list/run-all.js');
    runListAll(ctx, { remoteOnly: flags.includes('--remote-only') });
  } catch (error) {
    ctx.exitCode = reportError(error, false, ctx.io);
  }
} else {
  // Stack traces then point at src/ (the maps sit beside the bundles in a source checkout).
  if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
  import('./cli.js')
    .then((cli) => cli.main(process.argv))
    .catch((error: unknown) => {
      process.exitCode = reportError(error, process.argv.includes('--debug'), processContext().io);
    });
}
