export * from './demux.js';
export * from './errors.js';
export * from './ice-transport.js';
export type { IceLocalCandidateStats, IceTransportStats } from './ice-transport-stats.js';
