import { TypeRtcError } from '@typertc/common';
import type { ReportBlock } from '../rtcp/report-block.js';

/** RTP_SEQ_MOD of RFC 3550 A.1: sequence numbers are 16 bits. */
const RTP_SEQ_MOD = 0x1_0000;
/** A value no 16-bit sequence number equals, so `seq === badSeq` is false after init (A.1). */
const NO_BAD_SEQ = RTP_SEQ_MOD + 1;
/** Bounds of the 24-bit signed cumulative loss field (RFC 3550 §6.4.1, A.3). */
const MAX_LOST = 0x7f_ffff;
const MIN_LOST = -0x80_0000;
const MAX_UINT32 = 0xffff_ffff;

export interface ReceiverStatsOptions {
  /** SSRC of the source these statistics describe. */
  ssrc: number;
  /** RTP clock rate of the source in Hz, used to express arrival times in timestamp units (A.8). */
  clockRate: number;
  /** Packets that must arrive in sequence before the source is valid: MIN_SEQUENTIAL (A.1). */
  probation?: number;
  /** Largest forward sequence jump still taken as loss rather than a restart: MAX_DROPOUT. */
  maxDropout?: number;
  /** Largest backward sequence step still taken as reordering or duplication: MAX_MISORDER. */
  maxMisorder?: number;
}

/**
 * Reception statistics of one RTP source (one SSRC), as RFC 3550 Appendix A describes them:
 * sequence validation with probation (A.1), expected and lost packets (A.3) and interarrival
 * jitter (A.8), producing the report blocks of RR and SR packets (§6.4.1).
 *
 * Sans-I/O: it never reads a clock; every time is passed in, in milliseconds on any monotonic
 * time base the caller chooses (the same one for every call).
 */
export class ReceiverStats {
  readonly ssrc: number;
  readonly clockRate: number;
  readonly minSequential: number;
  readonly maxDropout: number;
  readonly maxMisorder: number;

  // A.1 per-source state; `cycleCount` counts wraps (the RFC keeps them shifted by 16 bits).
  private started = false;
  private probation = 0;
  private maxSeq = 0;
  private cycleCount = 0;
  private baseSeq = 0;
  private badSeq = NO_BAD_SEQ;
  private receivedCount = 0;
  private receivedPrior = 0;
  private expectedPrior = 0;

  // A.8 state. The estimate is a double, as in the RFC's primary code: its integer variant (J
  // scaled by 16) buys no speed in JavaScript and its report under-reads by up to one unit.
  private jitterEstimate = 0;
  private transit = 0;
  private hasTransit = false;
  // Arrival times are taken relative to the first packet so that converting them to timestamp
  // units stays far below 2^53 even when the caller passes Unix-epoch milliseconds.
  private arrivalBaseMs = 0;

  // Last SR from this source (§6.4.1 LSR) and when it arrived, for DLSR.
  private lastSrNtpMiddle32 = 0;
  private lastSrArrivalMs = 0;
  private hasSenderReport = false;

  constructor(options: ReceiverStatsOptions) {
    const { ssrc, clockRate, probation = 2, maxDropout = 3000, maxMisorder = 100 } = options;
    if (!Number.isFinite(clockRate) || clockRate <= 0) {
      throw new TypeRtcError(`clockRate must be positive, got ${clockRate}`, 'INVALID_ARGUMENT');
    }
    if (!Number.isInteger(probation) || probation < 0) {
      throw new TypeRtcError(
        `probation must be a non-negative integer, got ${probation}`,
        'INVALID_ARGUMENT',
      );
    }
    // The three A.1 branches only partition the 16-bit delta space when the bounds leave room
    // for each other.
    if (
      !Number.isInteger(maxDropout) ||
      !Number.isInteger(maxMisorder) ||
      maxDropout < 1 ||
      maxMisorder < 0 ||
      maxDropout + maxMisorder > RTP_SEQ_MOD
    ) {
      throw new TypeRtcError(
        `maxDropout (${maxDropout}) and maxMisorder (${maxMisorder}) must fit in 65536`,
        'INVALID_ARGUMENT',
      );
    }
    this.ssrc = ssrc >>> 0;
    this.clockRate = clockRate;
    this.minSequential = probation;
    this.maxDropout = maxDropout;
    this.maxMisorder = maxMisorder;
  }

  /** True once the source has passed probation (A.1). */
  get valid(): boolean {
    return this.started && this.probation === 0;
  }

  /** Packets received and accepted since the source became valid (or last restarted), A.1. */
  get received(): number {
    return this.receivedCount;
  }

  /** Sequence number wraps seen since the source became valid (or last restarted). */
  get cycles(): number {
    return this.cycleCount;
  }

  /** Extended highest sequence number received: cycles * 65536 + highest sequence (A.3). */
  get extendedHighestSequence(): number {
    return this.valid ? this.cycleCount * RTP_SEQ_MOD + this.maxSeq : 0;
  }

  /** Packets expected: extended highest minus the base sequence number, plus one (A.3). */
  get expected(): number {
    return this.valid ? this.extendedHighestSequence - this.baseSeq + 1 : 0;
  }

  /**
   * Cumulative packets lost, expected minus received (A.3). Duplicates make it negative; it is
   * clamped to the 24-bit signed range of the report block rather than wrapped.
   */
  get lost(): number {
    const lost = this.expected - this.receivedCount;
    return lost > MAX_LOST ? MAX_LOST : lost < MIN_LOST ? MIN_LOST : lost;
  }

  /**
   * Interarrival jitter estimate J in RTP timestamp units (A.8), unrounded; divide by the clock
   * rate for seconds. The report block carries it truncated to an integer, as the RFC's
   * `(u_int32) s->jitter` does.
   */
  get jitter(): number {
    return this.jitterEstimate;
  }

