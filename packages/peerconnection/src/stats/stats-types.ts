/**
 * The stats dictionaries of webrtc-stats (Identifiers for WebRTC's Statistics API) this stack
 * reports, with the members' W3C names. Members this stack always fills are not optional here,
 * a narrowing of the IDL (where most are optional) that code written against the IDL accepts;
 * members left out when they do not apply stay optional.
 * Not reported: availableOutgoingBitrate/availableIncomingBitrate (no congestion controller
 * estimate), packetsDiscardedOnSend/bytesDiscardedOnSend, issuerCertificateId (every
 * certificate is self-signed, RFC 8827 §6.5); of the RTP streams, what needs an encoder, a
 * decoder, a jitter buffer or a media source (frames, samples, qp, mediaSourceId...), FEC, ECN
 * and the remote-outbound-rtp round trips (they need RTCP XR DLRR, RFC 3611 §4.5).
 */

import type { RTCDataChannelState } from '@typertc/sctp';

/** webrtc-stats RTCStatsType. */
export type RTCStatsType =
  | 'codec'
  | 'inbound-rtp'
  | 'outbound-rtp'
  | 'remote-inbound-rtp'
  | 'remote-outbound-rtp'
  | 'media-source'
  | 'media-playout'
  | 'peer-connection'
  | 'data-channel'
  | 'transport'
  | 'candidate-pair'
  | 'local-candidate'
  | 'remote-candidate'
  | 'certificate';

/** WebRTC 1.0 RTCStats (Statistics Model), which every stats object extends. */
export interface RTCStats {
  /** DOMHighResTimeStamp: performance.timeOrigin + performance.now() when it was collected. */
  readonly timestamp: number;
  readonly type: RTCStatsType;
  /** Unique within a report, stable for the monitored object, never reused for another. */
  readonly id: string;
}

/** webrtc-stats RTCPeerConnectionStats. */
export interface RTCPeerConnectionStats extends RTCStats {
  readonly type: 'peer-connection';
  /** Unique data channels that entered `open`. */
  readonly dataChannelsOpened: number;
  /** Unique data channels that left `open` (a channel never open counts in neither). */
  readonly dataChannelsClosed: number;
}

/** webrtc-stats RTCDataChannelStats. */
export interface RTCDataChannelStats extends RTCStats {
  readonly type: 'data-channel';
  readonly label: string;
  readonly protocol: string;
  /** The SCTP stream id; absent while an in-band channel has none (W3C §6.2: id null). */
  readonly dataChannelIdentifier?: number;
  readonly state: RTCDataChannelState;
  /** API messages (`send()` calls handed to SCTP, `message` events) and their payload bytes. */
  readonly messagesSent: number;
  readonly bytesSent: number;
  readonly messagesReceived: number;
  readonly bytesReceived: number;
}

/** WebRTC 1.0 RTCIceRole. */
export type RTCIceRole = 'unknown' | 'controlling' | 'controlled';
/** webrtc-stats RTCDtlsRole. */
export type RTCDtlsRole = 'client' | 'server' | 'unknown';
/** WebRTC 1.0 §5.5 RTCDtlsTransportState. */
export type RTCDtlsTransportStatsState = 'new' | 'connecting' | 'connected' | 'closed' | 'failed';
/** WebRTC 1.0 §5.6 RTCIceTransportState. */
export type RTCIceTransportStatsState =
  | 'new'
  | 'checking'
  | 'connected'
  | 'completed'
  | 'disconnected'
  | 'failed'
  | 'closed';

/** webrtc-stats RTCTransportStats: the ICE and DTLS transport of the BUNDLE group. */
export interface RTCTransportStats extends RTCStats {
  readonly type: 'transport';
  /** Packets and payload bytes on the transport, ICE connectivity checks not included. */
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly iceRole: RTCIceRole;
  readonly iceLocalUsernameFragment: string;
  readonly dtlsState: RTCDtlsTransportStatsState;
  readonly iceState: RTCIceTransportStatsState;
  /** Absent until a pair is selected. */
  readonly selectedCandidatePairId?: string;
  readonly localCertificateId?: string;
  /** Absent until the peer's certificate has been verified against its fingerprint. */
  readonly remoteCertificateId?: string;
  /** The negotiated version's wire value in upper-case hex: `FEFD` is DTLS 1.2. */
  readonly tlsVersion?: string;
  /** The negotiated cipher suite's IANA name, e.g. TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256. */
  readonly dtlsCipher?: string;
  /** The SRTP protection profile's IANA name, e.g. SRTP_AEAD_AES_128_GCM (RFC 5764 §4.1.2). */
  readonly srtpCipher?: string;
  readonly dtlsRole: RTCDtlsRole;
  readonly selectedCandidatePairChanges: number;
}

