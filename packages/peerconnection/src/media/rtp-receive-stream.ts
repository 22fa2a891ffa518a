/**
 * The RTP side of one `RTCRtpReceiver`: the packets the demuxer routed to its section, per
 * SSRC (several with simulcast: one per RID, RFC 8853). Each packet updates the RFC 3550
 * Appendix A statistics and, for video with `nack`, the NACK generator, then goes to the remote
 * track's listeners. RTX packets (RFC 4588 §4) are unwrapped to the packet they repair first;
 * an RTX packet with no original in it (a padding-only bandwidth probe) is only counted.
 * Padding-only packets are counted but not handed on: they carry no media. A packet already
 * received (libwebrtc probes bandwidth with RTX copies of packets that did arrive) is dropped
 * before it reaches the statistics or the track, as libwebrtc's packet buffer drops it.
 */

import {
  FullIntraRequest,
  GenericNack,
  PictureLossIndication,
  ReceiverStats,
  type RtcpPacket,
  type RtpPacket,
  type SenderReport,
  unixMsFromNtp,
} from '@typertc/rtp-rtcp';
import { invalidStateError } from '../errors.js';
import type { NegotiatedCodec } from './codec-negotiation.js';
import { type MediaStreamTrack, setTrackMuted, trackEvents } from './media-stream-track.js';
import {
  type MediaTransport,
  type NegotiatedSection,
  sectionHasFeedback,
} from './media-transport.js';
import { NackGenerator } from './nack-generator.js';
import { codecParameters } from './rtp-parameters.js';
import { recoverFromRtx } from './rtx.js';

/** Sources one receiver tracks at most (three simulcast layers, and SSRC changes). */
const MAX_STREAMS = 16;
/** Sequence numbers remembered per stream to recognize a packet received twice. */
const SEEN_WINDOW = 1024;

/** The peer's SR about one of its streams (webrtc-stats remote-outbound-rtp). */
export interface RemoteOutboundCounters {
  packetsSent: number;
  bytesSent: number;
  remoteTimestamp: number;
  reportsSent: number;
  lastReportTimestamp: number;
}

/** One SSRC the peer sends on this section. */
export interface InboundStream {
  readonly ssrc: number;
  rid: string | undefined;
  readonly stats: ReceiverStats;
  readonly nack: NackGenerator | undefined;
  codec: NegotiatedCodec | undefined;
  packetsReceived: number;
  bytesReceived: number;
  headerBytesReceived: number;
  retransmittedPacketsReceived: number;
  retransmittedBytesReceived: number;
  lastPacketReceivedAt: number | undefined;
  lastRtpTimestamp: number;
  /** Feedback we sent about it. */
  nackCount: number;
  pliCount: number;
  firCount: number;
  /** RFC 5104 §4.3.1.1: the FIR command sequence number, one per new request. */
  firSequence: number;
  /** The sequence number last received in each slot (`seq % SEEN_WINDOW`), -1 when none. */
  readonly seen: Int32Array;
  duplicates: number;
  remote: RemoteOutboundCounters | undefined;
}

export class RtpReceiveStream {
  readonly track: MediaStreamTrack;
  /** Primary SSRC → its stream. */
  readonly streams = new Map<number, InboundStream>();
  /** Packets that could not be used: unknown payload type, RTX for nothing, too many SSRCs. */
  droppedPackets = 0;
  #transport: MediaTransport | undefined;
  #section: NegotiatedSection | undefined;
  #codecs = new Map<number, NegotiatedCodec>();
  /** RTX payload type → the primary payload type it repairs. */
  #rtxAssociated = new Map<number, number>();
  /** RTX SSRC → primary SSRC, from `a=ssrc-group:FID` or learnt from repaired RIDs. */
  readonly #rtxToPrimary = new Map<number, number>();
  #nackEnabled = false;
  #keyFramePending = false;
  #lastPayloadType = -1;

  constructor(track: MediaStreamTrack) {
    this.track = track;
  }

  get section(): NegotiatedSection | undefined {
    return this.#section;
  }

  attach(transport: MediaTransport): void {
    this.#transport = transport;
  }

