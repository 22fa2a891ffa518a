export * from './av1.js';
export * from './frame-assembler.js';
export * from './g711.js';
export * from './h264.js';
export * from './opus.js';
export * from './types.js';
export * from './vp8.js';
export * from './vp9.js';
