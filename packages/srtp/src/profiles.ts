/**
 * SRTP protection profiles, named as IANA names them, with their transform parameters:
 * RFC 5764 §4.1.2 (AES-128-CM with HMAC-SHA1), RFC 6188 §5-6 (AES-256-CM) and RFC 7714 §14.2
 * (AEAD AES-GCM).
 */

export type SrtpProfile =
  | 'SRTP_AES128_CM_HMAC_SHA1_80'
  | 'SRTP_AES128_CM_HMAC_SHA1_32'
  | 'SRTP_AES256_CM_HMAC_SHA1_80'
  | 'SRTP_AES256_CM_HMAC_SHA1_32'
  | 'SRTP_AEAD_AES_128_GCM'
  | 'SRTP_AEAD_AES_256_GCM';

export interface SrtpProfileParameters {
  readonly name: SrtpProfile;
  /**
   * The DTLS-SRTP protection profile id for the use_srtp extension (RFC 5764 §4.1.2, RFC 7714
   * §14.2), or `null` where IANA registered none: RFC 6188 defines its AES-256 transforms for
   * SDES (RFC 4568) crypto suites only.
   */
  readonly dtlsId: number | null;
  /** AES counter mode with HMAC-SHA1 (RFC 3711 §4.1.1, §4.2.1), or AES-GCM (RFC 7714). */
  readonly cipher: 'AES-CM' | 'AES-GCM';
  /** Master and session encryption key length in bytes. */
  readonly keyLength: number;
  /** Master and session salt length in bytes: 112 bits for AES-CM, 96 for GCM (RFC 7714 §12). */
  readonly saltLength: number;
  /** Session authentication key length in bytes: 160 bits (RFC 3711 §5.2), none for GCM. */
  readonly authKeyLength: number;
  /** Bytes of authentication tag on SRTP packets. */
  readonly srtpTagLength: number;
  /**
   * Bytes of authentication tag on SRTCP packets: always 80 bits for HMAC-SHA1, even in the
   * _32 profiles (RFC 5764 §4.1.2: "SRTCP_AUTH_TAG_LENGTH = 80"), 16 bytes for GCM.
   */
  readonly srtcpTagLength: number;
}

function cm(
  name: SrtpProfile,
  dtlsId: number | null,
  keyLength: number,
  srtpTagLength: number,
): SrtpProfileParameters {
  return {
    name,
    dtlsId,
    cipher: 'AES-CM',
    keyLength,
    saltLength: 14,
    authKeyLength: 20,
    srtpTagLength,
    srtcpTagLength: 10,
  };
}

function gcm(name: SrtpProfile, dtlsId: number, keyLength: number): SrtpProfileParameters {
  // RFC 7714 §14.2: 96-bit salt, 16-octet tag for SRTP and SRTCP alike.
  return {
    name,
    dtlsId,
    cipher: 'AES-GCM',
    keyLength,
    saltLength: 12,
    authKeyLength: 0,
    srtpTagLength: 16,
    srtcpTagLength: 16,
  };
}

/** Every profile this package implements, in order of preference for a DTLS offer. */
export const SRTP_PROFILES: Readonly<Record<SrtpProfile, SrtpProfileParameters>> = {
  SRTP_AEAD_AES_128_GCM: gcm('SRTP_AEAD_AES_128_GCM', 0x0007, 16),
  SRTP_AEAD_AES_256_GCM: gcm('SRTP_AEAD_AES_256_GCM', 0x0008, 32),
  SRTP_AES128_CM_HMAC_SHA1_80: cm('SRTP_AES128_CM_HMAC_SHA1_80', 0x0001, 16, 10),
  SRTP_AES128_CM_HMAC_SHA1_32: cm('SRTP_AES128_CM_HMAC_SHA1_32', 0x0002, 16, 4),
  SRTP_AES256_CM_HMAC_SHA1_80: cm('SRTP_AES256_CM_HMAC_SHA1_80', null, 32, 10),
  SRTP_AES256_CM_HMAC_SHA1_32: cm('SRTP_AES256_CM_HMAC_SHA1_32', null, 32, 4),
};

/** Whether `name` is a profile this package implements (for names from configuration). */
export function isSrtpProfile(name: string): name is SrtpProfile {
  return Object.hasOwn(SRTP_PROFILES, name);
}

/** The profile with DTLS-SRTP id `id` (RFC 5764 §4.1.2), or `undefined` for an id this package does not offer. */
export function srtpProfileByDtlsId(id: number): SrtpProfile | undefined {
  for (const parameters of Object.values(SRTP_PROFILES)) {
    if (parameters.dtlsId === id) return parameters.name;
  }
  return undefined;
}
