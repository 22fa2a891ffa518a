export * from './agent/index.js';
export * from './candidate.js';
export * from './checklist.js';
export * from './errors.js';
export * from './gather/index.js';
export * from './mux/index.js';
export * from './node/index.js';
export * from './pair.js';
