export * from './merge.js';
export * from './project.js';
export * from './protocol.js';
export * from './remote-url.js';
export * from './schema/index.js';
export * from './status.js';
