/** What an `SrtpContext` has done and rejected, for stats and for spotting attacks or misconfiguration. */
export interface SrtpCounters {
  rtpProtected: number;
  rtpUnprotected: number;
  rtcpProtected: number;
  rtcpUnprotected: number;
  /** Packets whose tag did not verify (`SrtpAuthError`). */
  authFailures: number;
  /** Packets replayed or older than the window (`SrtpReplayError`). */
  replayRejections: number;
  /** Packets too short or with lying length fields (`SrtpParseError`). */
  parseErrors: number;
  /** Packets of a new SSRC past `maxSsrcs` (`SrtpSsrcLimitError`). */
  ssrcLimitRejections: number;
}

export function zeroCounters(): SrtpCounters {
  return {
    rtpProtected: 0,
    rtpUnprotected: 0,
    rtcpProtected: 0,
    rtcpUnprotected: 0,
    authFailures: 0,
    replayRejections: 0,
    parseErrors: 0,
    ssrcLimitRejections: 0,
  };
}
