export * from './demux.js';
export * from './errors.js';
export * from './ice-transport.js';
