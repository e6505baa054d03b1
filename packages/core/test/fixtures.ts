/** One project's shared fields for core's tests; each test names only what it depends on. */
import type { SharedFields } from '../src/schema/fields.js';

/** A plain active project named `api` (every optional field empty), with `over` on top. */
export function sampleFields(over: Partial<SharedFields> = {}): SharedFields {
  return {
    name: 'api',
    description: null,
    remote_url: null,
    project_type: null,
    status: 'active',
    classification: null,
    organization: null,
    tags: [],
    template: null,
    template_version: null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}
