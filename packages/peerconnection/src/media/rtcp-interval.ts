/**
 * When to send the next RTCP report (RFC 3550 §6.3.1, the algorithm of Appendix A.7): the
 * deterministic interval from the RTCP bandwidth, the members and the average report size,
 * never under a minimum, then randomized over [0.5, 1.5] of itself and divided by e - 3/2 to
 * make up for the timer reconsideration that randomization brings (§6.3.1 last step).
 *
 * WebRTC peers report about once a second: §6.2 lets a session use a minimum below 5 s (its
 * "reduced minimum", 360 divided by the session bandwidth in kbit/s, in seconds), and
 * libwebrtc uses 1 s for video and 5 s for audio. The caller picks `minIntervalMs`.
 */

export interface RtcpIntervalInput {
  /** Participants in the session, this one included (2 for a peer connection). */
  readonly members: number;
  /** Those that sent RTP since the last two reports. */
  readonly senders: number;
  /** Bytes per second for RTCP: 5% of the session bandwidth (§6.2). */
  readonly rtcpBandwidth: number;
  /** Whether this side sent RTP since the last two reports. */
  readonly weSent: boolean;
  /** The running average size of RTCP packets sent and received, in bytes (§6.3.3). */
  readonly averageRtcpSize: number;
  /** True before the first report: the minimum is halved (§6.2, "initial"). */
  readonly initial: boolean;
  readonly minIntervalMs: number;
}

/** e - 3/2: the compensation for timer reconsideration (RFC 3550 §6.3.1, A.7). */
const COMPENSATION = Math.E - 1.5;
/** The fraction of the RTCP bandwidth that senders share when they are few (§6.2). */
const SENDER_SHARE = 0.25;

/** The deterministic interval Td in milliseconds (RFC 3550 §6.3.1 steps 1-4). */
export function deterministicRtcpInterval(input: RtcpIntervalInput): number {
  const minimum = input.initial ? input.minIntervalMs / 2 : input.minIntervalMs;
  let members = input.members;
  let bandwidth = input.rtcpBandwidth;
  // Senders get a quarter of the bandwidth when they are at most a quarter of the members.
  if (input.senders > 0 && input.senders <= members * SENDER_SHARE) {
    if (input.weSent) {
      bandwidth *= SENDER_SHARE;
      members = input.senders;
    } else {
      bandwidth *= 1 - SENDER_SHARE;
      members -= input.senders;
    }
  }
  const computed = bandwidth > 0 ? ((input.averageRtcpSize * members) / bandwidth) * 1000 : 0;
  return Math.max(minimum, computed);
}

/** The randomized interval T in milliseconds (§6.3.1 steps 5-6); `random` gives [0, 1). */
export function rtcpInterval(input: RtcpIntervalInput, random: () => number = Math.random): number {
  const deterministic = deterministicRtcpInterval(input);
  return (deterministic * (random() + 0.5)) / COMPENSATION;
}
