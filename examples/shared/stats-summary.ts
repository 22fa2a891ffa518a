/**
 * What the examples' stats panels show, from a getStats() report (webrtc-stats names, so the
 * same code reads a browser's report and TypeRTC's): bitrate in and out since the previous
 * summary, packets lost, and the round-trip time. No imports: the compiled file is served to
 * the browser pages as it is (`/shared/stats-summary.js`).
 */

export interface StatsSummary {
  /** When the report was taken, ms. */
  readonly timestamp: number;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  /** kbit/s since the previous summary (0 for the first). */
  readonly receiveKbps: number;
  readonly sendKbps: number;
  /** Lost packets of everything received (inbound-rtp packetsLost). */
  readonly packetsLost: number;
  /** The peer's view of what we sent (remote-inbound-rtp packetsLost). */
  readonly remotePacketsLost: number;
  /** Milliseconds: the selected candidate pair's currentRoundTripTime, else RTCP's. */
  readonly roundTripTimeMs: number | undefined;
}

/** A stats object: its type, and members read by name. */
type StatsEntry = { readonly type: string };

function number(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function summarizeStats(
  report: { forEach(callback: (entry: StatsEntry) => void): void },
  previous?: StatsSummary,
): StatsSummary {
  let timestamp = 0;
  let bytesReceived = 0;
  let bytesSent = 0;
  let packetsLost = 0;
  let remotePacketsLost = 0;
  let pairRtt: number | undefined;
  let rtcpRtt: number | undefined;
  report.forEach((stats) => {
    const entry = stats as StatsEntry & Readonly<Record<string, unknown>>;
    timestamp = Math.max(timestamp, number(entry.timestamp));
    if (entry.type === 'inbound-rtp') {
      bytesReceived += number(entry.bytesReceived);
      packetsLost += number(entry.packetsLost);
    } else if (entry.type === 'outbound-rtp') {
      bytesSent += number(entry.bytesSent);
    } else if (entry.type === 'remote-inbound-rtp') {
      remotePacketsLost += number(entry.packetsLost);
      if (typeof entry.roundTripTime === 'number') rtcpRtt = entry.roundTripTime * 1000;
    } else if (
      entry.type === 'candidate-pair' &&
      (entry.nominated === true || entry.selected === true) &&
      typeof entry.currentRoundTripTime === 'number'
    ) {
      pairRtt = entry.currentRoundTripTime * 1000;
    }
  });
  const seconds = previous === undefined ? 0 : (timestamp - previous.timestamp) / 1000;
  const kbps = (now: number, before: number | undefined) =>
    seconds > 0 && before !== undefined ? Math.max(0, ((now - before) * 8) / 1000 / seconds) : 0;
  return {
    timestamp,
    bytesReceived,
    bytesSent,
    receiveKbps: kbps(bytesReceived, previous?.bytesReceived),
    sendKbps: kbps(bytesSent, previous?.bytesSent),
    packetsLost,
    remotePacketsLost,
    roundTripTimeMs: pairRtt ?? rtcpRtt,
  };
}
