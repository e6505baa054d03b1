/**
 * Schemas of the dashboard's own routes (sign-in and the dashboard API). Their answers are
 * core's, shared with the dashboard's code; what is here are the requests only the server
 * checks.
 */
import {
  EditConflictSchema,
  LIMITS,
  PROJECT_STATUSES,
  PROJECT_TYPES,
  ProjectPageSchema,
  ProjectsPageSchema,
  SessionResponseSchema,
  SharedFieldsSchema,
  TagListSchema,
  WipResponseSchema,
} from '@dev-infra/core';
import { Type } from 'typebox';
import { DASHBOARD_SORTS } from '../storage/types.js';

export const SignInBody = Type.Object({ key: Type.String({ minLength: 1, maxLength: 500 }) });

export const SessionBody = SessionResponseSchema;

export const DashboardProjectsQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 500 })),
  machine: Type.Optional(Type.String({ maxLength: 200 })),
  tag: Type.Optional(Type.String({ maxLength: LIMITS.tag })),
  status: Type.Optional(Type.Enum(PROJECT_STATUSES)),
  type: Type.Optional(Type.Enum(PROJECT_TYPES)),
  orphan: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
  sort: Type.Optional(Type.Enum(DASHBOARD_SORTS)),
  order: Type.Optional(Type.Enum(['asc', 'desc'])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});

export const DashboardProjectsBody = ProjectsPageSchema;

export const TagsBody = TagListSchema;

export const WipBody = WipResponseSchema;

export const UuidParams = Type.Object({ uuid: Type.String({ maxLength: 100 }) });

export const ProjectPageBody = ProjectPageSchema;

const shared = SharedFieldsSchema.properties;

export const EditBody = Type.Object({
  base_rev: Type.Integer({ minimum: 0 }),
  description: Type.Optional(shared.description),
  tags: Type.Optional(shared.tags),
  project_type: Type.Optional(shared.project_type),
  status: Type.Optional(shared.status),
});

export const EditConflictBody = EditConflictSchema;
