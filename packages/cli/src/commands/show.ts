/** `dev-infra show <NAME>`: one project's fields. */
import { colourEnabled, palette } from '../output/colour.js';
import { printJson } from '../output/json.js';
import { isMissing, projectJson, renderProjectDetails } from '../output/project-view.js';
import { writeOut } from '../output/stdout.js';
import { requireByName } from '../registry/lookup.js';
import { resolvePaths } from '../registry/paths.js';
import { loadRegistry } from '../registry/read.js';

/** Runs `show`. */
export function runShow(name: string, options: { json?: boolean }): void {
  const { registry } = loadRegistry(resolvePaths().registryFile);
  const project = requireByName(registry, name);
  const missing = isMissing(project);
  if (options.json) printJson(projectJson(project, missing));
  else writeOut(renderProjectDetails({ project, missing }, palette(colourEnabled())));
}
