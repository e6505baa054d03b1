/**
 * A project row as records see it and back: the conversions every reader and writer of the
 * projects table shares, so reading a row cannot drift from writing it. No queries here.
 */
import {
  type Checkout,
  normaliseRemoteUrl,
  SHARED_FIELD_NAMES,
  type SharedFields,
  type SyncRecord,
} from '@dev-infra/core';
import type { Selectable } from 'kysely';
import type { ProjectsTable } from './schema.js';
import { readStamps } from './stamp-clock.js';
import type { StoredProject } from './types.js';

export type ProjectRow = Selectable<ProjectsTable>;

/** The columns of the shared fields (what `rowToFields` reads): named as the fields are. */
const FIELD_COLUMNS = SHARED_FIELD_NAMES;
/** The columns a sync record needs: the feed and the push read only these (each column costs). */
export const SYNC_COLUMNS = [
  'id',
  'uuid',
  'rev',
  'seq',
  'deleted',
  'stamps',
  ...FIELD_COLUMNS,
] as const;
type FieldsRow = Pick<ProjectRow, (typeof FIELD_COLUMNS)[number]>;
export type SyncRow = Pick<ProjectRow, (typeof SYNC_COLUMNS)[number]>;

export function rowToFields(row: FieldsRow): SharedFields {
  return {
    name: row.name,
    description: row.description,
    remote_url: row.remote_url,
    project_type: row.project_type as SharedFields['project_type'],
    status: row.status as SharedFields['status'],
    classification: row.classification as SharedFields['classification'],
    organization: row.organization,
    tags: JSON.parse(row.tags) as string[],
    template: row.template,
    template_version: row.template_version,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The columns of `fields`, with the normalised remote the import's duplicate check reads. */
export function fieldsToRow(fields: SharedFields) {
  return {
    name: fields.name,
    description: fields.description,
    remote_url: fields.remote_url,
    remote_key: normaliseRemoteUrl(fields.remote_url),
    project_type: fields.project_type,
    status: fields.status,
    classification: fields.classification,
    organization: fields.organization,
    tags: JSON.stringify(fields.tags),
    template: fields.template,
    template_version: fields.template_version,
    created_at: fields.created_at,
    updated_at: fields.updated_at,
  };
}

export function toStored(row: ProjectRow, checkouts: Checkout[]): StoredProject {
  return {
    id: Number(row.id),
    uuid: row.uuid,
    rev: Number(row.rev),
    seq: Number(row.seq),
    deleted: row.deleted === 1,
    fields: rowToFields(row),
    path: row.path,
    checkouts,
  };
}

export function toSyncRecord(row: SyncRow, checkouts: Checkout[]): SyncRecord {
  const record: SyncRecord = {
    uuid: row.uuid,
    rev: Number(row.rev),
    seq: Number(row.seq),
    deleted: row.deleted === 1,
    fields: rowToFields(row),
    checkouts,
  };
  const stamps = readStamps(row.stamps);
  if (stamps) record.stamps = stamps;
  return record;
}

/**
 * A LIKE pattern matching `search` as a plain, case-insensitive substring (wildcards escaped).
 * Both backends need the escape character named in the query (`escape '\'`): SQLite has none
 * by default.
 */
export function likePattern(search: string): string {
  return `%${escapeLike(search.toLowerCase())}%`;
}

/** `text` with LIKE's wildcards and its escape character escaped. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
