export * from './json.js';
export * from './merge.js';
export * from './project.js';
export * from './protocol.js';
export * from './remote-url.js';
export * from './status.js';
export * from './sync-plan.js';
export * from './sync-state.js';
