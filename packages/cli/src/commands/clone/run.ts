/**
 * `dev-infra clone <NAME> [DIR]`: git-clones a project known from the last pull that has no
 * checkout here, and registers it with the server's uuid and fields (its checkout is sent on
 * the next push).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { redactRemoteUrl } from '@dev-infra/core';
import { cacheFileFor, readCache } from '../../cache/records.js';
import { configValue, readConfig } from '../../config/file.js';
import type { Context } from '../../context.js';
import { UserError } from '../../errors.js';
import { shortenPath } from '../../output/paths.js';
import { findByName, registrationConflict } from '../../registry/lookup.js';
import { resolveFolder } from '../../registry/new-project.js';
import { registerClone } from '../../registry/operations.js';
import { loadRegistry } from '../../registry/read.js';
import { mutateRegistry } from '../../registry/store.js';
import { registrySync } from '../../sync/state.js';

function cloneRoot(configFile: string): string {
  const root = configValue(readConfig(configFile), 'clone_root');
  const value = typeof root === 'string' && root.trim() !== '' ? root.trim() : '~/code';
  return value.startsWith('~') ? join(homedir(), value.slice(1)) : value;
}

export async function runClone(ctx: Context, name: string, dir: string | undefined): Promise<void> {
  const paths = ctx.paths;
  const { registry } = loadRegistry(paths.registryFile);
  const here = findByName(registry, name);
  if (here) throw new UserError(`${name} is already on this machine at ${shortenPath(here.path)}`);
  const server = registrySync(registry)?.server;
  const cache = server ? readCache(cacheFileFor(paths.registryFile), server) : undefined;
  const record = cache?.records.find((r) => !r.deleted && r.fields.name === name);
  if (!record)
    throw new UserError(
      `no project named "${name}" is known from the server; run \`dev-infra sync\`, then \`dev-infra list --remote-only\``,
    );
  const url = record.fields.remote_url;
  if (!url)
    throw new UserError(`${name} has no remote URL on the server, so there is nothing to clone`);
  const target = resolve(ctx.cwd, dir ?? join(cloneRoot(paths.configFile), name));
  if (existsSync(target))
    throw new UserError(
      `${target} already exists; give another folder: dev-infra clone ${name} <DIR>`,
    );

  const git = spawnSync('git', ['clone', '--quiet', url, target], {
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  if (git.error) throw new UserError(`cannot run git: ${git.error.message}`);
  if (git.status !== 0) {
    const said = git.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${git.status}`;
    throw new UserError(`git clone of ${redactRemoteUrl(url)} failed: ${said}`);
  }

  const path = resolveFolder(target);
  const project = await mutateRegistry(paths.registryFile, paths.dataDir, (reg) => {
    const candidate = { id: record.uuid, name: record.fields.name, path };
    const conflict = registrationConflict(reg, candidate);
    if (conflict) throw new UserError(`cloned into ${target}, but cannot register it: ${conflict}`);
    return registerClone(reg, record, path, randomUUID);
  });
  ctx.io.out(
    `Cloned ${name} into ${shortenPath(project.path)} and registered it (id ${project.id}); run \`dev-infra sync\` to tell the server\n`,
  );
}
