export * from './extension-access.js';
export * from './extension-codecs.js';
export * from './extension-uris.js';
export * from './header-extensions.js';
export * from './header-length.js';
export { allocateOutput } from './output-slab.js';
export * from './packet.js';
export * from './sequence.js';
