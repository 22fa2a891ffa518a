/**
 * The RTP side of one `RTCRtpSender`: each packet a local track writes is copied into one
 * reused packet object, rewritten (`OutboundRtp`: SSRC, the peer's payload type, MID and
 * transport-cc, continuous numbering), serialized, kept for retransmission and handed to the
 * session to protect and send. Feedback the peer sends about our SSRCs comes back here: NACKs
 * are answered from the send history, with RTX when negotiated (RFC 4588 §4) or as a plain
 * retransmission otherwise (RFC 4585 §6.2.1 leaves that to the sender); PLI, FIR and REMB are
 * surfaced as events; report blocks give the remote-inbound statistics and the RTT.
 *
 * Per written packet: no allocation, except the protected output the socket keeps (a slab view).
 */

import { Emitter } from '@typertc/common';
import { type ReportBlock, type RtcpPacket, RtpPacket, SenderStats } from '@typertc/rtp-rtcp';
import { isRtx } from './codec-capabilities.js';
import type { NegotiatedCodec } from './codec-negotiation.js';
import type { RtpSink } from './media-stream-track.js';
import {
  type MediaTransport,
  type NegotiatedSection,
  sectionHasFeedback,
} from './media-transport.js';
import { OutboundRtp } from './outbound-rtp.js';
import { buildRtxPacket } from './rtx.js';
import { SendHistory } from './send-history.js';

export interface RtpSenderEvents {
  /** The peer asked for a keyframe (RFC 4585 §6.3.1 PLI, RFC 5104 §4.3.1 FIR). */
  keyframerequest: (kind: 'pli' | 'fir') => void;
  /** The peer's receiver estimated this much bandwidth, bits/s (draft-alvestrand-rmcat-remb). */
  remb: (bitrate: number, ssrcs: readonly number[]) => void;
  /** Any feedback about our SSRCs: NACK, PLI, FIR, REMB, transport-cc. */
  rtcp: (packet: RtcpPacket) => void;
}

/** What the peer's report blocks say about our stream (webrtc-stats remote-inbound-rtp). */
export interface RemoteInboundCounters {
  packetsLost: number;
  fractionLost: number;
  jitterSeconds: number;
  roundTripTimeSeconds: number | undefined;
  totalRoundTripTimeSeconds: number;
  roundTripTimeMeasurements: number;
  reportsReceived: number;
  lastReportTimestamp: number;
}

export interface SendCounters {
  packetsSent: number;
  bytesSent: number;
  headerBytesSent: number;
  retransmittedPacketsSent: number;
  retransmittedBytesSent: number;
  nackCount: number;
  pliCount: number;
  firCount: number;
  /** Written packets that were not sent: no negotiated codec for them, or not sending. */
  droppedPackets: number;
  lastPacketSentAt: number | undefined;
}

/** Most RTP bytes one packet can have (RFC 3550 §5.1 has no limit; a datagram has). */
const MAX_RTP_PACKET = 65_535;

export class RtpSendStream implements RtpSink {
  readonly ssrc: number;
  readonly rtxSsrc: number | undefined;
  readonly events = new Emitter<RtpSenderEvents>();
  readonly counters: SendCounters = {
    packetsSent: 0,
    bytesSent: 0,
    headerBytesSent: 0,
    retransmittedPacketsSent: 0,
    retransmittedBytesSent: 0,
    nackCount: 0,
    pliCount: 0,
    firCount: 0,
    droppedPackets: 0,
    lastPacketSentAt: undefined,
  };
  remote: RemoteInboundCounters | undefined;
  /** SR sender information (RFC 3550 §6.4.1); replaced when the clock rate changes. */
  stats: SenderStats;
  /** The codec of the last packet sent. */
  lastCodec: NegotiatedCodec | undefined;
  /** Whether the negotiation lets us send (currentDirection has send) and encoding is active. */
  sending = false;
  #transport: MediaTransport | undefined;
  #section: NegotiatedSection | undefined;
  readonly #outbound: OutboundRtp;
  /** Written payload type → the negotiated codec sent for it. */
  #codecByWrittenType = new Map<number, NegotiatedCodec>();
  /** Primary payload type → its RTX payload type (RFC 4588 §8.6), when RTX was negotiated. */
  #rtxPayloadTypes = new Map<number, number>();
  #history: SendHistory | undefined;
  #rtxSequence = Math.floor(Math.random() * 0x10000);
  readonly #scratch = new RtpPacket();
  #plain = new Uint8Array(1500);