  /**
   * Accounts for one RTP packet from this source. Returns false when RFC 3550 A.1 says the
   * packet is not valid: the source is still on probation, or the sequence number made a large
   * jump that the next packet has not yet confirmed as a restart. Only valid packets count
   * towards the statistics and the jitter estimate.
   */
  onPacket(sequenceNumber: number, rtpTimestamp: number, arrivalMs: number): boolean {
    const seq = sequenceNumber & 0xffff;
    if (!this.started) {
      // A.1: a source heard for the first time starts on probation, with max_seq one behind
      // so the first packet counts as in sequence.
      this.started = true;
      this.arrivalBaseMs = arrivalMs;
      this.initSeq(seq);
      if (this.minSequential > 0) {
        this.maxSeq = (seq - 1) & 0xffff;
        this.probation = this.minSequential;
      }
    }
    if (!this.updateSeq(seq)) return false;
    this.updateJitter(rtpTimestamp, arrivalMs);
    return true;
  }

  /**
   * Records an SR from this source: the middle 32 bits of its NTP timestamp become the LSR of
   * the next report blocks, and its arrival time the start of their DLSR (§6.4.1).
   */
  onSenderReport(ntpMiddle32: number, arrivalMs: number): void {
    this.lastSrNtpMiddle32 = ntpMiddle32 >>> 0;
    this.lastSrArrivalMs = arrivalMs;
    this.hasSenderReport = true;
  }

  /**
   * The report block for this source at `nowMs`. Computing it starts a new reporting interval:
   * the fraction lost is over the packets expected since the previous call (A.3).
   */
  reportBlock(nowMs: number): ReportBlock {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    this.expectedPrior = expected;
    const receivedInterval = this.receivedCount - this.receivedPrior;
    this.receivedPrior = this.receivedCount;
    const lostInterval = expectedInterval - receivedInterval;
    // A.3: the loss fraction is an 8-bit fixed-point number; duplicates can make the interval
    // loss negative, which is reported as zero. A packet arrived whenever expectedInterval > 0,
    // so lostInterval < expectedInterval and the result stays below 256.
    const fractionLost =
      expectedInterval <= 0 || lostInterval <= 0
        ? 0
        : Math.floor((lostInterval * 256) / expectedInterval);

    let delaySinceLastSenderReport = 0;
    if (this.hasSenderReport) {
      // DLSR is in units of 1/65536 s; an SR "from the future" (clock misuse) reports no delay.
      const delay = Math.round(((nowMs - this.lastSrArrivalMs) * 65536) / 1000);
      delaySinceLastSenderReport = delay < 0 ? 0 : delay > MAX_UINT32 ? MAX_UINT32 : delay;
    }

    return {
      ssrc: this.ssrc,
      fractionLost,
      packetsLost: this.lost,
      highestSequence: this.extendedHighestSequence >>> 0,
      // |D| is at most 2^31, so J, an average of such values, always fits the 32-bit field.
      jitter: Math.floor(this.jitterEstimate),
      lastSenderReport: this.hasSenderReport ? this.lastSrNtpMiddle32 : 0,
      delaySinceLastSenderReport,
    };
  }

  /** init_seq of RFC 3550 A.1. */
  private initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = NO_BAD_SEQ;
    this.cycleCount = 0;
    this.receivedCount = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
    // A restart usually means a new timestamp base too: the next transit starts a new series
    // instead of producing one huge difference. The estimate itself is kept.
    this.hasTransit = false;
  }

  /**
   * update_seq of RFC 3550 A.1. One deliberate deviation: the probation test compares
   * `(max_seq + 1) mod 2^16` where the C code compares the int-promoted `max_seq + 1`, so a source
   * whose probation straddles the 65535 -> 0 wrap is still validated.
   */
  private updateSeq(seq: number): boolean {
    const udelta = (seq - this.maxSeq) & 0xffff;
    if (this.probation > 0) {
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.initSeq(seq);
          this.receivedCount++;
          return true;
        }
      } else {
        this.probation = this.minSequential - 1;
        this.maxSeq = seq;
      }
      return false;
    }
    if (udelta < this.maxDropout) {
      // In order, with a permissible gap; a smaller number means the sequence wrapped.
      if (seq < this.maxSeq) this.cycleCount++;
      this.maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - this.maxMisorder) {
      // A very large jump: accept it only when the next packet follows it, which means the
      // sender restarted without telling us; then resynchronise as if it were the first packet.
      if (seq === this.badSeq) {
        this.initSeq(seq);
      } else {
        this.badSeq = (seq + 1) & 0xffff;
        return false;
      }
    }
    // Otherwise a duplicate or reordered packet: counted, but max_seq stays.
    this.receivedCount++;
    return true;
  }

  /**
   * RFC 3550 A.8: D is the change in transit time (arrival in timestamp units minus the RTP
   * timestamp) between this packet and the previous one in arrival order (not necessarily in
   * sequence, §6.4.1), and J += (|D| - J) / 16.
   */
  private updateJitter(rtpTimestamp: number, arrivalMs: number): void {
    const arrival = Math.round(((arrivalMs - this.arrivalBaseMs) * this.clockRate) / 1000);
    // Timestamps are modulo 2^32 with a random base, so only int32 differences are meaningful.
    const transit = (arrival - rtpTimestamp) | 0;
    if (this.hasTransit) {
      const d = Math.abs((transit - this.transit) | 0);
      this.jitterEstimate += (d - this.jitterEstimate) / 16;
    }
    this.transit = transit;
    this.hasTransit = true;
  }
}
