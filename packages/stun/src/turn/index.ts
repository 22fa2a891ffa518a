export * from './turn-client.js';
export * from './turn-errors.js';
export * from './turn-transport.js';
export * from './turn-types.js';
