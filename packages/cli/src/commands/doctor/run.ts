/** `dev-infra doctor`: checks config, registry, lock and project paths; lists problems and fixes. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { validateName } from '@dev-infra/core';
import { readConfig } from '../../config/file.js';
import type { Context } from '../../context.js';
import { oneLine } from '../../errors.js';
import { palette } from '../../output/colour.js';
import { printJson } from '../../output/json.js';
import { counted } from '../../output/plural.js';
import { safeLine } from '../../output/safe-text.js';
import type { Registry } from '../../registry/format.js';
import { LOCK_STALE_MS, lockPathFor } from '../../registry/lock.js';
import { loadRegistry } from '../../registry/read.js';

/** One thing wrong, and what to do about it. */
export interface Problem {
  check: 'config' | 'registry' | 'lock' | 'temp' | 'path' | 'duplicate' | 'name';
  message: string;
  fix: string;
}

function duplicates(registry: Registry, field: 'name' | 'path' | 'id'): Problem[] {
  const seen = new Map<string, number>();
  for (const p of registry.projects) seen.set(p[field], (seen.get(p[field]) ?? 0) + 1);
  return [...seen]
    .filter(([, count]) => count > 1)
    .map(([value, count]) => ({
      check: 'duplicate' as const,
      message: `${count} projects have the ${field} "${value}"`,
      fix: 'edit the registry file and keep one of them (or rename one in the file)',
    }));
}

/** Runs every check; returns the problems and the lines describing what passed. */
export function diagnose(ctx: Context): { problems: Problem[]; passed: string[] } {
  const paths = ctx.paths;
  const problems: Problem[] = [];
  const passed: string[] = [];

  if (existsSync(paths.configFile)) {
    try {
      readConfig(paths.configFile);
      passed.push(`config ${paths.configFile} reads fine`);
      const mode = statSync(paths.configFile).mode & 0o777;
      if ((mode & 0o077) !== 0)
        problems.push({
          check: 'config',
          message: `${paths.configFile} can be read by other users (mode ${mode.toString(8)})`,
          fix: `chmod 600 ${paths.configFile}`,
        });
    } catch (error) {
      problems.push({
        check: 'config',
        message: oneLine(error),
        fix: `fix ${paths.configFile} by hand or move it aside`,
      });
    }
  } else passed.push(`config ${paths.configFile} not created yet (defaults apply)`);

  const lock = lockPathFor(paths.registryFile);
  if (existsSync(lock)) {
    const age = ctx.now().getTime() - statSync(lock).mtimeMs;
    if (age > LOCK_STALE_MS)
      problems.push({
        check: 'lock',
        message: `stale lock ${lock}, left by a dev-infra command that was killed`,
        fix: `rmdir ${lock} (the next write also takes it over by itself)`,
      });
    else passed.push(`lock ${lock} is held by a running command`);
  }

  // Temp files of atomic writes that were interrupted (the registry itself stays whole).
  const tempName = new RegExp(`^${basename(paths.registryFile).replace('.', '\\.')}\\.[0-9a-f]+$`);
  const dataDir = dirname(paths.registryFile);
  const temps = existsSync(dataDir) ? readdirSync(dataDir).filter((f) => tempName.test(f)) : [];
  for (const f of temps)
    problems.push({
      check: 'temp',
      message: `leftover temp file ${join(dataDir, f)} from an interrupted write`,
      fix: `rm ${join(dataDir, f)} (the registry itself is whole)`,
    });

  let registry: Registry | undefined;
  try {
    const loaded = loadRegistry(paths.registryFile);
    registry = loaded.registry;
    passed.push(
      loaded.exists
        ? `registry ${paths.registryFile} reads fine (${counted(registry.projects.length, 'project')})`
        : `registry ${paths.registryFile} not created yet`,
    );
  } catch (error) {
    problems.push({
      check: 'registry',
      message: oneLine(error),
      fix: 'repair or move aside the registry file, then run `dev-infra doctor` again',
    });
  }

  if (registry) {
    problems.push(...duplicates(registry, 'id'), ...duplicates(registry, 'name'));
    problems.push(...duplicates(registry, 'path'));
    // A hand-edited name such as `a/b` or `../x` would be refused by add and clone; commands that
    // build a path or a shell line from names must not meet one unnoticed.
    for (const p of registry.projects) {
      const invalid = validateName(p.name);
      if (invalid)
        problems.push({
          check: 'name',
          message: `the project at ${p.path} has the name "${p.name}", which is not valid: ${invalid.message}`,
          fix: `\`dev-infra update ${p.id} --name NEW\` (or edit the registry file)`,
        });
    }
    let missing = 0;
    for (const p of registry.projects) {
      if (existsSync(p.path)) continue;
      missing++;
      problems.push({
        check: 'path',
        message: `${p.name}: folder ${p.path} not found`,
        fix: `\`dev-infra remove ${p.name}\`, or if it moved: \`dev-infra remove ${p.name} && dev-infra add <new path> --name ${p.name}\``,
      });
    }
    if (missing === 0 && registry.projects.length > 0) passed.push('every project folder exists');
  }
  return { problems, passed };
}

/** Runs `doctor`: exit 1 when anything is wrong. */
export function runDoctor(ctx: Context, options: { json?: boolean }): void {
  const { problems, passed } = diagnose(ctx);
  if (options.json) {
    printJson(ctx.io, { ok: problems.length === 0, problems });
  } else {
    const c = palette(ctx.io.colour);
    for (const line of passed) ctx.io.out(`${c.green('ok')}       ${line}\n`);
    // Names and paths come from a file anyone may have edited: escaped, like every listing.
    for (const p of problems)
      ctx.io.out(`${c.red('problem')}  ${safeLine(p.message)}\n         fix: ${safeLine(p.fix)}\n`);
    ctx.io.out(
      problems.length === 0
        ? 'No problems found.\n'
        : `${problems.length} problem${problems.length === 1 ? '' : 's'} found.\n`,
    );
  }
  if (problems.length > 0) ctx.exitCode = 1;
}
