/**
 * The RTP session of a peer connection's BUNDLE group (RFC 8843 §9, RFC 3550): everything
 * between the transceivers and the transport stack.
 *
 * In: the demultiplexer hands over RTP and RTCP (RFC 7983); SRTP unprotects them in place
 * (RFC 3711 §3.3, keys from DTLS-SRTP, RFC 5764 §4.2); RTP is recorded for transport-cc and
 * routed to a receiver by MID, SSRC or payload type (`RtpDemuxer`, RFC 8843 §9.2); RTCP is
 * split by what it is about: report blocks and feedback (NACK, PLI, FIR, REMB, transport-cc) to
 * the sender of the SSRC they name, SR/SDES/BYE to the receiver of the SSRC that sent them.
 *
 * Out: senders hand plain RTP to `sendRtp`, which protects it into a slab view (the socket
 * keeps the bytes until sent) and sends it on the selected pair. A shared 20 ms tick sends the
 * reports (SR/RR + SDES about once a second, RFC 3550 §6.3 with WebRTC's 1 s minimum), the
 * NACKs that are due, and transport-cc feedback every 100 ms.
 */

import { randomBytes } from 'node:crypto';
import type { ExtensionMap } from '@typertc/common';
import {
  allocateOutput,
  extensionId,
  parseRtcp,
  type ReceiverStats,
  type RtcpPacket,
  RtpPacket,
  type SenderStats,
  serializeRtcp,
  TRANSPORT_WIDE_CC_URI,
} from '@typertc/rtp-rtcp';
import type { TransportStack } from '../transport/transport-stack.js';
import { MediaTicker } from './media-ticker.js';
import type { MediaTransport } from './media-transport.js';
import { sectionHasFeedback } from './media-transport.js';
import { rtcpInterval } from './rtcp-interval.js';
import { RtcpReporter, type RtcpStreams, receiveRtcp } from './rtcp-reports.js';
import { type DemuxSection, RtpDemuxer } from './rtp-demuxer.js';
import type { RtpReceiveStream } from './rtp-receive-stream.js';
import type { RtpSendStream } from './rtp-send-stream.js';
import { TwccRecorder } from './twcc-recorder.js';

/** RFC 3550 §6.2 as WebRTC uses it: reports about once a second. */
const REPORT_INTERVAL_MS = 1000;
/** libwebrtc sends transport-cc feedback every 50-250 ms; 100 ms is its default. */
const TWCC_INTERVAL_MS = 100;
/** RTCP bandwidth assumed for the interval: 5% of a 2 Mbit/s session (RFC 3550 §6.2). */
const RTCP_BANDWIDTH = 12_500;

export interface MediaSessionCounters {
  /** RTP or RTCP that arrived before SRTP was keyed. */
  beforeKeys: number;
  /** Failed authentication, replays, malformed SRTP (the SRTP context has details). */
  srtpErrors: number;
  /** Unprotected bytes that were not RTP or RTCP. */
  parseErrors: number;
  /** RTP the demuxer could not place (RFC 8843 §9.2: dropped). */
  unrouted: number;
  /** Packets that could not be sent (no pair selected, no keys, closed). */
  sendFailures: number;
}

/** One section's parts, as the session routes to them. */
export interface SessionSection {
  readonly mid: string;
  readonly sender: RtpSendStream | undefined;
  readonly receiver: RtpReceiveStream | undefined;
  readonly demux: DemuxSection<RtpReceiveStream> | undefined;
  readonly extensions: ExtensionMap;
}

function randomSsrc(): number {
  return randomBytes(4).readUInt32BE(0);
}

