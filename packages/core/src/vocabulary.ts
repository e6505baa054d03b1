/**
 * The values an enum field may take and how long a text field may be: the one source for the
 * schemas (schema/fields.ts) and the CLI's own checks (project.ts), kept apart from both so
 * neither has to import the other.
 */
export const PROJECT_TYPES = ['Work', 'Personal', 'Learning', 'Inactive'] as const;
export const PROJECT_STATUSES = ['active', 'paused', 'completed', 'cancelled'] as const;
export const CLASSIFICATIONS = ['primary', 'secondary', 'archive', 'maintenance'] as const;

export type ProjectType = (typeof PROJECT_TYPES)[number];
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];
export type Classification = (typeof CLASSIFICATIONS)[number];

/** Maximum lengths, shared by the CLI's checks and the server's schemas. */
export const LIMITS = {
  name: 200,
  path: 500,
  remote_url: 500,
  organization: 100,
  description: 5000,
  tag: 100,
  tags: 100,
  template: 200,
  template_version: 100,
} as const;
