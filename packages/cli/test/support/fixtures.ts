/** Sample registry records for tests. */
import type { LocalProject } from '../../src/registry/format.js';

/** A valid local project; `over` replaces any fields. */
export function sampleProject(over: Partial<LocalProject> = {}): LocalProject {
  return {
    id: '6a1f0000-0000-4000-8000-000000000001',
    name: 'api',
    path: '/nowhere/api',
    remote_url: null,
    description: null,
    tags: [],
    project_type: null,
    status: 'active',
    classification: null,
    organization: null,
    template: null,
    template_version: null,
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: '2024-01-01T00:00:00.000Z',
    ...over,
  };
}