  constructor(ssrc: number, rtxSsrc: number | undefined) {
    this.ssrc = ssrc;
    this.rtxSsrc = rtxSsrc;
    this.stats = new SenderStats({ ssrc, clockRate: 90000 });
    this.#outbound = new OutboundRtp({
      ssrc,
      mid: '',
      extensions: new Map(),
      payloadTypes: new Map(),
      clockRate: 90000,
      nextTransportSequence: () => this.#transport?.nextTransportSequence() ?? 0,
    });
  }

  get section(): NegotiatedSection | undefined {
    return this.#section;
  }

  attach(transport: MediaTransport): void {
    this.#transport = transport;
  }

  /** A negotiation's result for the section; undefined while it has none. */
  configure(section: NegotiatedSection | undefined): void {
    this.#section = section;
    if (section === undefined) return;
    const primaries = section.codecs.filter((codec) => codec.associatedPayloadType === undefined);
    const byWritten = new Map<number, NegotiatedCodec>();
    const payloadTypes = new Map<number, number>();
    // Written packets are numbered as this connection negotiated, or else as our local list
    // numbers the codec (what a packet from another connection's defaults carries).
    for (const codec of primaries) byWritten.set(codec.payloadType, codec);
    for (const local of section.localCodecs) {
      if (isRtx(local.mimeType) || byWritten.has(local.payloadType)) continue;
      const codec = primaries.find(
        (candidate) =>
          candidate.mimeType.toLowerCase() === local.mimeType.toLowerCase() &&
          candidate.clockRate === local.clockRate &&
          candidate.channels === local.channels &&
          (candidate.sdpFmtpLine ?? '') === (local.sdpFmtpLine ?? ''),
      );
      if (codec !== undefined) byWritten.set(local.payloadType, codec);
    }
    for (const [written, codec] of byWritten) payloadTypes.set(written, codec.payloadType);
    this.#codecByWrittenType = byWritten;
    this.#rtxPayloadTypes = new Map(
      section.codecs
        .filter((codec) => codec.associatedPayloadType !== undefined)
        .map((codec) => [codec.associatedPayloadType as number, codec.payloadType]),
    );
    const clockRate = primaries[0]?.clockRate ?? 90000;
    if (clockRate !== this.stats.clockRate) {
      this.stats = new SenderStats({ ssrc: this.ssrc, clockRate });
    }
    this.#outbound.configure({
      mid: section.mid,
      extensions: section.extensions,
      payloadTypes,
      clockRate,
    });
    this.#history = sectionHasFeedback(section, 'nack')
      ? (this.#history ?? new SendHistory())
      : undefined;
  }

  /** W3C "stop sending": nothing more goes out, and a BYE says so (RFC 3550 §6.6). */
  stop(): void {
    this.sending = false;
    if (this.counters.packetsSent > 0) this.#transport?.goodbye(this);
  }

  /** The next packet starts a new source (`replaceTrack`). */
  sourceChanged(): void {
    this.#outbound.sourceChanged();
  }

  /** A packet the track wrote (not changed: a copy of its header is rewritten). */
  writeRtp(packet: RtpPacket): void {
    const transport = this.#transport;
    if (!this.sending || transport === undefined) {
      this.counters.droppedPackets++;
      return;
    }
    const out = this.#scratch;
    out.marker = packet.marker;
    out.payloadType = packet.payloadType;
    out.sequenceNumber = packet.sequenceNumber;
    out.timestamp = packet.timestamp;
    out.ssrc = packet.ssrc;
    out.csrcs = packet.csrcs;
    out.payload = packet.payload;
    out.paddingLength = 0;
    // The writer's extensions were numbered by its own negotiation, which is not ours: none is
    // carried over; the sender sets the ones this section negotiated (MID, transport-cc).
    out.extensions.reset();
    const now = transport.now();
    if (!this.#outbound.rewrite(out, now)) {
      this.counters.droppedPackets++;
      return;
    }
    const length = out.byteLength;
    if (length > MAX_RTP_PACKET) {
      this.counters.droppedPackets++;
      return;
    }
    if (this.#plain.length < length) this.#plain = new Uint8Array(length);
    out.serializeInto(this.#plain, 0);
    const plain = this.#plain.subarray(0, length);
    this.#history?.record(out.sequenceNumber, plain, now);
    if (!transport.sendRtp(plain)) {
      this.counters.droppedPackets++;
      return;
    }
    const counters = this.counters;
    counters.packetsSent++;
    counters.bytesSent += out.payload.length;
    counters.headerBytesSent += length - out.payload.length;
    counters.lastPacketSentAt = now;
    this.stats.onPacketSent(out.timestamp, out.payload.length, transport.wallClock());
    const codec = this.#codecByWrittenType.get(packet.payloadType);
    if (codec !== this.lastCodec) this.lastCodec = codec;
  }

  /** Feedback about one of our SSRCs (the session routes it here by media SSRC). */
  handleFeedback(packet: RtcpPacket): void {
    switch (packet.kind) {
      case 'nack':
        this.counters.nackCount++;
        this.#retransmit(packet.lostSequenceNumbers());
        break;
      case 'pli':
        this.counters.pliCount++;
        this.events.emit('keyframerequest', 'pli');
        break;
      case 'fir':
        this.counters.firCount++;
        this.events.emit('keyframerequest', 'fir');
        break;
      case 'remb':
        this.events.emit('remb', packet.bitrate, packet.ssrcs);
        break;
      default:
        break;
    }
    this.events.emit('rtcp', packet);
  }

  /** A report block about our SSRC, with the RTT it gave (RFC 3550 §6.4.1), at `now`. */
  handleReportBlock(block: ReportBlock, roundTripTimeMs: number | undefined, now: number): void {
    const previous = this.remote;
    const rtt = roundTripTimeMs === undefined ? undefined : roundTripTimeMs / 1000;
    this.remote = {
      packetsLost: block.packetsLost,
      fractionLost: block.fractionLost / 256,
      jitterSeconds: block.jitter / this.stats.clockRate,
      roundTripTimeSeconds: rtt ?? previous?.roundTripTimeSeconds,
      totalRoundTripTimeSeconds: (previous?.totalRoundTripTimeSeconds ?? 0) + (rtt ?? 0),
      roundTripTimeMeasurements:
        (previous?.roundTripTimeMeasurements ?? 0) + (rtt === undefined ? 0 : 1),
      reportsReceived: (previous?.reportsReceived ?? 0) + 1,
      lastReportTimestamp: now,
    };
  }

  /** RFC 4585 §6.2.1: resend what the history still has, as RTX when negotiated. */
  #retransmit(sequences: readonly number[]): void {
    const transport = this.#transport;
    const history = this.#history;
    if (transport === undefined || history === undefined || !this.sending) return;
    const now = transport.now();
    for (const sequence of sequences) {
      const stored = history.get(sequence, now);
      if (stored === undefined) continue;
      const original = RtpPacket.parse(stored);
      const rtxPayloadType = this.#rtxPayloadTypes.get(original.payloadType);
      let bytes: Uint8Array = stored;
      if (rtxPayloadType !== undefined && this.rtxSsrc !== undefined) {
        bytes = buildRtxPacket(original, this.rtxSsrc, rtxPayloadType, this.#rtxSequence);
        this.#rtxSequence = (this.#rtxSequence + 1) & 0xffff;
      }
      if (!transport.sendRtp(bytes)) return;
      this.counters.retransmittedPacketsSent++;
      this.counters.retransmittedBytesSent += original.payload.length;
    }
  }
}
