/**
 * A project's own `.dev-infra.yml` (tracked in git, so a clone elsewhere carries the id):
 * `id`, `template`, `version` (the template version; `template_version` is accepted too)
 * and `created`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { oneLine, UserError } from './errors.js';

export const PROJECT_FILE_NAME = '.dev-infra.yml';

/** The values a project file may hold (all optional). */
export interface ProjectFileValues {
  id?: string;
  template?: string;
  template_version?: string;
  created?: string;
}

/** Path of the project file in `dir`. */
export function projectFilePath(dir: string): string {
  return join(dir, PROJECT_FILE_NAME);
}

/** True when `dir` has a project file. */
export function hasProjectFile(dir: string): boolean {
  return existsSync(projectFilePath(dir));
}

function scalar(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value.toISOString();
  const text = String(value).trim();
  return text.length > 0 ? text : undefined;
}

/** Reads `dir`'s project file; null when there is none; a UserError when it is not valid. */
export function readProjectFile(dir: string): ProjectFileValues | null {
  const file = projectFilePath(dir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UserError(`cannot read ${file}: ${oneLine(error)}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    throw new UserError(`${file} is not valid YAML (${oneLine(doc.errors[0])}); fix it by hand`);
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data))
    throw new UserError(`${file} must be a YAML mapping (key: value lines); fix it by hand`);
  const map = data as Record<string, unknown>;
  const values: ProjectFileValues = {};
  const id = scalar(map.id);
  const template = scalar(map.template);
  const version = scalar(map.version) ?? scalar(map.template_version);
  const created = scalar(map.created);
  if (id) values.id = id;
  if (template) values.template = template;
  if (version) values.template_version = version;
  if (created) values.created = created;
  return values;
}

/**
 * Writes the given values into `dir`'s project file, adding only keys it lacks: an existing
 * value (and the file's comments) is never changed. Returns the keys it added.
 */
export function fillProjectFile(dir: string, values: ProjectFileValues): string[] {
  const file = projectFilePath(dir);
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const doc = parseDocument(existing);
  if (doc.errors.length > 0)
    throw new UserError(`${file} is not valid YAML (${oneLine(doc.errors[0])}); fix it by hand`);
  if (doc.contents !== null && !isMap(doc.contents))
    throw new UserError(`${file} must be a YAML mapping (key: value lines); fix it by hand`);
  const present = readProjectFile(dir) ?? {};
  const wanted: [string, keyof ProjectFileValues][] = [
    ['id', 'id'],
    ['template', 'template'],
    ['version', 'template_version'],
    ['created', 'created'],
  ];
  const added: string[] = [];
  for (const [key, field] of wanted) {
    const value = values[field];
    if (value === undefined || present[field] !== undefined) continue;
    doc.set(key, value);
    added.push(key);
  }
  if (added.length > 0) writeFileSync(file, doc.toString());
  return added;
}
