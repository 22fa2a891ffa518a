/**
 * What senders and receivers need of the peer connection's RTP session (`media-session.ts`):
 * clocks, the protected send path, and the transport-wide sequence counter. An interface, so
 * the sender and receiver modules do not depend on the session and their tests can fake it.
 */

import type { ExtensionMap } from '@typertc/common';
import type { RtcpPacket } from '@typertc/rtp-rtcp';
import type { LocalCodec } from './codec-capabilities.js';
import type { NegotiatedCodec } from './codec-negotiation.js';

export interface MediaTransport {
  /** Monotonic milliseconds: arrival times, pacing, ages. */
  now(): number;
  /** Unix wall-clock milliseconds: what SRs report (RFC 3550 §6.4.1). */
  wallClock(): number;
  /**
   * Protects `packet` (a whole plain RTP packet, not kept) with SRTP and sends it on the
   * selected pair; false when it could not go (no keys yet, transport closed).
   */
  sendRtp(packet: Uint8Array): boolean;
  /** One compound RTCP packet, protected with SRTCP and sent; false when it could not go. */
  sendRtcp(packets: readonly RtcpPacket[]): boolean;
  /**
   * RFC 3550 §6.6: a BYE (after a last report) for the SSRCs `sender` used; once per sender.
   */
  goodbye(sender: { readonly ssrc: number; readonly rtxSsrc: number | undefined }): void;
  /** The transport-wide sequence number of the next packet (shared by the BUNDLE group). */
  nextTransportSequence(): number;
  /** The SSRC our feedback (NACK, PLI, FIR) goes out from (RFC 4585 §6.1). */
  readonly feedbackSsrc: number;
}

/**
 * One media section as negotiated: what both a sender and a receiver of it use. Codecs are
 * numbered as the peer's description numbers them (RFC 3264 §6.1): what we send carries those
 * payload types, and what the peer sends us does too once an answer reused the offer's.
 */
export interface NegotiatedSection {
  readonly mid: string;
  readonly kind: 'audio' | 'video';
  /** Primaries and their RTX, in preference order. */
  readonly codecs: readonly NegotiatedCodec[];
  /** Our local codec list for the section, which written packets may also be numbered by. */
  readonly localCodecs: readonly LocalCodec[];
  readonly extensions: ExtensionMap;
  /** RFC 5506: reduced-size RTCP was negotiated. */
  readonly rtcpRsize: boolean;
  /** The peer's `a=ssrc` sources (RFC 5576), each with its FID (RTX) partner. */
  readonly remoteSources: readonly {
    readonly ssrc: number;
    readonly rtxSsrc: number | undefined;
  }[];
  /** The simulcast streams the peer sends (RFC 8853 `a=simulcast:send`, `a=rid ... send`). */
  readonly remoteRids: readonly string[];
}

/** Whether `codec` (a primary) was negotiated with the `a=rtcp-fb` `type` [`parameter`]. */
export function hasFeedback(codec: NegotiatedCodec, type: string, parameter?: string): boolean {
  return codec.rtcpFeedback.some(
    (entry) => entry.type === type && (entry.parameter ?? undefined) === parameter,
  );
}

/** Whether any primary codec of the section has that feedback. */
export function sectionHasFeedback(
  section: NegotiatedSection,
  type: string,
  parameter?: string,
): boolean {
  return section.codecs.some(
    (codec) => codec.associatedPayloadType === undefined && hasFeedback(codec, type, parameter),
  );
}
