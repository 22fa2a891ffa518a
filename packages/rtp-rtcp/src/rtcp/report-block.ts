/** An RTCP reception report block (RFC 3550 §6.4.1), shared by SR, RR and receiver statistics. */
export interface ReportBlock {
  /** SSRC of the source this block reports on. */
  ssrc: number;
  /** Fraction of packets lost since the last report, as an 8-bit fixed-point number (0-255). */
  fractionLost: number;
  /** Cumulative number of packets lost: a signed 24-bit value (-8388608..8388607). */
  packetsLost: number;
  /** Extended highest sequence number received: cycles << 16 | highest sequence number. */
  highestSequence: number;
  /** Interarrival jitter, in RTP timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR received from the source (0 if none). */
  lastSenderReport: number;
  /** Delay since that SR, in units of 1/65536 s (0 if none). */
  delaySinceLastSenderReport: number;
}
