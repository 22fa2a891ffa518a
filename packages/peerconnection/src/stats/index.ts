export { buildStatsReport } from './build-report.js';
export { RTCStatsReport } from './stats-report.js';
export type {
  CertificateStatsSource,
  DataChannelStatsSource,
  DataChannelsStatsSource,
  DtlsStatsSource,
  IceStatsSource,
  InboundStreamStatsSource,
  MediaStatsSource,
  OutboundStreamStatsSource,
  StatsCodec,
  StatsSource,
} from './stats-source.js';
export type * from './stats-types.js';
