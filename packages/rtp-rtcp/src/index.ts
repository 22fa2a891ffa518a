export * from './codecs/index.js';
export * from './containers/index.js';
export * from './errors.js';
export * from './rtcp/index.js';
export * from './rtp/index.js';
export * from './stats/index.js';
