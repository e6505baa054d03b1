/** The `--tag`, `--type` and `--status` filters, for local projects and server records alike. */
import type { ProjectStatus, ProjectType } from '@dev-infra/core';

export interface FilterOptions {
  /** Every one must be among the project's tags (blank ones are ignored). */
  tag?: readonly string[];
  type?: ProjectType;
  status?: ProjectStatus;
}

/** The fields a filter looks at. */
export interface Filterable {
  tags: readonly string[];
  project_type: string | null;
  status: string;
}

/** Whether any filter is set (a command then says "no projects match" rather than "none"). */
export function isFiltered(options: FilterOptions): boolean {
  return (
    (options.tag ?? []).some((t) => t.trim() !== '') ||
    options.type !== undefined ||
    options.status !== undefined
  );
}

/** The test a project's fields must pass. */
export function projectFilter(options: FilterOptions): (fields: Filterable) => boolean {
  const tags = (options.tag ?? []).map((t) => t.trim()).filter(Boolean);
  return (f) =>
    (!options.status || f.status === options.status) &&
    (!options.type || f.project_type === options.type) &&
    tags.every((t) => f.tags.includes(t));
}