export class MediaSession implements MediaTransport {
  readonly feedbackSsrc = randomSsrc();
  readonly cname: string;
  readonly counters: MediaSessionCounters = {
    beforeKeys: 0,
    srtpErrors: 0,
    parseErrors: 0,
    unrouted: 0,
    sendFailures: 0,
  };
  #stack: TransportStack | undefined;
  readonly #demuxer = new RtpDemuxer<RtpReceiveStream>();
  #senders: RtpSendStream[] = [];
  #receivers: RtpReceiveStream[] = [];
  #reporter: RtcpReporter;
  #twcc: TwccRecorder | undefined;
  #twccId: number | undefined;
  #transportSequence = Math.floor(Math.random() * 0x10000);
  readonly #packet = new RtpPacket();
  #nextReportAt = 0;
  #nextTwccAt = 0;
  #firstReport = true;
  #averageRtcpSize = 100;
  #closed = false;
  /** Senders whose BYE went out: never a second one. */
  readonly #said = new WeakSet<RtpSendStream>();

  constructor(cname: string) {
    this.cname = cname;
    this.#reporter = new RtcpReporter({ localSsrc: this.feedbackSsrc, cname });
  }

  now(): number {
    return performance.now();
  }

  wallClock(): number {
    return performance.timeOrigin + performance.now();
  }

  nextTransportSequence(): number {
    const sequence = this.#transportSequence;
    this.#transportSequence = (sequence + 1) & 0xffff;
    return sequence;
  }

  /** The transport stack of the BUNDLE group: RTP and RTCP go through it from now on. */
  attach(stack: TransportStack): void {
    this.#stack = stack;
    stack.demux.onMedia = (data, rtcp) => {
      if (rtcp) this.#receiveRtcp(data);
      else this.#receiveRtp(data);
    };
  }

