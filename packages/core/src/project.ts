/** The project record shared by every machine: its field names, and checks of its values. */
import { normaliseRemoteUrl } from './remote-url.js';
import type { SharedFields } from './schema/fields.js';
import {
  CLASSIFICATIONS,
  type Classification,
  LIMITS,
  PROJECT_STATUSES,
  PROJECT_TYPES,
  type ProjectStatus,
  type ProjectType,
} from './vocabulary.js';

/** The shared field names, in a stable order (used by merge, status and rendering). */
export const SHARED_FIELD_NAMES = [
  'name',
  'description',
  'remote_url',
  'project_type',
  'status',
  'classification',
  'organization',
  'tags',
  'template',
  'template_version',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof SharedFields)[];

export type SharedFieldName = (typeof SHARED_FIELD_NAMES)[number];

/** Fields a user edits; created_at/updated_at are bookkeeping and never conflict. */
export const EDITABLE_FIELD_NAMES = SHARED_FIELD_NAMES.filter(
  (f) => f !== 'created_at' && f !== 'updated_at',
) as Exclude<SharedFieldName, 'created_at' | 'updated_at'>[];

/** True when `value` is one of the allowed project types. */
export function isProjectType(value: unknown): value is ProjectType {
  return typeof value === 'string' && (PROJECT_TYPES as readonly string[]).includes(value);
}

/** True when `value` is one of the allowed statuses. */
export function isProjectStatus(value: unknown): value is ProjectStatus {
  return typeof value === 'string' && (PROJECT_STATUSES as readonly string[]).includes(value);
}

/** True when `value` is one of the allowed classifications. */
export function isClassification(value: unknown): value is Classification {
  return typeof value === 'string' && (CLASSIFICATIONS as readonly string[]).includes(value);
}

/** Accepts a type in any letter case ("work" -> "Work"); undefined when it is not one. */
export function parseProjectType(value: string): ProjectType | undefined {
  const lower = value.trim().toLowerCase();
  return PROJECT_TYPES.find((t) => t.toLowerCase() === lower);
}

/** Accepts a status in any letter case; undefined when it is not one. */
export function parseProjectStatus(value: string): ProjectStatus | undefined {
  const lower = value.trim().toLowerCase();
  return PROJECT_STATUSES.find((s) => s === lower);
}

/** Normalises a tag list: trimmed, no empties, no duplicates, sorted for stable comparison. */
export function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))].sort();
}

/** A problem found by validation: the field and a message fit for a user. */
export interface FieldError {
  field: string;
  message: string;
}

/** Checks a project name: non-empty, within the limit, no control characters or slashes. */
export function validateName(name: string): FieldError | undefined {
  if (name.trim().length === 0) return { field: 'name', message: 'name must not be empty' };
  if (name.length > LIMITS.name)
    return { field: 'name', message: `name is longer than ${LIMITS.name} characters` };
  // C1 controls too: a terminal takes U+009B as the start of an escape sequence.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name))
    return { field: 'name', message: 'name must not contain control characters' };
  if (name.includes('/') || name.includes('\\'))
    return { field: 'name', message: 'name must not contain "/" or "\\"' };
  // A name becomes a folder under clone_root and `path NAME`'s answer: "." and ".." are not names.
  if (name === '.' || name === '..')
    return { field: 'name', message: `name must not be "${name}"` };
  return undefined;
}

/** Validates a whole shared record; returns every problem found (empty when valid). */
export function validateSharedFields(fields: SharedFields): FieldError[] {
  const errors: FieldError[] = [];
  const nameError = validateName(fields.name);
  if (nameError) errors.push(nameError);
  const maxLen = (field: keyof typeof LIMITS, value: string | null) => {
    if (value !== null && value.length > LIMITS[field])
      errors.push({ field, message: `${field} is longer than ${LIMITS[field]} characters` });
  };
  maxLen('description', fields.description);
  maxLen('remote_url', fields.remote_url);
  maxLen('organization', fields.organization);
  maxLen('template', fields.template);
  maxLen('template_version', fields.template_version);
  if (fields.project_type !== null && !isProjectType(fields.project_type))
    errors.push({
      field: 'project_type',
      message: `project_type must be one of ${PROJECT_TYPES.join(', ')}`,
    });
  if (!isProjectStatus(fields.status))
    errors.push({
      field: 'status',
      message: `status must be one of ${PROJECT_STATUSES.join(', ')}`,
    });
  if (fields.classification !== null && !isClassification(fields.classification))
    errors.push({
      field: 'classification',
      message: `classification must be one of ${CLASSIFICATIONS.join(', ')}`,
    });
  if (fields.tags.length > LIMITS.tags)
    errors.push({ field: 'tags', message: `at most ${LIMITS.tags} tags` });
  for (const tag of fields.tags) {
    if (tag.length > LIMITS.tag) {
      errors.push({ field: 'tags', message: `a tag is longer than ${LIMITS.tag} characters` });
      break;
    }
  }
  return errors;
}

/**
 * Compares two values of a shared field: tags as sets, remote URLs by their normalised form
 * (each machine keeps its own git's spelling of the same repository; only a change of
 * repository is a change).
 */
export function fieldEquals(
  field: SharedFieldName,
  a: SharedFields[SharedFieldName],
  b: SharedFields[SharedFieldName],
): boolean {
  if (field === 'tags') {
    const ta = normaliseTags((a as string[] | null) ?? []);
    const tb = normaliseTags((b as string[] | null) ?? []);
    return ta.length === tb.length && ta.every((t, i) => t === tb[i]);
  }
  if (field === 'remote_url' && a && b && typeof a === 'string' && typeof b === 'string') {
    const na = normaliseRemoteUrl(a);
    if (na !== null && na === normaliseRemoteUrl(b)) return true;
  }
  return (a ?? null) === (b ?? null);
}