  configure(section: NegotiatedSection | undefined): void {
    this.#section = section;
    if (section === undefined) return;
    this.#codecs = new Map(section.codecs.map((codec) => [codec.payloadType, codec]));
    this.#rtxAssociated = new Map(
      section.codecs
        .filter((codec) => codec.associatedPayloadType !== undefined)
        .map((codec) => [codec.payloadType, codec.associatedPayloadType as number]),
    );
    for (const { ssrc, rtxSsrc } of section.remoteSources) {
      if (rtxSsrc !== undefined) this.#rtxToPrimary.set(rtxSsrc, ssrc);
    }
    this.#nackEnabled = section.kind === 'video' && sectionHasFeedback(section, 'nack');
    const first = section.codecs[0];
    if (this.track.codec === undefined && first !== undefined) {
      this.track.codec = codecParameters(first);
    }
  }

  /** A packet routed to this section (`rid` and `repair` from the demuxer) at `now`. */
  handleRtp(packet: RtpPacket, rid: string | undefined, repair: boolean, now: number): void {
    if (repair && this.#rtxAssociated.has(packet.payloadType)) {
      this.#handleRtx(packet, rid, now);
      return;
    }
    const stream = this.#stream(packet.ssrc, rid);
    const codec = this.#codecs.get(packet.payloadType);
    if (stream === undefined || codec === undefined) {
      this.droppedPackets++;
      return;
    }
    if (!this.#account(stream, packet, now, false)) return;
    this.#deliver(stream, packet, codec, rid);
  }

  /** RTCP from the peer's sender about one of our streams' SSRCs: SR, SDES, BYE. */
  handleRtcp(packet: RtcpPacket, now: number): void {
    if (packet.kind === 'sr') this.#onSenderReport(packet, now);
    if (packet.kind === 'bye') {
      for (const ssrc of packet.sources) this.streams.delete(ssrc);
    }
    trackEvents(this.track).emit('rtcp', packet);
  }

  /**
   * Asks the peer's sender for a keyframe: a PLI (RFC 4585 §6.3.1) per SSRC when `nack pli`
   * was negotiated, else a FIR (RFC 5104 §4.3.1). Before the section is negotiated or any
   * packet arrived, the request goes out with the first packet. Throws `InvalidStateError`
   * when the negotiated section has neither.
   */
  requestKeyFrame(): void {
    const section = this.#section;
    const pli = section !== undefined && sectionHasFeedback(section, 'nack', 'pli');
    const fir = section !== undefined && sectionHasFeedback(section, 'ccm', 'fir');
    if (section !== undefined && !pli && !fir) {
      throw invalidStateError('requestKeyFrame: the section negotiated neither PLI nor FIR');
    }
    const transport = this.#transport;
    // Before the answer (a `track` event fires with the offer) or the first packet, the
    // request waits for that first packet.
    if (transport === undefined || section === undefined || this.streams.size === 0) {
      this.#keyFramePending = true;
      return;
    }
    this.#keyFramePending = false;
    const sender = transport.feedbackSsrc;
    const packets: RtcpPacket[] = [];
    for (const stream of this.streams.values()) {
      if (pli) {
        stream.pliCount++;
        packets.push(new PictureLossIndication(sender, stream.ssrc));
      } else {
        stream.firCount++;
        stream.firSequence = (stream.firSequence + 1) & 0xff;
        packets.push(
          new FullIntraRequest(sender, [{ ssrc: stream.ssrc, sequence: stream.firSequence }]),
        );
      }
    }
    transport.sendRtcp(packets);
  }

  /** The NACKs due at `now` (RFC 4585 §6.2.1), one per SSRC with packets to ask for. */
  dueNacks(now: number, into: RtcpPacket[]): void {
    const transport = this.#transport;
    if (transport === undefined) return;
    for (const stream of this.streams.values()) {
      const lost = stream.nack?.due(now);
      if (lost === undefined || lost.length === 0) continue;
      stream.nackCount++;
      into.push(GenericNack.fromLost(transport.feedbackSsrc, stream.ssrc, lost));
    }
  }

  /** When a NACK is next due, undefined when nothing is missing. */
  nextNackAt(): number | undefined {
    let next: number | undefined;
    for (const stream of this.streams.values()) {
      const due = stream.nack?.nextDueAt();
      if (due !== undefined && (next === undefined || due < next)) next = due;
    }
    return next;
  }

  /** The RTT from our reports' blocks paces the NACK retries. */
  setRoundTripTime(rttMs: number): void {
    for (const stream of this.streams.values())
      if (stream.nack !== undefined) stream.nack.rttMs = rttMs;
  }

  #handleRtx(rtx: RtpPacket, rid: string | undefined, now: number): void {
    const primaryType = this.#rtxAssociated.get(rtx.payloadType) as number;
    const primarySsrc = this.#primaryOf(rtx.ssrc, rid);
    const stream = primarySsrc === undefined ? undefined : this.streams.get(primarySsrc);
    const codec = this.#codecs.get(primaryType);
    // A padding-only RTX packet is a bandwidth probe: nothing to recover (RFC 4588 §4).
    if (stream === undefined || codec === undefined || rtx.payload.length < 2) {
      this.droppedPackets++;
      return;
    }
    const packet = recoverFromRtx(rtx, stream.ssrc, primaryType);
    if (!this.#account(stream, packet, now, true)) return;
    this.#deliver(stream, packet, codec, stream.rid);
  }

  #primaryOf(rtxSsrc: number, rid: string | undefined): number | undefined {
    const known = this.#rtxToPrimary.get(rtxSsrc);
    if (known !== undefined) return known;
    let found: InboundStream | undefined;
    for (const stream of this.streams.values()) {
      if (rid !== undefined ? stream.rid === rid : this.streams.size === 1) found = stream;
    }
    if (found !== undefined && this.#rtxToPrimary.size < MAX_STREAMS) {
      this.#rtxToPrimary.set(rtxSsrc, found.ssrc);
    }
    return found?.ssrc;
  }

  #stream(ssrc: number, rid: string | undefined): InboundStream | undefined {
    const known = this.streams.get(ssrc);
    if (known !== undefined) {
      if (rid !== undefined && known.rid !== rid) known.rid = rid;
      return known;
    }
    if (this.streams.size >= MAX_STREAMS || this.#rtxToPrimary.has(ssrc)) return undefined;
    const codec = this.#codecs.get(this.#section?.codecs[0]?.payloadType ?? -1);
    const stream: InboundStream = {
      ssrc,
      rid,
      stats: new ReceiverStats({ ssrc, clockRate: codec?.clockRate ?? 90000 }),
      nack: this.#nackEnabled ? new NackGenerator() : undefined,
      codec: undefined,
      packetsReceived: 0,
      bytesReceived: 0,
      headerBytesReceived: 0,
      retransmittedPacketsReceived: 0,
      retransmittedBytesReceived: 0,
      lastPacketReceivedAt: undefined,
      lastRtpTimestamp: 0,
      nackCount: 0,
      pliCount: 0,
      firCount: 0,
      firSequence: 0,
      seen: new Int32Array(SEEN_WINDOW).fill(-1),
      duplicates: 0,
      remote: undefined,
    };
    this.streams.set(ssrc, stream);
    if (this.#keyFramePending) queueMicrotask(() => this.requestKeyFrame());
    return stream;
  }

  /** Counts a packet received; false for one received before (it goes no further). */
  #account(stream: InboundStream, packet: RtpPacket, now: number, retransmitted: boolean): boolean {
    const sequence = packet.sequenceNumber;
    const slot = sequence % SEEN_WINDOW;
    if (stream.seen[slot] === sequence) {
      stream.duplicates++;
      return false;
    }
    stream.seen[slot] = sequence;
    stream.stats.onPacket(packet.sequenceNumber, packet.timestamp, now);
    stream.nack?.received(packet.sequenceNumber);
    const payload = packet.payload.length;
    stream.packetsReceived++;
    stream.bytesReceived += payload;
    stream.headerBytesReceived += packet.headerLength + packet.paddingLength;
    stream.lastPacketReceivedAt = now;
    stream.lastRtpTimestamp = packet.timestamp;
    if (retransmitted) {
      stream.retransmittedPacketsReceived++;
      stream.retransmittedBytesReceived += payload;
    }
    return true;
  }

  #deliver(
    stream: InboundStream,
    packet: RtpPacket,
    codec: NegotiatedCodec,
    rid: string | undefined,
  ): void {
    stream.codec = codec;
    const track = this.track;
    if (packet.payloadType !== this.#lastPayloadType) {
      this.#lastPayloadType = packet.payloadType;
      track.codec = codecParameters(codec);
    }
    if (track.muted) setTrackMuted(track, false);
    if (packet.payload.length === 0 || !track.enabled) return;
    trackEvents(track).emit('rtp', packet, rid);
  }

  #onSenderReport(report: SenderReport, now: number): void {
    const stream = this.streams.get(report.ssrc);
    if (stream === undefined) return;
    stream.remote = {
      packetsSent: report.packetCount,
      bytesSent: report.octetCount,
      remoteTimestamp: unixMsFromNtp(
        (BigInt(report.ntpSeconds) << 32n) | BigInt(report.ntpFraction),
      ),
      reportsSent: (stream.remote?.reportsSent ?? 0) + 1,
      lastReportTimestamp: now,
    };
  }
}
