export * from './candidate.js';
export * from './checklist.js';
export * from './errors.js';
export * from './gather/host-addresses.js';
export * from './gather/port-range.js';
export * from './mux/index.js';
export * from './pair.js';