  /** The sections of the current negotiation (after each offer/answer is applied). */
  configure(sections: readonly SessionSection[], rtcpRsize: boolean): void {
    const extensions = new Map<number, string>();
    for (const section of sections)
      for (const [id, uri] of section.extensions) extensions.set(id, uri);
    this.#demuxer.configure(
      sections.flatMap((section) => (section.demux === undefined ? [] : [section.demux])),
      extensions,
    );
    this.#senders = sections.flatMap((s) => (s.sender === undefined ? [] : [s.sender]));
    this.#receivers = sections.flatMap((s) => (s.receiver === undefined ? [] : [s.receiver]));
    if (rtcpRsize !== this.#reporter.reducedSize) {
      this.#reporter = new RtcpReporter({
        localSsrc: this.feedbackSsrc,
        cname: this.cname,
        reducedSize: rtcpRsize,
      });
    }
    // Transport-cc feedback when a section we receive on negotiated it (and its extension).
    const twccWanted = sections.some(
      (s) =>
        s.receiver?.section !== undefined && sectionHasFeedback(s.receiver.section, 'transport-cc'),
    );
    this.#twccId = twccWanted ? extensionId(extensions, TRANSPORT_WIDE_CC_URI) : undefined;
    if (this.#twccId !== undefined) {
      this.#twcc ??= new TwccRecorder({ senderSsrc: this.feedbackSsrc });
    }
    if (sections.length > 0 && !this.#closed) MediaTicker.add(this);
  }

  sendRtp(packet: Uint8Array): boolean {
    const stack = this.#stack;
    const srtp = stack?.srtp;
    if (stack === undefined || srtp === undefined || stack.ice.selectedPair === undefined) {
      this.counters.sendFailures++;
      return false;
    }
    try {
      const out = allocateOutput(packet.length + srtp.outbound.parameters.srtpTagLength);
      const written = srtp.outbound.protectRtpInto(packet, out);
      stack.ice.send(out.subarray(0, written));
      return true;
    } catch {
      this.counters.sendFailures++;
      return false;
    }
  }

  sendRtcp(packets: readonly RtcpPacket[]): boolean {
    if (packets.length === 0) return true;
    return this.sendRawRtcp(serializeRtcp(packets));
  }

  /** A whole (compound) RTCP packet, protected with SRTCP (RFC 3711 §3.4) and sent. */
  sendRawRtcp(bytes: Uint8Array): boolean {
    const stack = this.#stack;
    const srtp = stack?.srtp;
    if (stack === undefined || srtp === undefined || stack.ice.selectedPair === undefined) {
      this.counters.sendFailures++;
      return false;
    }
    try {
      stack.ice.send(srtp.outbound.protectRtcp(bytes));
      this.#averageRtcpSize += (bytes.length - this.#averageRtcpSize) / 16;
      return true;
    } catch {
      this.counters.sendFailures++;
      return false;
    }
  }

  /** The shared tick: reports, NACKs and transport-cc feedback that are due at `now`. */
  tick(now: number): void {
    if (this.#closed || this.#stack?.srtp === undefined) return;
    const feedback: RtcpPacket[] = [];
    for (const receiver of this.#receivers) receiver.dueNacks(now, feedback);
    if (this.#twcc !== undefined && now >= this.#nextTwccAt && this.#twcc.pending) {
      this.#nextTwccAt = now + TWCC_INTERVAL_MS;
      feedback.push(...this.#twcc.feedback());
    }
    if (now >= this.#nextReportAt) {
      // RFC 3550 §6.1: a regular report leads its compound packet; feedback may follow.
      this.sendRtcp([...this.#reporter.report(this.#rtcpStreams(), this.#time(now)), ...feedback]);
      this.#scheduleReport(now);
    } else if (feedback.length > 0) {
      // RFC 5506 §3: reduced-size RTCP may go alone; otherwise a receiver report leads it.
      this.sendRtcp(
        this.#reporter.reducedSize ? feedback : [...this.#minimalReport(), ...feedback],
      );
    }
  }

  goodbye(sender: RtpSendStream): void {
    if (this.#closed || this.#said.has(sender)) return;
    this.#said.add(sender);
    this.#goodbye([sender]);
  }

  /** RFC 3550 §6.6: a BYE for every SSRC we sent with, then nothing more. */
  close(): void {
    if (this.#closed) return;
    const senders = this.#senders.filter((sender) => !this.#said.has(sender));
    if (senders.length > 0) this.#goodbye(senders);
    this.#closed = true;
    MediaTicker.remove(this);
    if (this.#stack !== undefined) this.#stack.demux.onMedia = undefined;
  }

  #receiveRtp(data: Uint8Array): void {
    const srtp = this.#stack?.srtp;
    if (srtp === undefined) {
      this.counters.beforeKeys++;
      return;
    }
    let packet: RtpPacket;
    try {
      const length = srtp.inbound.unprotectRtpInto(data, data);
      packet = RtpPacket.parseInto(this.#packet, data.subarray(0, length));
    } catch {
      this.counters.srtpErrors++;
      return;
    }
    const now = this.now();
    const twccId = this.#twccId;
    if (twccId !== undefined) {
      const value = packet.extensions.get(twccId);
      if (value !== undefined && value.length >= 2) {
        this.#twcc?.record(((value[0] as number) << 8) | (value[1] as number), now, packet.ssrc);
      }
    }
    const route = this.#demuxer.route(packet);
    if (route.target === undefined) {
      this.counters.unrouted++;
      return;
    }
    route.target.handleRtp(packet, route.rid, route.repair, now);
  }

  #receiveRtcp(data: Uint8Array): void {
    const srtp = this.#stack?.srtp;
    if (srtp === undefined) {
      this.counters.beforeKeys++;
      return;
    }
    let packets: RtcpPacket[];
    try {
      const length = srtp.inbound.unprotectRtcpInto(data, data);
      const parsed = parseRtcp(data.subarray(0, length));
      packets = parsed.packets;
      if (parsed.errors.length > 0) this.counters.parseErrors++;
    } catch {
      this.counters.srtpErrors++;
      return;
    }
    this.#averageRtcpSize += (data.length - this.#averageRtcpSize) / 16;
    const now = this.now();
    const received = receiveRtcp(packets, this.#rtcpStreams(), this.#time(now));
    for (const { block, roundTripTimeMs } of received.reports) {
      this.#senderOf(block.ssrc)?.handleReportBlock(block, roundTripTimeMs, now);
      if (roundTripTimeMs !== undefined) {
        for (const receiver of this.#receivers) receiver.setRoundTripTime(roundTripTimeMs);
      }
    }
    for (const packet of packets) this.#route(packet, now);
  }

  /** RTCP to the sender or receiver it is about. */
  #route(packet: RtcpPacket, now: number): void {
    switch (packet.kind) {
      case 'sr':
        this.#receiverOf(packet.ssrc)?.handleRtcp(packet, now);
        break;
      case 'sdes':
        for (const chunk of packet.chunks) this.#receiverOf(chunk.source)?.handleRtcp(packet, now);
        break;
      case 'bye':
        for (const source of packet.sources) this.#receiverOf(source)?.handleRtcp(packet, now);
        break;
      case 'nack':
      case 'pli':
        this.#senderOf(packet.mediaSsrc)?.handleFeedback(packet);
        break;
      case 'twcc': {
        // Transport-wide: about every sender; libwebrtc names just one media SSRC, or none.
        const named = this.#senderOf(packet.mediaSsrc);
        for (const sender of named === undefined ? this.#senders : [named]) {
          sender.handleFeedback(packet);
        }
        break;
      }
      case 'fir':
        for (const entry of packet.entries) this.#senderOf(entry.ssrc)?.handleFeedback(packet);
        break;
      case 'remb': {
        const targets = new Set<RtpSendStream>();
        for (const ssrc of packet.ssrcs) {
          const sender = this.#senderOf(ssrc);
          if (sender !== undefined) targets.add(sender);
        }
        for (const sender of targets) sender.handleFeedback(packet);
        break;
      }
      default:
        break;
    }
  }

  #senderOf(ssrc: number): RtpSendStream | undefined {
    return this.#senders.find((sender) => sender.ssrc === ssrc || sender.rtxSsrc === ssrc);
  }

  #receiverOf(ssrc: number): RtpReceiveStream | undefined {
    return this.#receivers.find((receiver) => receiver.streams.has(ssrc));
  }

  #rtcpStreams(): RtcpStreams {
    const senders = new Map<number, SenderStats>();
    for (const sender of this.#senders) {
      if (sender.counters.packetsSent > 0) senders.set(sender.ssrc, sender.stats);
    }
    const receivers = new Map<number, ReceiverStats>();
    for (const receiver of this.#receivers) {
      for (const stream of receiver.streams.values()) receivers.set(stream.ssrc, stream.stats);
    }
    return { senders, receivers };
  }

  #time(now: number): { wallClockMs: number; monotonicMs: number } {
    return { wallClockMs: performance.timeOrigin + now, monotonicMs: now };
  }

  /** An empty RR from our feedback SSRC: what leads a compound packet of feedback. */
  #minimalReport(): RtcpPacket[] {
    return this.#reporter
      .report({ senders: new Map(), receivers: new Map() }, this.#time(this.now()))
      .slice(0, 1);
  }

  #scheduleReport(now: number): void {
    const senders = this.#senders.filter((sender) => sender.counters.packetsSent > 0).length;
    this.#nextReportAt =
      now +
      rtcpInterval({
        members: 2,
        senders: senders > 0 ? 1 : 0,
        rtcpBandwidth: RTCP_BANDWIDTH,
        weSent: senders > 0,
        averageRtcpSize: this.#averageRtcpSize,
        initial: this.#firstReport,
        minIntervalMs: REPORT_INTERVAL_MS,
      });
    this.#firstReport = false;
  }

  #goodbye(senders: readonly RtpSendStream[]): void {
    const sources = senders.flatMap((sender) =>
      sender.counters.packetsSent === 0
        ? []
        : sender.rtxSsrc === undefined
          ? [sender.ssrc]
          : [sender.ssrc, sender.rtxSsrc],
    );
    if (sources.length === 0 || this.#stack?.srtp === undefined) return;
    const current = this.#rtcpStreams();
    // The leaving senders' final counts go out with their BYE (RFC 3550 §6.6).
    const all = new Map(current.senders);
    for (const sender of senders) all.set(sender.ssrc, sender.stats);
    const streams = { senders: all, receivers: current.receivers };
    this.sendRtcp(this.#reporter.goodbye(streams, this.#time(this.now()), sources));
  }
}
