/** `dev-infra path <NAME>`: a project's folder, alone on its line, for `cd "$(...)"`. */
import type { Context } from '../../context.js';
import { printJson } from '../../output/json.js';
import { requireByName } from '../../registry/lookup.js';
import { loadRegistry } from '../../registry/read.js';

export function runPath(ctx: Context, name: string, options: { json?: boolean }): void {
  const { registry } = loadRegistry(ctx.paths.registryFile);
  const project = requireByName(registry, name);
  if (options.json) printJson(ctx.io, { name: project.name, path: project.path });
  // The whole path, never shortened with `~`: the shell's `cd` gets it verbatim.
  else ctx.io.out(`${project.path}\n`);
}
