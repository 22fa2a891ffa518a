/**
 * The stats selection algorithm (W3C WebRTC 1.0 §8.5): `getStats(selector)` with a sender,
 * receiver or track reports that selector's RTP streams and every object they reference,
 * directly or through others (codec, transport, candidate pair, candidates, certificates).
 */

import { RTCStatsReport } from './stats-report.js';
import type { AnyRTCStats } from './stats-types.js';

const RTP_STREAM_TYPES: ReadonlySet<string> = new Set([
  'inbound-rtp',
  'outbound-rtp',
  'remote-inbound-rtp',
  'remote-outbound-rtp',
]);

/** The part of `report` about the RTP streams of `ssrcs`, with what they reference. */
export function selectStats(report: RTCStatsReport, ssrcs: ReadonlySet<number>): RTCStatsReport {
  const kept = new Set<string>();
  const pending: AnyRTCStats[] = [];
  for (const entry of report.values()) {
    const ssrc = (entry as { ssrc?: number }).ssrc;
    if (RTP_STREAM_TYPES.has(entry.type) && ssrc !== undefined && ssrcs.has(ssrc)) {
      kept.add(entry.id);
      pending.push(entry);
    }
  }
  // Stats object references are members whose value is another object's id (webrtc-stats §5).
  while (pending.length > 0) {
    const entry = pending.pop() as AnyRTCStats;
    for (const [member, value] of Object.entries(entry)) {
      if (member === 'id' || typeof value !== 'string' || kept.has(value)) continue;
      const referenced = report.get(value);
      if (referenced === undefined) continue;
      kept.add(value);
      pending.push(referenced);
    }
  }
  return new RTCStatsReport([...report.values()].filter((entry) => kept.has(entry.id)));
}
