export * from './gatherer.js';
export * from './host-addresses.js';
export * from './ice-servers.js';
export * from './port-range.js';
export * from './srflx-gatherer.js';
