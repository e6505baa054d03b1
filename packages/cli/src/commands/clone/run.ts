/**
 * `dev-infra clone <NAME> [DIR]`: git-clones a project known from the last pull that has no
 * checkout here, and registers it with the server's uuid and fields (its checkout is sent on
 * the next push).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { redactRemoteUrl, validateName } from '@dev-infra/core';
import { cacheFileFor, readCache } from '../../cache/records.js';
import { configValue, readConfig } from '../../config/file.js';
import type { Context } from '../../context.js';
import { UserError } from '../../errors.js';
import { shortenPath } from '../../output/paths.js';
import { safeLine, safeLines } from '../../output/safe-text.js';
import {
  ambiguous,
  findByName,
  findLocal,
  recordLabel,
  registrationConflict,
  remoteMatches,
} from '../../registry/lookup.js';
import { resolveFolder } from '../../registry/new-project.js';
import { registerClone } from '../../registry/operations.js';
import { loadRegistry } from '../../registry/read.js';
import { mutateRegistry } from '../../registry/store.js';
import { registrySync } from '../../sync/state.js';

function checkedName(name: string): string {
  const problem = validateName(name);
  if (problem) throw new UserError(`--name: ${problem.message}`);
  return name;
}

function cloneRoot(configFile: string): string {
  const root = configValue(readConfig(configFile), 'clone_root');
  const value = typeof root === 'string' && root.trim() !== '' ? root.trim() : '~/code';
  return value.startsWith('~') ? join(homedir(), value.slice(1)) : value;
}

export async function runClone(
  ctx: Context,
  name: string,
  dir: string | undefined,
  options: { name?: string } = {},
): Promise<void> {
  const rename = options.name === undefined ? undefined : checkedName(options.name);
  const paths = ctx.paths;
  const { registry } = loadRegistry(paths.registryFile);
  const here = findLocal(registry, name, { elsewhere: 'none' });
  const server = registrySync(registry)?.server;
  const cache = server ? readCache(cacheFileFor(paths.registryFile), server) : undefined;
  const records = cache?.records ?? [];
  const found = remoteMatches(registry, records, name);
  if (here && found.length > 0)
    throw ambiguous(name, [
      `${here.name} (here, at ${shortenPath(here.path)})`,
      ...found.map((r) => recordLabel(r, found)),
    ]);
  if (here) throw new UserError(`${name} is already on this machine at ${shortenPath(here.path)}`);
  if (found.length > 1)
    throw ambiguous(
      name,
      found.map((r) => recordLabel(r, found)),
    );
  const record = found[0];
  if (!record)
    throw new UserError(
      `no project named "${name}" is known from the server; run \`dev-infra sync\`, then \`dev-infra list --remote-only\``,
    );
  const localName = rename ?? record.fields.name;
  const taken = findByName(registry, localName);
  if (taken)
    throw new UserError(
      `the name "${localName}" is already used here by ${shortenPath(taken.path)}; clone it under another: dev-infra clone ${name} --name NEW`,
    );
  const url = record.fields.remote_url;
  if (!url)
    throw new UserError(`${name} has no remote URL on the server, so there is nothing to clone`);
  if (url.startsWith('-'))
    throw new UserError(
      `${safeLine(name)} has a remote URL beginning with "-"; refusing to pass it to git`,
    );
  // The name came from the server: a `../x` or `/x` name must not put the clone outside its root.
  const invalid = validateName(localName);
  if (invalid && !rename)
    throw new UserError(
      `the server's name "${safeLine(localName)}" is not valid here (${invalid.message}); clone it under another: dev-infra clone ${safeLine(name)} --name NEW`,
    );
  const root = resolve(ctx.cwd, dir ?? cloneRoot(paths.configFile));
  const target = dir ? root : resolve(root, localName);
  if (
    !dir &&
    (relative(root, target).startsWith('..') ||
      isAbsolute(relative(root, target)) ||
      target === root)
  )
    throw new UserError(
      `refusing to clone "${safeLine(localName)}" outside the clone root ${root}`,
    );
  if (existsSync(target))
    throw new UserError(
      `${target} already exists; give another folder: dev-infra clone ${name} <DIR>`,
    );

  const git = spawnSync('git', ['clone', '--quiet', '--', url, target], {
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  if (git.error) throw new UserError(`cannot run git: ${git.error.message}`);
  if (git.status !== 0) {
    // git's cause is often on its first line ("Could not resolve hostname") and its advice on
    // the last, so all of it is shown, before the one error line.
    const said = safeLines(git.stderr);
    for (const line of said) ctx.io.err(`git: ${line}\n`);
    const cause =
      said.find((line) => !/^(fatal: )?Could not read from remote/.test(line)) ?? said[0];
    throw new UserError(
      `git clone of ${safeLine(redactRemoteUrl(url))} failed (exit ${git.status ?? 'signal'})${cause ? `: ${cause}` : ''}`,
    );
  }

  const path = resolveFolder(target);
  const project = await mutateRegistry(paths.registryFile, paths.dataDir, (reg) => {
    const candidate = { id: record.uuid, name: localName, path };
    const conflict = registrationConflict(reg, candidate);
    if (conflict) throw new UserError(`cloned into ${target}, but cannot register it: ${conflict}`);
    const cloned = registerClone(reg, record, path, randomUUID);
    // A new name is this machine's edit, so the next sync pushes it like any rename.
    if (rename !== undefined) cloned.name = rename;
    return cloned;
  });
  ctx.io.out(
    `Cloned ${safeLine(record.fields.name)}${rename ? ` as ${rename}` : ''} into ${shortenPath(project.path)} and registered it (id ${project.id}); run \`dev-infra sync\` to tell the server\n`,
  );
}
