/**
 * `dev-infra refresh`: collects the git state of this machine's projects and stores it in the
 * registry, without the network (the next sync sends what changed). Runs even when
 * `git.state` is false: asking for it is the point.
 */
import type { Context } from '../../context.js';
import { collectInto, gitSettings } from '../../git/collect.js';
import { printJson } from '../../output/json.js';
import { counted } from '../../output/plural.js';
import { withLock } from '../../registry/lock.js';
import { loadRegistry } from '../../registry/read.js';
import { writeRegistry } from '../../registry/store.js';

export interface RefreshOptions {
  json?: boolean;
}

export async function runRefresh(ctx: Context, options: RefreshOptions): Promise<void> {
  const settings = { ...gitSettings(ctx.paths.configFile), enabled: true };
  const file = ctx.paths.registryFile;
  const summary = await withLock(file, async () => {
    const { registry, exists } = loadRegistry(file);
    const found = await collectInto(
      registry.projects,
      settings,
      () => ctx.now().toISOString(),
      ctx.env,
    );
    if (exists) await writeRegistry(file, registry);
    return { projects: registry.projects.length, ...found };
  });
  if (options.json) {
    printJson(ctx.io, {
      projects: summary.projects,
      repositories: summary.repositories,
      work_in_progress: summary.wip,
      unknown: summary.unknown,
      missing: summary.missing,
    });
    return;
  }
  const parts = [`${summary.wip} with work in progress`];
  if (summary.unknown > 0) parts.push(`${summary.unknown} unknown`);
  if (summary.missing > 0) parts.push(`${summary.missing} missing`);
  const notGit = summary.projects - summary.repositories - summary.missing;
  if (notGit > 0) parts.push(`${notGit} not git`);
  ctx.io.out(`refreshed ${counted(summary.projects, 'project')}: ${parts.join(', ')}\n`);
}
