/**
 * `dev-infra clone <NAME> [DIR]`: git-clones a project known from the last pull that has no
 * checkout here, and registers it with the server's uuid and fields (its checkout is sent on
 * the next push). `clone --missing` (missing.ts) does the same for every such project.
 */
import { resolve } from 'node:path';
import { validateName } from '@dev-infra/core';
import { cacheFileFor, readCache } from '../../cache/records.js';
import type { Context } from '../../context.js';
import { UserError } from '../../errors.js';
import { shortenPath } from '../../output/paths.js';
import { safeLine } from '../../output/safe-text.js';
import { ambiguous, findLocal, recordLabel, remoteMatches } from '../../registry/lookup.js';
import { loadRegistry } from '../../registry/read.js';
import { registrySync } from '../../sync/state.js';
import { type CloneProblem, cloneProject, cloneRoot, planClone } from './clone-project.js';

function checkedName(name: string): string {
  const problem = validateName(name);
  if (problem) throw new UserError(`--name: ${problem.message}`);
  return name;
}

/** Why `clone NAME` refuses, with what to type instead. */
function refusal(problem: CloneProblem, name: string): string {
  switch (problem.kind) {
    case 'name-taken':
      return `the name "${problem.name}" is already used here by ${shortenPath(problem.path)}; clone it under another: dev-infra clone ${name} --name NEW`;
    case 'no-url':
      return `${name} has no remote URL on the server, so there is nothing to clone`;
    case 'dash-url':
      return `${safeLine(name)} has a remote URL beginning with "-"; refusing to pass it to git`;
    case 'invalid-name':
      return `the server's name "${safeLine(problem.name)}" is not valid here (${problem.message}); clone it under another: dev-infra clone ${safeLine(name)} --name NEW`;
    case 'outside-root':
      return `refusing to clone "${safeLine(problem.name)}" outside the clone root ${problem.root}`;
    case 'target-exists':
      return `${problem.target} already exists; give another folder: dev-infra clone ${name} <DIR>`;
  }
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
  const planned = planClone(registry, record, {
    root: resolve(ctx.cwd, cloneRoot(paths.configFile)),
    ...(dir === undefined ? {} : { dir: resolve(ctx.cwd, dir) }),
    ...(rename === undefined ? {} : { rename }),
  });
  if (!planned.ok) throw new UserError(refusal(planned.problem, name));

  const result = await cloneProject(ctx, planned.plan, { interactive: true });
  if (result.kind === 'git-failed') {
    // git's cause is often on its first line and its advice on the last: all of it is shown,
    // before the one error line.
    for (const line of result.lines) ctx.io.err(`git: ${line}\n`);
    throw new UserError(result.message);
  }
  if (result.kind === 'unregistered') throw new UserError(result.message);
  const project = result.project;
  ctx.io.out(
    `Cloned ${safeLine(record.fields.name)}${rename ? ` as ${rename}` : ''} into ${shortenPath(project.path)} and registered it (id ${project.id}); run \`dev-infra sync\` to tell the server\n`,
  );
}
