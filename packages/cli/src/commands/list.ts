/** `dev-infra list`: this machine's projects. Reads the registry only: no git, no network. */
import type { ProjectStatus } from '@dev-infra/core';
import { colourEnabled, palette } from '../output/colour.js';
import { printJson } from '../output/json.js';
import { byName } from '../output/order.js';
import {
  isMissing,
  type ProjectRow,
  projectJson,
  renderProjectTable,
  renderProjectTsv,
} from '../output/project-view.js';
import { stdoutIsTerminal, writeOut } from '../output/stdout.js';
import { resolvePaths } from '../registry/paths.js';
import { loadRegistry } from '../registry/read.js';

export interface ListOptions {
  tag?: string[];
  status?: ProjectStatus;
  json?: boolean;
}

/** Runs `list`. */
export function runList(options: ListOptions): void {
  const { registry } = loadRegistry(resolvePaths().registryFile);
  const tags = (options.tag ?? []).map((t) => t.trim()).filter(Boolean);
  const rows: ProjectRow[] = registry.projects
    .filter((p) => !options.status || p.status === options.status)
    .filter((p) => tags.every((t) => p.tags.includes(t)))
    .sort(byName)
    .map((project) => ({ project, missing: isMissing(project) }));

  if (options.json) {
    printJson(rows.map((r) => projectJson(r.project, r.missing)));
    return;
  }
  if (rows.length === 0) {
    // On stderr, so a script reading stdout sees no projects rather than a sentence.
    const filtered = tags.length > 0 || options.status !== undefined;
    process.stderr.write(
      filtered
        ? 'No projects match these filters.\n'
        : 'No projects registered yet: run `dev-infra add` in a project folder, or `dev-infra scan ~/code`.\n',
    );
    return;
  }
  writeOut(
    stdoutIsTerminal()
      ? renderProjectTable(rows, palette(colourEnabled()))
      : renderProjectTsv(rows),
  );
}
