/**
 * `dev-infra move <NAME> <NEWPATH> [--files]`: the project keeps its id and fields; only this
 * machine's path changes, and the next sync tells the server the checkout moved.
 */
import { existsSync, realpathSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Context } from '../../context.js';
import { UserError } from '../../errors.js';
import { expandHome, shortenPath } from '../../output/paths.js';
import { findByPath, requireByName } from '../../registry/lookup.js';
import { moveProject } from '../../registry/operations.js';
import { mutateRegistry } from '../../registry/store.js';

/** The real path of an existing folder, or a UserError asking to create it. */
function realFolder(path: string): string {
  if (!isFolder(path)) throw new UserError(`${path} does not exist; create it first`);
  return realpathSync(path);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Moves the folder; a move across file systems is left to the user (it would be a copy). */
function moveFiles(from: string, to: string): void {
  if (!isFolder(from)) throw new UserError(`${from} does not exist, so there is nothing to move`);
  try {
    renameSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EXDEV')
      throw new UserError(
        `${to} is on another file system: move the folder yourself, then run dev-infra move without --files`,
      );
    throw new UserError(`cannot move ${from} to ${to}: ${code ?? String(error)}`);
  }
}

export async function runMove(
  ctx: Context,
  name: string,
  newPath: string,
  options: { files?: boolean },
): Promise<void> {
  const paths = ctx.paths;
  const target = resolve(ctx.cwd, expandHome(newPath));
  if (!isAbsolute(target)) throw new UserError(`${newPath} is not an absolute path`);
  const moved = await mutateRegistry(paths.registryFile, paths.dataDir, (registry) => {
    const project = requireByName(registry, name);
    const from = project.path;
    if (options.files) {
      if (existsSync(target))
        throw new UserError(`${target} already exists; --files moves the folder to a new path`);
    } else if (!isFolder(target)) {
      throw new UserError(
        `${target} is not a folder; move the folder first, or let dev-infra move it with --files`,
      );
    }
    // Registered paths are real paths: compare the one the folder will have.
    const real = options.files
      ? join(realFolder(dirname(target)), basename(target))
      : realpathSync(target);
    const holder = findByPath(registry, real);
    if (holder) throw new UserError(`${real} is already registered as "${holder.name}"`);
    if (options.files) moveFiles(from, real);
    moveProject(project, real);
    return { project, from };
  });
  ctx.io.out(
    `Moved ${moved.project.name} from ${shortenPath(moved.from)} to ${shortenPath(moved.project.path)}${options.files ? ' (folder moved)' : ''}; the next sync tells the server\n`,
  );
}
