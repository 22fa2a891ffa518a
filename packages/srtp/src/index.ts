export * from './context.js';
export * from './counters.js';
export * from './errors.js';
export * from './index-estimation.js';
export * from './key-derivation.js';
export * from './keying-material.js';
export * from './profiles.js';
export { MAX_REPLAY_WINDOW, MIN_REPLAY_WINDOW } from './replay-window.js';
