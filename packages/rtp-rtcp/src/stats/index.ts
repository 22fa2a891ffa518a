export { NTP_UNIX_OFFSET_SECONDS, ntpFromUnixMs, ntpMiddle32, unixMsFromNtp } from './ntp.js';
export { ReceiverStats, type ReceiverStatsOptions } from './receiver-stats.js';
export { roundTripTimeMs } from './rtt.js';
export { type SenderInfo, SenderStats, type SenderStatsOptions } from './sender-stats.js';
