/**
 * What `buildStatsReport` reads: the objects a peer connection holds, seen through the few
 * members the report needs, so the builder depends on no peer connection internals and its
 * tests can hand it plain objects. The real ones fit as they are: `IceTransport`,
 * `DtlsTransport`, `DataChannelManager` (and its `RTCDataChannel`s), `RTCCertificate`; the RTP
 * engine fills a `MediaStatsSource` snapshot.
 */

import type { DtlsRole, DtlsState } from '@typertc/dtls';
import type { IceTransportStats } from '@typertc/ice';
import type { DataChannelManagerStats, DataChannelStats, RTCDataChannelState } from '@typertc/sctp';
import type { RTCDtlsFingerprint } from '../certificate.js';

/** The ICE transport of the BUNDLE group (`IceTransport`). */
export interface IceStatsSource {
  getStats(): IceTransportStats;
}

/** Its DTLS transport (`DtlsTransport`), once the DTLS role is known. */
export interface DtlsStatsSource {
  readonly state: DtlsState;
  readonly connection: {
    readonly role: DtlsRole;
    /** The IANA name, once the ServerHello is in. */
    readonly cipherSuite: string | undefined;
    /** The wire version (0xfefd for DTLS 1.2), once the ServerHello is in. */
    readonly protocolVersion: number | undefined;
    /** The peer's certificate (DER), once verified against its fingerprint. */
    readonly remoteCertificate: Uint8Array | undefined;
    /** The use_srtp profile the handshake chose (RFC 5764 §4.1.2), once connected. */
    readonly srtpProfile: number | undefined;
  };
}

/** One data channel (`RTCDataChannel`). */
export interface DataChannelStatsSource {
  readonly label: string;
  readonly protocol: string;
  readonly id: number | null;
  readonly readyState: RTCDataChannelState;
  readonly stats: DataChannelStats;
}

/** The peer connection's data channels (`DataChannelManager`). */
export interface DataChannelsStatsSource {
  readonly stats: DataChannelManagerStats;
  /** The channels not closed yet: a closed channel's stats object is deleted. */
  readonly channels: readonly DataChannelStatsSource[];
}

/** The peer connection's DTLS certificate (`RTCCertificate`). */
export interface CertificateStatsSource {
  readonly dtlsCertificate: { readonly der: Uint8Array };
  getFingerprints(): RTCDtlsFingerprint[];
}

/**
 * A codec an RTP stream uses, as negotiated (webrtc-stats RTCCodecStats): one payload type of
 * the BUNDLE transport. `mimeType` is `kind/encoding-name` as in the rtpmap (`audio/opus`,
 * `video/VP8`), so it holds exactly one `/` and no `;`.
 */
export interface StatsCodec {
  payloadType: number;
  mimeType: string;
  /** The rtpmap clock rate, Hz. */
  clockRate: number;
  /** The rtpmap channel count; absent when the rtpmap has none (webrtc-stats: 2 for stereo). */
  channels?: number;
  /** The a=fmtp parameters after `a=fmtp:<pt> `; absent (or empty) when there are none. */
  sdpFmtpLine?: string;
}

/**
 * One RTP stream we send (webrtc-stats outbound-rtp, and remote-inbound-rtp once the peer has
 * reported on it): one per SSRC, a simulcast layer being one stream. Counters are totals since
 * the stream started; times are ms on the report's clock (performance.timeOrigin +
 * performance.now()).
 */
