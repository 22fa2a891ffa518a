/**
 * The stats dictionaries of webrtc-stats (Identifiers for WebRTC's Statistics API) that a
 * data-channel-only peer connection reports, with the members' W3C names. Members this stack
 * always fills are not optional here, a narrowing of the IDL (where most are optional) that
 * code written against the IDL accepts; members left out when they do not apply stay optional.
 * Not reported: availableOutgoingBitrate/availableIncomingBitrate (no congestion controller
 * estimate without media), packetsDiscardedOnSend/bytesDiscardedOnSend, srtpCipher (no SRTP),
 * issuerCertificateId (every certificate is self-signed, RFC 8827 §6.5).
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

/** Every stats object this stack reports; `type` tells them apart. */
export type AnyRTCStats =
  | RTCPeerConnectionStats
  | RTCDataChannelStats
  | RTCTransportStats
  | RTCIceCandidatePairStats
  | RTCIceCandidateStats
  | RTCCertificateStats;
