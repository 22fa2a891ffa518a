/**
 * SRTP key derivation (RFC 3711 §4.3) with key derivation rate 0, the only rate DTLS-SRTP uses
 * (RFC 5764 §4.1.2): every session key is derived once, from the master key and salt, with the
 * AES-CM PRF (§4.3.3) — AES-128 or AES-256 after the master key's length (RFC 6188 §6).
 */

import { AES_BLOCK_LENGTH, type CryptoBackend } from '@typertc/common';

/** The labels of RFC 3711 §4.3.2 (SRTP) and §4.3.2 (SRTCP). */
export const SRTP_LABEL = {
  rtpEncryption: 0x00,
  rtpAuthentication: 0x01,
  rtpSalt: 0x02,
  rtcpEncryption: 0x03,
  rtcpAuthentication: 0x04,
  rtcpSalt: 0x05,
} as const;

/**
 * `length` bytes of PRF output for `label` (RFC 3711 §4.3.1): with r = 0, key_id = label || 0^48
 * and x = key_id XOR master_salt, the label lands on byte 7 of the 112-bit salt; the output is
 * the AES-CM keystream from the counter block x * 2^16. A 96-bit GCM master salt (RFC 7714 §11)
 * is padded on the right with zero bits to the same 112-bit field.
 */
export function deriveSessionKey(
  backend: CryptoBackend,
  masterKey: Uint8Array,
  masterSalt: Uint8Array,
  label: number,
  length: number,
): Uint8Array {
  const iv = new Uint8Array(AES_BLOCK_LENGTH);
  iv.set(masterSalt);
  iv[7] = (iv[7] as number) ^ label;
  return backend.aesCtr(masterKey).xor(iv, new Uint8Array(length));
}

/** The keys one direction of one of RTP or RTCP uses. */
export interface SrtpSessionKeys {
  readonly encryptionKey: Uint8Array;
  readonly salt: Uint8Array;
  /** Empty for AEAD profiles, which need none (RFC 7714 §11). */
  readonly authenticationKey: Uint8Array;
}

/** Session keys for SRTP and SRTCP of one master key (RFC 3711 §4.3.2). */
export function deriveSrtpSessionKeys(
  backend: CryptoBackend,
  masterKey: Uint8Array,
  masterSalt: Uint8Array,
  keyLength: number,
  saltLength: number,
  authKeyLength: number,
): { readonly rtp: SrtpSessionKeys; readonly rtcp: SrtpSessionKeys } {
  const derive = (label: number, length: number): Uint8Array =>
    length === 0
      ? new Uint8Array(0)
      : deriveSessionKey(backend, masterKey, masterSalt, label, length);
  return {
    rtp: {
      encryptionKey: derive(SRTP_LABEL.rtpEncryption, keyLength),
      salt: derive(SRTP_LABEL.rtpSalt, saltLength),
      authenticationKey: derive(SRTP_LABEL.rtpAuthentication, authKeyLength),
    },
    rtcp: {
      encryptionKey: derive(SRTP_LABEL.rtcpEncryption, keyLength),
      salt: derive(SRTP_LABEL.rtcpSalt, saltLength),
      authenticationKey: derive(SRTP_LABEL.rtcpAuthentication, authKeyLength),
    },
  };
}
