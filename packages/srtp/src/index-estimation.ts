/**
 * SRTP packet index estimation (RFC 3711 §3.3.1 and Appendix A): the 48-bit index is
 * ROC * 2^16 + SEQ, and a receiver guesses the ROC a packet was sent with from its own ROC and
 * the highest sequence number s_l it has seen, taking the candidate — ROC - 1, ROC or ROC + 1 —
 * whose index lies closest to ROC * 2^16 + s_l. Consequently a packet more than 2^15 ahead is
 * taken for an old one (it then fails the replay or authentication check): Appendix A's rule.
 */

/**
 * The rollover counter value `seq` was most likely sent with (Appendix A's `v`), given the
 * stream's `roc` and highest sequence number `highestSeq`. May be -1 (from ROC 0: senders and
 * receivers alike then use ROC 0, as libsrtp does) or `roc + 1` (the sequence number wrapped).
 */
export function estimateRolloverCounter(roc: number, highestSeq: number, seq: number): number {
  if (highestSeq < 0x8000) return seq - highestSeq > 0x8000 ? roc - 1 : roc;
  return highestSeq - 0x8000 > seq ? roc + 1 : roc;
}

/** The largest 48-bit SRTP packet index (RFC 3711 §3.2.1). */
export const MAX_SRTP_INDEX = 2 ** 48 - 1;
/** The largest SRTCP index (31 bits, RFC 3711 §3.4). */
export const MAX_SRTCP_INDEX = 0x7fff_ffff;
