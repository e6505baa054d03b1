/** `dev-infra init [PATH]`: gives a folder a `.dev-infra.yml` (never overwriting), registers it. */
import { randomUUID } from 'node:crypto';
import { basename, resolve } from 'node:path';
import type { Context } from '../../context.js';
import { UserError } from '../../errors.js';
import { fillProjectFile, PROJECT_FILE_NAME, readProjectFile } from '../../project-file.js';
import { registrationConflict } from '../../registry/lookup.js';
import { resolveFolder } from '../../registry/new-project.js';
import { loadRegistry } from '../../registry/read.js';
import { type AddOptions, registeredLine, registerFolder } from '../add/run.js';

export interface InitOptions extends AddOptions {
  template?: string;
  templateVersion?: string;
}

export async function runInit(ctx: Context, path: string, options: InitOptions): Promise<void> {
  const dir = resolveFolder(resolve(ctx.cwd, path));
  // Refuse before writing the file when registering would fail anyway.
  const before = readProjectFile(dir);
  const { registry } = loadRegistry(ctx.paths.registryFile);
  const hint = options.name ? '' : '; choose another name with --name';
  const candidate = { id: before?.id ?? '', name: options.name ?? basename(dir), path: dir };
  const conflict = registrationConflict(registry, candidate, hint);
  if (conflict) throw new UserError(conflict);

  const added = fillProjectFile(dir, {
    id: randomUUID(),
    created: ctx.now().toISOString(),
    ...(options.template ? { template: options.template } : {}),
    ...(options.templateVersion ? { template_version: options.templateVersion } : {}),
  });
  if (before === null) ctx.io.out(`Wrote ${PROJECT_FILE_NAME} (${added.join(', ')})\n`);
  else if (added.length > 0)
    ctx.io.out(`Added ${added.join(', ')} to ${PROJECT_FILE_NAME}; kept its other values\n`);
  else ctx.io.out(`Kept the existing ${PROJECT_FILE_NAME} as it is\n`);

  const project = await registerFolder(ctx, dir, options);
  ctx.io.out(registeredLine(project));
}
