/**
 * The regular RTCP reports of a peer connection, sans-I/O: what to send about once a second
 * (RFC 3550 §6.1, §6.4) and what to make of the reports that come back (§6.4.1).
 *
 * Sending, `RtcpReporter.report` builds one compound packet: an SR for each SSRC we send on, or
 * one RR from `localSsrc` when we send nothing; the report blocks for the SSRCs we receive ride
 * on the first report, and those past 31 on further RRs right after it (§6.4.2); then an SDES
 * with our CNAME for every reporting SSRC (§6.5). `goodbye` adds a BYE at the end (§6.6). The
 * packets go to `serializeRtcp` (from `@typertc/rtp-rtcp`) and then to SRTCP.
 *
 * Receiving, `receiveRtcp` hands each SR to the `ReceiverStats` of its SSRC (the LSR and DLSR of
 * our next blocks) and returns the blocks about our own streams with the round-trip time they
 * give (RFC 3550 §6.4.1), the SRs, and the SSRCs that left.
 *
 * The statistics themselves are `SenderStats` and `ReceiverStats` (RFC 3550 Appendix A); this
 * module only decides what goes in which packet.
 */

import { randomBytes } from 'node:crypto';
import { TypeRtcError } from '@typertc/common';
import {
  Goodbye,
  ntpFromUnixMs,
  ntpMiddle32,
  ReceiverReport,
  type ReceiverStats,
  type ReportBlock,
  type RtcpPacket,
  type SdesChunk,
  SdesItemType,
  SenderReport,
  type SenderStats,
  SourceDescription,
} from '@typertc/rtp-rtcp';

/**
 * What one SR or RR holds in report blocks, one SDES in chunks, one BYE in sources: their 5-bit
 * count field (RFC 3550 §6.4.1, §6.5, §6.6).
 */
const MAX_COUNT = 31;
/** Longest SDES item text and BYE reason, in UTF-8 bytes: their 8-bit length field. */
const MAX_TEXT_BYTES = 255;
/** Random bits in a CNAME (RFC 7022 §5: at least 96). */
const CNAME_RANDOM_BYTES = 12;
const UINT32_MASK = 0xffff_ffffn;

/** A value RTCP cannot carry, passed to `RtcpReporter`. */
export class RtcpReportError extends TypeRtcError {
  constructor(message: string, code: 'INVALID_SSRC' | 'INVALID_TEXT' | 'INVALID_ARGUMENT') {
    super(message, code);
  }
}

/**
 * A CNAME for one peer connection: 96 random bits in base64, 16 characters (RFC 7022 §5). WebRTC
 * uses such a short-term CNAME, the same for every stream of a peer connection, so that it binds
 * them for synchronisation without identifying the host (RFC 8834 §4.9).
 */
export function randomCname(): string {
  return randomBytes(CNAME_RANDOM_BYTES).toString('base64');
}

/** The streams a peer connection sends and receives, by SSRC. */
export interface RtcpStreams {
  readonly senders: ReadonlyMap<number, SenderStats>;
  /**
   * Every source with a valid `ReceiverStats` gets a report block. The caller removes a source
   * once it times out (RFC 3550 §6.3.5) or says goodbye.
   */
  readonly receivers: ReadonlyMap<number, ReceiverStats>;
}

/** The instant a report is built or received, in the time bases of the statistics. */
export interface RtcpTime {
  /** Unix wall-clock milliseconds: `SenderStats`' base, which becomes the NTP timestamps. */
  readonly wallClockMs: number;
  /** The monotonic milliseconds `ReceiverStats` are fed with (DLSR is measured in them). */
  readonly monotonicMs: number;
}

export interface RtcpReporterOptions {
  /**
   * The SSRC our RRs come from while we send nothing (a receive-only peer connection still
   * needs one, RFC 3550 §6.4.2).
   */
  readonly localSsrc: number;
  /** Our CNAME; `randomCname()` by default. */
  readonly cname?: string;
  /** Whether `a=rtcp-rsize` was negotiated (RFC 5506). */
  readonly reducedSize?: boolean;
}

/** Packet counts of one sending SSRC at the last two reports, for RFC 3550 §6.4's SR-or-RR. */
interface SentCounts {
  readonly last: number;
  readonly beforeLast: number;
}

