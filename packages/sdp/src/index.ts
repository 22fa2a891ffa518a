export * from './attributes.js';
export * from './candidate.js';
export * from './codecs.js';
export * from './errors.js';
export * from './fmtp.js';
export * from './helpers.js';
export * from './model.js';
export { parse } from './parse.js';
export { serialize } from './serialize.js';
