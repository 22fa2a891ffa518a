import { TypeRtcError } from '@typertc/common';
import type { ReportBlock } from '../rtcp/report-block.js';
import { ntpFromUnixMs } from './ntp.js';
import { roundTripTimeMs } from './rtt.js';

/** The sender information of an SR packet (RFC 3550 §6.4.1). */
export interface SenderInfo {
  /** 64-bit NTP timestamp (32.32 fixed point seconds since 1900) of the report. */
  ntpTimestamp: bigint;
  /** The same instant as `ntpTimestamp`, in the stream's RTP timestamp units and base. */
  rtpTimestamp: number;
  /** Packets sent since the stream started, modulo 2^32. */
  packetCount: number;
  /** Payload octets sent since the stream started, modulo 2^32. */
  octetCount: number;
}

export interface SenderStatsOptions {
  /** SSRC of the stream we send. */
  ssrc: number;
  /** RTP clock rate of the stream in Hz, used to extrapolate the SR's RTP timestamp. */
  clockRate: number;
}

/**
 * Sending statistics of one RTP stream: the counts and timestamp mapping an SR reports
 * (RFC 3550 §6.4.1), and round-trip times from the report blocks that come back.
 *
 * Sans-I/O: times are Unix wall-clock milliseconds passed by the caller, since they become the
 * NTP timestamps of the reports.
 */
export class SenderStats {
  readonly ssrc: number;
  readonly clockRate: number;

  private packets = 0;
  private octets = 0;
  private hasMapping = false;
  private mappedRtpTimestamp = 0;
  private mappedWallClockMs = 0;

  constructor(options: SenderStatsOptions) {
    const { ssrc, clockRate } = options;
    if (!Number.isFinite(clockRate) || clockRate <= 0) {
      throw new TypeRtcError(`clockRate must be positive, got ${clockRate}`, 'INVALID_ARGUMENT');
    }
    this.ssrc = ssrc >>> 0;
    this.clockRate = clockRate;
  }

  /** Packets sent, modulo 2^32 as the SR field carries it. */
  get packetCount(): number {
    return this.packets;
  }

  /** Payload octets sent (no header, no padding), modulo 2^32 as the SR field carries it. */
  get octetCount(): number {
    return this.octets;
  }

  /**
   * Accounts for one RTP packet sent. `payloadOctets` excludes the header and padding
   * (§6.4.1 sender's octet count). The timestamp mapping is taken from the first packet of each
   * timestamp: the later packets of a frame share its timestamp but leave later, and pairing
   * them with their send time would skew the SR's RTP timestamp.
   */
  onPacketSent(rtpTimestamp: number, payloadOctets: number, wallClockMs: number): void {
    this.packets = (this.packets + 1) >>> 0;
    this.octets = (this.octets + payloadOctets) >>> 0;
    const timestamp = rtpTimestamp >>> 0;
    if (!this.hasMapping || timestamp !== this.mappedRtpTimestamp) {
      this.hasMapping = true;
      this.mappedRtpTimestamp = timestamp;
      this.mappedWallClockMs = wallClockMs;
    }
  }

  /**
   * The SR sender information at `wallClockMs`: its NTP timestamp and the RTP timestamp of the
   * same instant, extrapolated from the last mapping with the clock rate. Undefined before the
   * first packet, when there is no RTP timestamp to report and we are not a sender (§6.4).
   */
  senderInfo(wallClockMs: number): SenderInfo | undefined {
    if (!this.hasMapping) return undefined;
    const elapsedTicks = Math.round(
      ((wallClockMs - this.mappedWallClockMs) * this.clockRate) / 1000,
    );
    return {
      ntpTimestamp: ntpFromUnixMs(wallClockMs),
      rtpTimestamp: (this.mappedRtpTimestamp + elapsedTicks) >>> 0,
      packetCount: this.packets,
      octetCount: this.octets,
    };
  }

  /**
   * Round-trip time in milliseconds from a report block received at NTP time
   * `arrivalNtpMiddle32` (§6.4.1). Undefined when the block is about another SSRC or its
   * reporter has not yet received an SR from us (LSR 0).
   */
  roundTripTime(block: ReportBlock, arrivalNtpMiddle32: number): number | undefined {
    if (block.ssrc >>> 0 !== this.ssrc) return undefined;
    return roundTripTimeMs(block, arrivalNtpMiddle32);
  }
}
