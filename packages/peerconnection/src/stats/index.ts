export { buildStatsReport } from './build-report.js';
export { RTCStatsReport } from './stats-report.js';
export type {
  CertificateStatsSource,
  DataChannelStatsSource,
  DataChannelsStatsSource,
  DtlsStatsSource,
  IceStatsSource,
  StatsSource,
} from './stats-source.js';
export type * from './stats-types.js';