type Report = SenderReport | ReceiverReport;

export class RtcpReporter {
  readonly localSsrc: number;
  readonly cname: string;
  readonly reducedSize: boolean;
  #sentCounts = new Map<number, SentCounts>();
  /** Reporting SSRCs whose CNAME went out with the previous report (consulted in reduced size). */
  #announced = new Set<number>();

  constructor(options: RtcpReporterOptions) {
    const { localSsrc, cname = randomCname(), reducedSize = false } = options;
    if (!Number.isInteger(localSsrc) || localSsrc < 0 || localSsrc > 0xffff_ffff) {
      throw new RtcpReportError(`localSsrc ${localSsrc} is not a 32-bit SSRC`, 'INVALID_SSRC');
    }
    const cnameBytes = Buffer.byteLength(cname);
    if (cnameBytes === 0 || cnameBytes > MAX_TEXT_BYTES) {
      throw new RtcpReportError(`a CNAME of ${cnameBytes} bytes (1-255 allowed)`, 'INVALID_TEXT');
    }
    this.localSsrc = localSsrc;
    this.cname = cname;
    this.reducedSize = reducedSize;
  }

  /**
   * The packets of one regular report at `time`, in compound order (RFC 3550 §6.1): the reports,
   * then the SDES. Computing it starts a new reporting interval of every receiver's statistics
   * (the fraction lost is per interval, A.3).
   *
   * With reduced-size RTCP the compound rules are lifted (RFC 5506 §3), so the SDES goes only
   * when a reporting SSRC has not had its CNAME sent with the previous report: the peer still
   * needs it once to bind that SSRC to us (RFC 3550 §6.5.1).
   */
  report(streams: RtcpStreams, time: RtcpTime): RtcpPacket[] {
    const reports = this.#reports(streams, time);
    const sources: number[] = [];
    for (const report of reports) if (!sources.includes(report.ssrc)) sources.push(report.ssrc);
    const describe = this.reducedSize
      ? sources.filter((ssrc) => !this.#announced.has(ssrc))
      : sources;
    this.#announced = new Set(sources);
    const packets: RtcpPacket[] = [...reports];
    for (let i = 0; i < describe.length; i += MAX_COUNT) {
      const chunks = describe.slice(i, i + MAX_COUNT).map(
        (source): SdesChunk => ({
          source,
          items: [{ type: SdesItemType.CNAME, text: this.cname }],
        }),
      );
      packets.push(new SourceDescription(chunks));
    }
    return packets;
  }

  /**
   * A report (as `report`) followed by a BYE for `sources` (RFC 3550 §6.6): a BYE follows a
   * report in its compound packet (§6.1) and is the last packet sent with its SSRCs. Pass the
   * streams with the leaving ones still in, so their final counts go out in the same datagram.
   * More than 31 sources take several BYEs; `reason` goes with the last. Throws
   * `RtcpReportError` for no sources or a reason longer than 255 bytes.
   */
  goodbye(
    streams: RtcpStreams,
    time: RtcpTime,
    sources: readonly number[],
    reason?: string,
  ): RtcpPacket[] {
    if (sources.length === 0) {
      throw new RtcpReportError('a BYE needs at least one SSRC', 'INVALID_ARGUMENT');
    }
    if (reason !== undefined && Buffer.byteLength(reason) > MAX_TEXT_BYTES) {
      throw new RtcpReportError(
        `a BYE reason of ${Buffer.byteLength(reason)} bytes (at most 255)`,
        'INVALID_TEXT',
      );
    }
    const packets = this.report(streams, time);
    for (let i = 0; i < sources.length; i += MAX_COUNT) {
      const last = i + MAX_COUNT >= sources.length;
      packets.push(new Goodbye(sources.slice(i, i + MAX_COUNT), last ? reason : undefined));
    }
    return packets;
  }

  /**
   * The SRs and RRs: one per sending SSRC, or one from `localSsrc`, with the report blocks on the
   * first and further RRs from the same SSRC for the blocks past 31 (§6.4.2). Several SSRCs of
   * one endpoint in one compound packet is what §6.1 allows ("packet types may appear more than
   * once") and what RFC 8108 asks of multi-stream endpoints.
   */
  #reports(streams: RtcpStreams, time: RtcpTime): Report[] {
    const blocks: ReportBlock[] = [];
    for (const receiver of streams.receivers.values()) {
      // A source still on probation (A.1) has no statistics to report yet.
      if (receiver.valid) blocks.push(receiver.reportBlock(time.monotonicMs));
    }
    const reports: Report[] = [];
    const sentCounts = new Map<number, SentCounts>();
    for (const sender of streams.senders.values()) {
      const count = sender.packetCount;
      const previous = this.#sentCounts.get(sender.ssrc);
      sentCounts.set(sender.ssrc, { last: count, beforeLast: previous?.last ?? 0 });
      // §6.4: an SR when the SSRC sent data since the report before last, otherwise an RR.
      const sentRecently = count !== (previous?.beforeLast ?? 0);
      const info = sentRecently ? sender.senderInfo(time.wallClockMs) : undefined;
      if (info === undefined) {
        reports.push(new ReceiverReport({ ssrc: sender.ssrc }));
        continue;
      }
      reports.push(
        new SenderReport({
          ssrc: sender.ssrc,
          ntpSeconds: Number(info.ntpTimestamp >> 32n),
          ntpFraction: Number(info.ntpTimestamp & UINT32_MASK),
          rtpTimestamp: info.rtpTimestamp,
          packetCount: info.packetCount,
          octetCount: info.octetCount,
        }),
      );
    }
    // Entries of SSRCs no longer sending go: the map stays the size of `senders`.
    this.#sentCounts = sentCounts;
    const first = reports[0] ?? new ReceiverReport({ ssrc: this.localSsrc });
    first.reports = blocks.slice(0, MAX_COUNT);
    const overflow: Report[] = [];
    for (let i = MAX_COUNT; i < blocks.length; i += MAX_COUNT) {
      overflow.push(
        new ReceiverReport({ ssrc: first.ssrc, reports: blocks.slice(i, i + MAX_COUNT) }),
      );
    }
    return [first, ...overflow, ...reports.slice(1)];
  }
}

