export * from './check.js';
export * from './dashboard.js';
export * from './fields.js';
export * from './project.js';
export * from './sync.js';
