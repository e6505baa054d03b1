/** `dev-infra list`: this machine's projects. Reads the registry only: no git, no network. */
import type { ProjectStatus } from '@dev-infra/core';
import type { Context } from '../../context.js';
import { palette } from '../../output/colour.js';
import { printJson } from '../../output/json.js';
import { byName } from '../../output/order.js';
import {
  isMissing,
  type ProjectRow,
  projectJson,
  renderProjectTable,
  renderProjectTsv,
} from '../../output/project-view.js';
import { loadRegistry } from '../../registry/read.js';

export interface ListOptions {
  tag?: string[];
  status?: ProjectStatus;
  json?: boolean;
}

export function runList(ctx: Context, options: ListOptions): void {
  const { registry } = loadRegistry(ctx.paths.registryFile);
  const tags = (options.tag ?? []).map((t) => t.trim()).filter(Boolean);
  const rows: ProjectRow[] = registry.projects
    .filter((p) => !options.status || p.status === options.status)
    .filter((p) => tags.every((t) => p.tags.includes(t)))
    .sort(byName)
    .map((project) => ({ project, missing: isMissing(project) }));

  if (options.json) {
    printJson(
      ctx.io,
      rows.map((r) => projectJson(r.project, r.missing)),
    );
    return;
  }
  if (rows.length === 0) {
    // On stderr, so a script reading stdout sees no projects rather than a sentence.
    const filtered = tags.length > 0 || options.status !== undefined;
    ctx.io.err(
      filtered
        ? 'No projects match these filters.\n'
        : 'No projects registered yet: run `dev-infra add` in a project folder, or `dev-infra scan ~/code`.\n',
    );
    return;
  }
  ctx.io.out(
    ctx.io.outIsTTY ? renderProjectTable(rows, palette(ctx.io.colour)) : renderProjectTsv(rows),
  );
}
