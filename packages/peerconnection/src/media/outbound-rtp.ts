/**
 * What a sender does to each RTP packet the application writes before it is protected and
 * sent: its SSRC, the payload type the peer's description numbers the codec with (RFC 3264
 * §6.1: RTP sent to a peer uses the peer's payload types), the MID header extension (RFC 8843
 * §15.2) and the transport-wide sequence number (transport-cc), and sequence numbers and
 * timestamps that continue without a jump when the source changes (`replaceTrack`, or a writer
 * restarting its numbering): a receiver would otherwise see a burst of loss or a restart
 * (RFC 3550 §5.1: the sequence number increments by one for each packet sent).
 *
 * Per packet: no allocation. The extension values set on the packet are views of buffers this
 * object reuses, valid until its next `rewrite`: serialize the packet before rewriting another.
 */

import type { ExtensionMap } from '@typertc/common';
import {
  extensionId,
  type RtpPacket,
  SDES_MID_URI,
  TRANSPORT_WIDE_CC_URI,
} from '@typertc/rtp-rtcp';

export interface OutboundRtpOptions {
  readonly ssrc: number;
  /** The section's mid, for the MID extension. */
  readonly mid: string;
  /** The negotiated header extensions (id → URI) of the section. */
  readonly extensions: ExtensionMap;
  /** The payload type the writer uses → the one the peer's description gives that codec. */
  readonly payloadTypes: ReadonlyMap<number, number>;
  /** The codec clock rate, for timestamps that continue across a source change. */
  readonly clockRate: number;
  /** The transport-wide sequence counter, shared by every sender of the BUNDLE group. */
  readonly nextTransportSequence: () => number;
}

const encoder = new TextEncoder();

export class OutboundRtp {
  readonly #ssrc: number;
  #payloadTypes: ReadonlyMap<number, number> = new Map();
  #clockRate = 90000;
  readonly #nextTransportSequence: () => number;
  #midId: number | undefined;
  #midValue = new Uint8Array(0);
  #transportCcId: number | undefined;
  readonly #transportCcValue = new Uint8Array(2);
  /** The writer's SSRC the offsets below are for; undefined before the first packet. */
  #sourceSsrc: number | undefined;
  #sequenceOffset = 0;
  #timestampOffset = 0;
  #lastSequence = -1;
  #lastTimestamp = 0;
  #lastSentAt = 0;
  /** The next source's first packet is rebased to continue from the last one sent. */
  #rebase = true;

  constructor(options: OutboundRtpOptions) {
    this.#ssrc = options.ssrc;
    this.#nextTransportSequence = options.nextTransportSequence;
    this.configure(options);
  }

  /**
   * A renegotiation's result: the section, extensions and payload types may change; the SSRC
   * and the numbering continue.
   */
  configure(options: Omit<OutboundRtpOptions, 'ssrc' | 'nextTransportSequence'>): void {
    this.#payloadTypes = options.payloadTypes;
    this.#clockRate = options.clockRate;
    this.#midId = extensionId(options.extensions, SDES_MID_URI);
    this.#midValue = encoder.encode(options.mid);
    this.#transportCcId = extensionId(options.extensions, TRANSPORT_WIDE_CC_URI);
  }

  /** The next packet starts a new source (`replaceTrack`): its numbering continues ours. */
  sourceChanged(): void {
    this.#rebase = true;
  }

  /**
   * Rewrites `packet` in place for sending at `now` (ms). False, and the packet untouched,
   * when its payload type is not one negotiated: it must not be sent.
   */
  rewrite(packet: RtpPacket, now: number): boolean {
    const payloadType = this.#payloadTypes.get(packet.payloadType);
    if (payloadType === undefined) return false;
    if (this.#rebase || packet.ssrc !== this.#sourceSsrc) this.#rebaseOn(packet, now);
    packet.payloadType = payloadType;
    packet.ssrc = this.#ssrc;
    packet.sequenceNumber = (packet.sequenceNumber + this.#sequenceOffset) & 0xffff;
    packet.timestamp = (packet.timestamp + this.#timestampOffset) >>> 0;
    if (this.#midId !== undefined) packet.extensions.set(this.#midId, this.#midValue);
    if (this.#transportCcId !== undefined) {
      const sequence = this.#nextTransportSequence() & 0xffff;
      this.#transportCcValue[0] = sequence >> 8;
      this.#transportCcValue[1] = sequence & 0xff;
      packet.extensions.set(this.#transportCcId, this.#transportCcValue);
    }
    this.#lastSequence = packet.sequenceNumber;
    this.#lastTimestamp = packet.timestamp;
    this.#lastSentAt = now;
    return true;
  }

  /** Offsets that make `packet` follow the last packet sent, as if the source never changed. */
  #rebaseOn(packet: RtpPacket, now: number): void {
    this.#sourceSsrc = packet.ssrc;
    this.#rebase = false;
    if (this.#lastSequence < 0) return; // the first source: its own numbering stands
    this.#sequenceOffset = (this.#lastSequence + 1 - packet.sequenceNumber) & 0xffff;
    // The timestamp advances by the wall time since the last packet, at least one tick.
    const elapsed = Math.max(1, Math.round(((now - this.#lastSentAt) * this.#clockRate) / 1000));
    this.#timestampOffset = (this.#lastTimestamp + elapsed - packet.timestamp) >>> 0;
  }
}