/** webrtc-stats RTCStatsIceCandidatePairState (RFC 8445 §6.1.2.6 pair states). */
export type RTCStatsIceCandidatePairState =
  | 'frozen'
  | 'waiting'
  | 'in-progress'
  | 'failed'
  | 'succeeded';

/** webrtc-stats RTCIceCandidatePairStats. */
export interface RTCIceCandidatePairStats extends RTCStats {
  readonly type: 'candidate-pair';
  readonly transportId: string;
  readonly localCandidateId: string;
  readonly remoteCandidateId: string;
  readonly state: RTCStatsIceCandidatePairState;
  readonly nominated: boolean;
  /** Data packets and payload bytes on the pair, STUN not included. */
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Absent until a data packet was sent (received) on the pair. */
  readonly lastPacketSentTimestamp?: number;
  readonly lastPacketReceivedTimestamp?: number;
  /** Seconds: the sum over `responsesReceived`, and the latest (absent before the first). */
  readonly totalRoundTripTime: number;
  readonly currentRoundTripTime?: number;
  readonly requestsReceived: number;
  /** Connectivity checks sent, retransmissions not counted; consent requests apart. */
  readonly requestsSent: number;
  readonly responsesReceived: number;
  readonly responsesSent: number;
  readonly consentRequestsSent: number;
}

/** WebRTC 1.0 RTCIceCandidateType. */
export type RTCIceCandidateType = 'host' | 'srflx' | 'prflx' | 'relay';
/** WebRTC 1.0 RTCIceServerTransportProtocol. */
export type RTCIceServerTransportProtocol = 'udp' | 'tcp' | 'tls';
/** WebRTC 1.0 RTCIceTcpCandidateType. */
export type RTCIceTcpCandidateType = 'active' | 'passive' | 'so';

/** webrtc-stats RTCIceCandidateStats, for `local-candidate` and `remote-candidate`. */
export interface RTCIceCandidateStats extends RTCStats {
  readonly type: 'local-candidate' | 'remote-candidate';
  readonly transportId: string;
  readonly address: string;
  readonly port: number;
  readonly protocol: 'udp' | 'tcp';
  readonly candidateType: RTCIceCandidateType;
  readonly priority: number;
  /** A local server-reflexive or relayed candidate's STUN or TURN server. */
  readonly url?: string;
  /** A local relayed candidate's transport to its TURN server. */
  readonly relayProtocol?: RTCIceServerTransportProtocol;
  readonly foundation: string;
  readonly relatedAddress?: string;
  readonly relatedPort?: number;
  readonly usernameFragment?: string;
  readonly tcpType?: RTCIceTcpCandidateType;
}

/** webrtc-stats RTCCertificateStats. */
export interface RTCCertificateStats extends RTCStats {
  readonly type: 'certificate';
  /** Upper-case hex pairs joined by colons, as in `a=fingerprint` (RFC 8122 §5). */
  readonly fingerprint: string;
  /** The hash function, named as in SDP's hash-func, e.g. `sha-256`. */
  readonly fingerprintAlgorithm: string;
  /** The DER encoding of the certificate, in base64. */
  readonly base64Certificate: string;
}

/** webrtc-stats RTCCodecStats: a codec in use by an RTP stream on a transport. */
export interface RTCCodecStats extends RTCStats {
  readonly type: 'codec';
  readonly payloadType: number;
  readonly transportId: string;
  /** `type/subtype`, e.g. `video/VP8`. */
  readonly mimeType: string;
  readonly clockRate: number;
  /** The channel count, where the rtpmap gives one (2 for stereo). */
  readonly channels?: number;
  /** The a=fmtp parameters (after `a=fmtp:<pt> `), where there are any. */
  readonly sdpFmtpLine?: string;
}

/** webrtc-stats RTCRtpStreamStats: what every RTP stream object has. */
export interface RTCRtpStreamStats extends RTCStats {
  readonly type: 'inbound-rtp' | 'outbound-rtp' | 'remote-inbound-rtp' | 'remote-outbound-rtp';
  readonly ssrc: number;
  readonly kind: 'audio' | 'video';
  readonly transportId: string;
  /** Absent until the stream's codec is known (its first packet). */
  readonly codecId?: string;
}

