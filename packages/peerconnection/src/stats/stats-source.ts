/**
 * What `buildStatsReport` reads: the objects a peer connection holds, seen through the few
 * members the report needs, so the builder depends on no peer connection internals and its
 * tests can hand it plain objects. The real ones fit as they are: `IceTransport`,
 * `DtlsTransport`, `DataChannelManager` (and its `RTCDataChannel`s), `RTCCertificate`.
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

export interface StatsSource {
  /** Undefined until a description made the transports (and after `close()`). */
  readonly ice: IceStatsSource | undefined;
  readonly dtls: DtlsStatsSource | undefined;
  readonly dataChannels: DataChannelsStatsSource;
  /** Undefined while the certificate is being generated. */
  readonly certificate: CertificateStatsSource | undefined;
}
