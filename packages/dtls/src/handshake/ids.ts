/**
 * The registered numbers the DTLS handshake carries: protocol versions, cipher suites, extension
 * types, named groups, signature schemes, SRTP profiles. One table for the whole package, so the
 * codecs, the record layer and the connection agree on every id.
 *
 * Keys are the names the registries use (IANA TLS parameters), so a grep for an RFC's name finds
 * the constant.
 */

/** Wire versions (RFC 6347 §4.1: the one's complement of the TLS version it maps to). */
export const ProtocolVersion = {
  dtls1_0: 0xfeff,
  dtls1_2: 0xfefd,
} as const;

export type ProtocolVersion = (typeof ProtocolVersion)[keyof typeof ProtocolVersion];

/**
 * The cipher suites this stack offers or recognises: the ECDHE suites WebRTC browsers negotiate
 * (RFC 8422 §6, RFC 5289 §3, RFC 7905 §2), and the renegotiation SCSV (RFC 5746 §3.3).
 */
export const CipherSuite = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca8,
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 0xc009,
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 0xc013,
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV: 0x00ff,
} as const;

export type CipherSuite = (typeof CipherSuite)[keyof typeof CipherSuite];

/** compression_methods: only null exists in practice (RFC 5246 §6.2.2; RFC 8422 adds none). */
export const CompressionMethod = {
  null: 0,
} as const;

/** Hello extension types (IANA "ExtensionType Values"). */
export const ExtensionType = {
  supportedGroups: 10, // RFC 8422 §5.1.1 (was elliptic_curves)
  ecPointFormats: 11, // RFC 8422 §5.1.2
  signatureAlgorithms: 13, // RFC 5246 §7.4.1.4.1
  useSrtp: 14, // RFC 5764 §4.1.1
  extendedMasterSecret: 23, // RFC 7627 §5.1
  renegotiationInfo: 0xff01, // RFC 5746 §3.2
} as const;

export type ExtensionType = (typeof ExtensionType)[keyof typeof ExtensionType];

/** Named groups for ECDHE (RFC 8422 §5.1.1, RFC 7748 for x25519). */
export const NamedGroup = {
  secp256r1: 23,
  secp384r1: 24,
  x25519: 29,
} as const;

export type NamedGroup = (typeof NamedGroup)[keyof typeof NamedGroup];

/** ECPointFormat (RFC 8422 §5.1.2): uncompressed is the only one left. */
export const EcPointFormat = {
  uncompressed: 0,
} as const;

/** ECCurveType (RFC 8422 §5.4): named_curve is the only one RFC 8422 still allows. */
export const EcCurveType = {
  namedCurve: 3,
} as const;

/**
 * SignatureAndHashAlgorithm (RFC 5246 §7.4.1.4.1), read as one u16 with the TLS 1.3 scheme
 * names (RFC 8446 §4.2.3), which keep the TLS 1.2 hash and signature bytes for these values.
 */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  rsa_pss_rsae_sha256: 0x0804,
} as const;

export type SignatureScheme = (typeof SignatureScheme)[keyof typeof SignatureScheme];

/** ClientCertificateType for CertificateRequest (RFC 5246 §7.4.4, RFC 8422 §5.5). */
export const ClientCertificateType = {
  rsaSign: 1,
  ecdsaSign: 64,
} as const;

export type ClientCertificateType =
  (typeof ClientCertificateType)[keyof typeof ClientCertificateType];

/** SRTP protection profiles for use_srtp (RFC 5764 §4.1.2, RFC 7714 §14.2). */
export const SrtpProtectionProfile = {
  SRTP_AES128_CM_HMAC_SHA1_80: 0x0001,
  SRTP_AES128_CM_HMAC_SHA1_32: 0x0002,
  SRTP_AEAD_AES_128_GCM: 0x0007,
  SRTP_AEAD_AES_256_GCM: 0x0008,
} as const;

export type SrtpProtectionProfile =
  (typeof SrtpProtectionProfile)[keyof typeof SrtpProtectionProfile];