/** webrtc-stats RTCReceivedRtpStreamStats: measured where the stream is received. */
export interface RTCReceivedRtpStreamStats extends RTCRtpStreamStats {
  readonly type: 'inbound-rtp' | 'remote-inbound-rtp';
  /** RFC 3550 §6.4.1 cumulative number lost: negative if more arrived than were expected. */
  readonly packetsLost: number;
  /** RFC 3550 §6.4.1 interarrival jitter, in seconds. */
  readonly jitter: number;
}

/** webrtc-stats RTCInboundRtpStreamStats: a stream we receive. */
export interface RTCInboundRtpStreamStats extends RTCReceivedRtpStreamStats {
  readonly type: 'inbound-rtp';
  readonly trackIdentifier: string;
  readonly mid: string;
  /** The remote-outbound-rtp of the same SSRC, once the sender's first SR arrived. */
  readonly remoteId?: string;
  /** RTP packets received, retransmissions included. */
  readonly packetsReceived: number;
  /** Payload bytes received, retransmissions included; headers and padding apart. */
  readonly bytesReceived: number;
  readonly headerBytesReceived: number;
  /** Absent before the first packet. */
  readonly lastPacketReceivedTimestamp?: number;
  /** NACK messages sent by this receiver. */
  readonly nackCount: number;
  /** FIR and PLI messages sent by this receiver: video only. */
  readonly firCount?: number;
  readonly pliCount?: number;
  readonly retransmittedPacketsReceived: number;
  readonly retransmittedBytesReceived: number;
  /** The RTX stream repairing this one, where there is one. */
  readonly rtxSsrc?: number;
}

/** webrtc-stats RTCRemoteInboundRtpStreamStats: the peer's reports on a stream we send. */
export interface RTCRemoteInboundRtpStreamStats extends RTCReceivedRtpStreamStats {
  readonly type: 'remote-inbound-rtp';
  /** The outbound-rtp of the same SSRC. */
  readonly localId: string;
  /** Seconds, from the last report block with a DLSR other than 0; absent before one. */
  readonly roundTripTime?: number;
  readonly totalRoundTripTime: number;
  /** The last report block's fraction lost, 0..1. */
  readonly fractionLost: number;
  readonly roundTripTimeMeasurements: number;
}

/** webrtc-stats RTCSentRtpStreamStats: measured where the stream is sent. */
export interface RTCSentRtpStreamStats extends RTCRtpStreamStats {
  readonly type: 'outbound-rtp' | 'remote-outbound-rtp';
  /** RTP packets and their payload bytes (RFC 3550 §6.4.1), retransmissions included. */
  readonly packetsSent: number;
  readonly bytesSent: number;
}

/** webrtc-stats RTCOutboundRtpStreamStats: a stream we send. */
export interface RTCOutboundRtpStreamStats extends RTCSentRtpStreamStats {
  readonly type: 'outbound-rtp';
  readonly mid: string;
  /** The remote-inbound-rtp of the same SSRC, once the peer's first report block arrived. */
  readonly remoteId?: string;
  /** The encoding's rid, where it has one. */
  readonly rid?: string;
  readonly headerBytesSent: number;
  readonly retransmittedPacketsSent: number;
  readonly retransmittedBytesSent: number;
  /** The RTX stream carrying this one's retransmissions, where there is one. */
  readonly rtxSsrc?: number;
  /** NACK messages received by this sender. */
  readonly nackCount: number;
  /** FIR and PLI messages received by this sender: video only. */
  readonly firCount?: number;
  readonly pliCount?: number;
  /** Whether the stream is configured to be sent. */
  readonly active: boolean;
}

/** webrtc-stats RTCRemoteOutboundRtpStreamStats: the peer's SRs on a stream we receive. */
export interface RTCRemoteOutboundRtpStreamStats extends RTCSentRtpStreamStats {
  readonly type: 'remote-outbound-rtp';
  /** The inbound-rtp of the same SSRC. */
  readonly localId: string;
  /** The last SR's NTP time, on the sender's clock (Unix ms); `timestamp` is its arrival. */
  readonly remoteTimestamp: number;
  /** SRs sent for this SSRC (that reached us). */
  readonly reportsSent: number;
}

/** Every stats object this stack reports; `type` tells them apart. */
export type AnyRTCStats =
  | RTCPeerConnectionStats
  | RTCDataChannelStats
  | RTCTransportStats
  | RTCIceCandidatePairStats
  | RTCIceCandidateStats
  | RTCCertificateStats
  | RTCCodecStats
  | RTCInboundRtpStreamStats
  | RTCRemoteInboundRtpStreamStats
  | RTCOutboundRtpStreamStats
  | RTCRemoteOutboundRtpStreamStats;
