/** Building a new local project record from a folder (its git remote and .dev-infra.yml). */
import { randomUUID } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { ProjectStatus, ProjectType } from '@dev-infra/core';
import { normaliseTags, stripRemoteCredentials, validateName } from '@dev-infra/core';
import { UserError } from '../errors.js';
import { readOriginUrl } from '../git.js';
import { readProjectFile } from '../project-file.js';
import type { LocalProject } from './format.js';

/** What the user gave on the command line (all optional). */
export interface NewProjectOptions {
  name?: string;
  description?: string;
  tags?: string[];
  type?: ProjectType;
  status?: ProjectStatus;
}

/** Resolves `arg` to the real absolute path of an existing folder, or a UserError. */
export function resolveFolder(arg: string): string {
  const abs = resolve(arg);
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    throw new UserError(`${abs} does not exist; give the path of a project folder`);
  }
  if (!isDir) throw new UserError(`${abs} is not a folder; give the path of a project folder`);
  return realpathSync(abs);
}

function isoDate(value: string | undefined, fallback: string): string {
  if (!value) return fallback;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? fallback : date.toISOString();
}

/**
 * The origin URL without a password or an http(s) token: git keeps those in `.git/config`,
 * and the registry names no secret (an ssh `git@` user stays, since it is needed to clone).
 */
function originUrl(dir: string): string | null {
  const url = readOriginUrl(dir);
  return url === null ? null : stripRemoteCredentials(url);
}

/** Reads `dir` (a resolved folder) and returns the record to register. Runs git once. */
export function buildProject(
  dir: string,
  options: NewProjectOptions,
  now = new Date().toISOString(),
): LocalProject {
  const file = readProjectFile(dir);
  const name = options.name ?? basename(dir);
  const problem = validateName(name);
  if (problem)
    throw new UserError(`cannot use "${name}" as the project name: ${problem.message}; use --name`);
  return {
    id: file?.id ?? randomUUID(),
    name,
    path: dir,
    remote_url: originUrl(dir),
    description: options.description ?? null,
    tags: normaliseTags(options.tags ?? []),
    project_type: options.type ?? null,
    status: options.status ?? 'active',
    classification: null,
    organization: null,
    template: file?.template ?? null,
    template_version: file?.template_version ?? null,
    created_at: isoDate(file?.created, now),
    updated_at: now,
  };
}
