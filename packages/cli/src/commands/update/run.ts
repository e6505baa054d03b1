/** `dev-infra update <NAME>`: changes a project's fields. */
import {
  type EditableFieldName,
  normaliseTags,
  type ProjectStatus,
  type ProjectType,
} from '@dev-infra/core';
import type { Context } from '../../context.js';
import { UsageError, UserError } from '../../errors.js';
import { findByName, requireByName } from '../../registry/lookup.js';
import { recordEdits } from '../../registry/operations.js';
import { mutateRegistry } from '../../registry/store.js';
import { sharedFields } from '../../sync/state.js';

export interface UpdateOptions {
  name?: string;
  description?: string;
  tag?: string[];
  untag?: string[];
  type?: ProjectType;
  status?: ProjectStatus;
}

export async function runUpdate(ctx: Context, name: string, options: UpdateOptions): Promise<void> {
  const given = Object.values(options).some((v) => v !== undefined);
  if (!given)
    throw new UsageError(
      'nothing to update: give at least one of --name, --description, --tag, --untag, --type, --status',
    );
  const paths = ctx.paths;
  const changed = await mutateRegistry(paths.registryFile, paths.dataDir, (registry) => {
    const project = requireByName(registry, name);
    const before = JSON.stringify(project);
    const fieldsBefore = sharedFields(project);
    if (options.name !== undefined && options.name !== project.name) {
      const taken = findByName(registry, options.name);
      if (taken) throw new UserError(`the name "${options.name}" is already used by ${taken.path}`);
      project.name = options.name;
    }
    if (options.description !== undefined)
      project.description = options.description.trim() === '' ? null : options.description;
    if (options.type !== undefined) project.project_type = options.type;
    if (options.status !== undefined) project.status = options.status;
    const untag = new Set(normaliseTags(options.untag ?? []));
    project.tags = normaliseTags([...project.tags, ...(options.tag ?? [])]).filter(
      (t) => !untag.has(t),
    );
    // Setting a field, even to the value it has, is an edit that linking must keep.
    const named: EditableFieldName[] = [
      ...(options.description !== undefined ? (['description'] as const) : []),
      ...(options.type !== undefined ? (['project_type'] as const) : []),
      ...(options.status !== undefined ? (['status'] as const) : []),
    ];
    recordEdits(project, fieldsBefore, named);
    if (JSON.stringify(project) === before) return false;
    project.updated_at = ctx.now().toISOString();
    return true;
  });
  const shownName = options.name ?? name;
  ctx.io.out(changed ? `Updated ${shownName}\n` : `${shownName} already had these values\n`);
}
