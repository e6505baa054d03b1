/** `dev-infra show <NAME>`: one project's fields. */
import type { Context } from '../../context.js';
import { palette } from '../../output/colour.js';
import { printJson } from '../../output/json.js';
import { isMissing, projectJson, renderProjectDetails } from '../../output/project-view.js';
import { requireByName } from '../../registry/lookup.js';
import { loadRegistry } from '../../registry/read.js';

export function runShow(ctx: Context, name: string, options: { json?: boolean }): void {
  const { registry } = loadRegistry(ctx.paths.registryFile);
  const project = requireByName(registry, name);
  const missing = isMissing(project);
  if (options.json) printJson(ctx.io, projectJson(project, missing));
  else ctx.io.out(renderProjectDetails({ project, missing }, palette(ctx.io.colour)));
}
