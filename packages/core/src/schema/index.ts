export * from './check.js';
export * from './dashboard.js';
export * from './fields.js';
export * from './plain-checks.js';
export * from './plain-checks-spec.js';
export * from './project.js';
export * from './registry.js';
export * from './sync.js';
