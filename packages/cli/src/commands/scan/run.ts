/**
 * `dev-infra scan <DIR>`: finds git repositories and `.dev-infra.yml` folders under DIR and
 * registers the new ones. Never descends into node_modules, hidden folders or a found project.
 */
import { type Dirent, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Context } from '../../context.js';
import { oneLine } from '../../errors.js';
import { isGitTopLevel } from '../../git.js';
import { compareText } from '../../output/order.js';
import { shortenPath } from '../../output/paths.js';
import { hasProjectFile } from '../../project-file.js';
import type { LocalProject } from '../../registry/format.js';
import { registrationConflict } from '../../registry/lookup.js';
import { buildProject, resolveFolder } from '../../registry/new-project.js';
import { registerProject } from '../../registry/operations.js';
import { loadRegistry } from '../../registry/read.js';
import { mutateRegistry } from '../../registry/store.js';

export interface ScanOptions {
  depth: number;
  dryRun?: boolean;
}

/** Project folders under `root` (itself included), at most `depth` levels down, sorted. */
export function findProjectFolders(root: string, depth: number): string[] {
  const found: string[] = [];
  const walk = (dir: string, level: number) => {
    if (isGitTopLevel(dir) || hasProjectFile(dir)) {
      found.push(dir);
      return;
    }
    if (level >= depth) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // Unreadable folders (permissions) are not projects we can register.
    }
    for (const entry of entries) {
      // isDirectory() is false for symlinks, so links are not followed (no cycles).
      if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name.startsWith('.'))
        continue;
      walk(join(dir, entry.name), level + 1);
    }
  };
  walk(root, 0);
  return found.sort();
}

interface Skipped {
  path: string;
  reason: string;
}

export async function runScan(ctx: Context, dirArg: string, options: ScanOptions): Promise<void> {
  const root = resolveFolder(resolve(ctx.cwd, dirArg));
  const folders = findProjectFolders(root, options.depth);
  const candidates: LocalProject[] = [];
  const skipped: Skipped[] = [];
  for (const folder of folders) {
    try {
      candidates.push(buildProject(folder, {}, ctx.now().toISOString()));
    } catch (error) {
      skipped.push({ path: folder, reason: oneLine(error) });
    }
  }

  const decide = (registry: ReturnType<typeof loadRegistry>['registry']) => {
    const added: LocalProject[] = [];
    for (const project of candidates) {
      const conflict = registrationConflict(registry, project);
      if (conflict) {
        const reason = conflict.includes('already registered')
          ? conflict.replace(`${project.path} is `, '')
          : `${conflict} (register it with \`dev-infra add ${shortenPath(project.path)} --name <other>\`)`;
        skipped.push({ path: project.path, reason });
        continue;
      }
      registerProject(registry, project);
      added.push(project);
    }
    return added;
  };

  const paths = ctx.paths;
  const added = options.dryRun
    ? decide(loadRegistry(paths.registryFile).registry)
    : await mutateRegistry(paths.registryFile, paths.dataDir, decide);

  const verb = options.dryRun ? 'would add' : 'added';
  for (const p of added) ctx.io.out(`${verb}    ${p.name.padEnd(20)} ${shortenPath(p.path)}\n`);
  for (const s of skipped.sort((a, b) => compareText(a.path, b.path)))
    ctx.io.out(`skipped  ${shortenPath(s.path)}: ${s.reason}\n`);
  const summary = `${options.dryRun ? 'Would add' : 'Added'} ${added.length}, skipped ${skipped.length} (found ${folders.length} under ${shortenPath(root)}${options.dryRun ? '; dry run, nothing changed' : ''}).\n`;
  ctx.io.out(summary);
}