export interface OutboundStreamStatsSource {
  readonly kind: 'audio' | 'video';
  readonly mid: string;
  readonly ssrc: number;
  /** The SSRC of the RTX stream (RFC 4588) carrying this one's retransmissions, if any. */
  readonly rtxSsrc?: number;
  readonly rid?: string;
  /** The sender's track id. Not reported: outbound-rtp names a media-source, which we lack. */
  readonly trackId?: string;
  /** The codec of the last packet sent; undefined before the first. */
  readonly codec: StatsCodec | undefined;
  /** Whether the stream is configured to be sent (RTCRtpEncodingParameters.active). */
  readonly active: boolean;
  /** RTP packets sent, retransmissions (on this SSRC or the RTX one) included. */
  readonly packetsSent: number;
  /** Payload bytes (RFC 3550 §6.4.1: no header, no padding), retransmissions included. */
  readonly bytesSent: number;
  /** RTP header and padding bytes of the same packets (not IP, UDP or SRTP overhead). */
  readonly headerBytesSent: number;
  /** The retransmissions among `packetsSent` and their payload bytes among `bytesSent`. */
  readonly retransmittedPacketsSent: number;
  readonly retransmittedBytesSent: number;
  /** Feedback the peer sent about this stream: NACK, PLI and FIR messages received. */
  readonly nackCount: number;
  readonly pliCount: number;
  readonly firCount: number;
  /**
   * When the last packet was sent. Not reported: webrtc-stats removed lastPacketSentTimestamp
   * from outbound-rtp (it remains on candidate-pair).
   */
  readonly lastPacketSentTimestamp?: number;
  /** From the peer's RR/SR report blocks about this SSRC; undefined before the first. */
  readonly remote?: {
    /** The report block's cumulative number of packets lost (may be negative). */
    readonly packetsLost: number;
    /** The last report block's fraction lost, 0..1 (the 8-bit field / 256). */
    readonly fractionLost: number;
    /** The interarrival jitter, in seconds (the field / the codec clock rate). */
    readonly jitterSeconds: number;
    /** RFC 3550 §6.4.1 round trip from LSR/DLSR, of the last block with DLSR ≠ 0. */
    readonly roundTripTimeSeconds?: number;
    /** The sum of the round trips measured, and their number. */
    readonly totalRoundTripTimeSeconds: number;
    readonly roundTripTimeMeasurements: number;
    /** Report blocks received about this SSRC. Not reported: webrtc-stats has no member for it. */
    readonly reportsReceived: number;
    /** When the last one arrived (the remote-inbound-rtp object's timestamp). */
    readonly lastReportTimestamp: number;
  };
}

/**
 * One RTP stream we receive (webrtc-stats inbound-rtp, and remote-outbound-rtp once the peer
 * has sent an SR for it). Counters are totals; times are ms on the report's clock.
 */
export interface InboundStreamStatsSource {
  readonly kind: 'audio' | 'video';
  readonly mid: string;
  readonly ssrc: number;
  /** Not reported: webrtc-stats has no rid on inbound-rtp. */
  readonly rid?: string;
  /** The SSRC of the RTX stream (RFC 4588) repairing this one, once known (webrtc-stats rtxSsrc). */
  readonly rtxSsrc?: number;
  /** The receiver's track id (MediaStreamTrack.id). */
  readonly trackIdentifier: string;
  /** The codec of the last packet received; undefined before the first. */
  readonly codec: StatsCodec | undefined;
  /** RTP packets and their payload bytes received, retransmissions included; header bytes apart. */
  readonly packetsReceived: number;
  readonly bytesReceived: number;
  readonly headerBytesReceived: number;
  /** RFC 3550 §6.4.1 cumulative number of packets lost (may be negative). */
  readonly packetsLost: number;
  /** RFC 3550 §6.4.1 interarrival jitter, in seconds. */
  readonly jitterSeconds: number;
  /** Feedback we sent about this stream: NACK, PLI and FIR messages. */
  readonly nackCount: number;
  readonly pliCount: number;
  readonly firCount: number;
  /** The retransmissions among `packetsReceived` and their payload bytes among `bytesReceived`. */
  readonly retransmittedPacketsReceived: number;
  readonly retransmittedBytesReceived: number;
  /** Undefined before the first packet. */
  readonly lastPacketReceivedTimestamp?: number;
  /** From the peer's SRs about this SSRC (remote-outbound-rtp); undefined before the first. */
  readonly remote?: {
    /** The last SR's sender's packet count and octet count (payload bytes). */
    readonly packetsSent: number;
    readonly bytesSent: number;
    /** The last SR's NTP timestamp as Unix ms: the sender's clock, not ours. */
    readonly remoteTimestamp: number;
    /** SRs received for this SSRC. */
    readonly reportsSent: number;
    /** When the last one arrived (the remote-outbound-rtp object's timestamp). */
    readonly lastReportTimestamp: number;
  };
}

/**
 * The RTP streams of the peer connection, as the RTP engine last counted them. Which to list
 * (webrtc-stats, "The RTP statistics hierarchy"): a stream from its first RTP or RTCP packet
 * until its sender or receiver stops using the SSRC (a new SSRC, a simulcast layer dropped, the
 * transceiver stopped); an inactive transceiver or encoding keeps its streams.
 */
export interface MediaStatsSource {
  /** Streams we send, and streams we receive. */
  readonly outbound: readonly OutboundStreamStatsSource[];
  readonly inbound: readonly InboundStreamStatsSource[];
}

export interface StatsSource {
  /** Undefined until a description made the transports (and after `close()`). */
  readonly ice: IceStatsSource | undefined;
  readonly dtls: DtlsStatsSource | undefined;
  readonly dataChannels: DataChannelsStatsSource;
  /** Undefined while the certificate is being generated. */
  readonly certificate: CertificateStatsSource | undefined;
  /** The RTP streams; undefined (or empty) without media. Reported only with `ice`. */
  readonly media?: MediaStatsSource;
}