/** A report block about one of our streams, as received. */
export interface ReceivedReport {
  /** The SSRC of the SR or RR that carried it. */
  readonly reporter: number;
  readonly block: ReportBlock;
  /** RTT from LSR and DLSR (RFC 3550 §6.4.1); undefined while the peer has had no SR from us. */
  readonly roundTripTimeMs: number | undefined;
}

export interface RtcpReceived {
  /** Blocks about SSRCs in `streams.senders`; blocks about other SSRCs are left out. */
  readonly reports: ReceivedReport[];
  /** Every SR received: the peer's RTP/NTP mapping and counts (remote-outbound statistics). */
  readonly senderReports: SenderReport[];
  /** SSRCs the peer said goodbye to (RFC 3550 §6.6); the caller stops reporting on them. */
  readonly goodbyes: number[];
}

/**
 * Takes in the packets of one received RTCP datagram (as `parseRtcp` returns them) at `time`:
 * each SR updates the `ReceiverStats` of its SSRC, so that our next report block about it
 * echoes its NTP time as LSR and counts DLSR from now (§6.4.1), and each report block about a
 * stream we send yields its round-trip time, A - LSR - DLSR with A our wall clock now.
 */
export function receiveRtcp(
  packets: readonly RtcpPacket[],
  streams: RtcpStreams,
  time: RtcpTime,
): RtcpReceived {
  const received: RtcpReceived = { reports: [], senderReports: [], goodbyes: [] };
  const arrival = ntpMiddle32(ntpFromUnixMs(time.wallClockMs));
  for (const packet of packets) {
    if (packet.kind === 'sr') {
      streams.receivers.get(packet.ssrc)?.onSenderReport(packet.ntpMiddle, time.monotonicMs);
      received.senderReports.push(packet);
    }
    if (packet.kind === 'sr' || packet.kind === 'rr') {
      for (const block of packet.reports) {
        const sender = streams.senders.get(block.ssrc);
        if (sender === undefined) continue;
        received.reports.push({
          reporter: packet.ssrc,
          block,
          roundTripTimeMs: sender.roundTripTime(block, arrival),
        });
      }
    } else if (packet.kind === 'bye') {
      received.goodbyes.push(...packet.sources);
    }
  }
  return received;
}
