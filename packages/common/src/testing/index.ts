/**
 * `@typertc/common/testing`: what tests across the packages share — the in-memory network,
 * the seeded PRNG, the mutation fuzzer and the test-vector loader. Not for production code.
 */

export * from './chromium.js';
export * from './fuzz.js';
export * from './net/index.js';
export * from './random.js';
export * from './vectors.js';
