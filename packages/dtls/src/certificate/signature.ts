/**
 * The handshake's signatures: ServerKeyExchange (RFC 8422 §5.4) and CertificateVerify (RFC 5246
 * §7.4.8), under the signature schemes of RFC 8446 §4.2.3, whose code points TLS 1.2 reads as
 * its SignatureAndHashAlgorithm pairs (RFC 5246 §7.4.1.4.1).
 */

import { constants, type KeyObject, sign, verify, X509Certificate } from 'node:crypto';
import { DtlsError, DtlsVerificationError } from '../errors.js';
import { SignatureScheme } from '../handshake/ids.js';
import { type DtlsCertificate, keyTypeOf, type SigningKeyType } from './certificate.js';

/** The schemes we accept from peers, in preference order. */
export const SUPPORTED_SIGNATURE_SCHEMES: readonly number[] = [
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pkcs1_sha256,
];

/** The peer's certificate from its Certificate message, parsed for its key and validity. */
export interface PeerCertificate {
  /** The bytes given to `parsePeerCertificate` (a view, not a copy). */
  readonly der: Uint8Array;
  readonly publicKey: KeyObject;
  /** `other` for keys no supported scheme can verify (e.g. Ed25519, RSA-PSS-only keys). */
  readonly keyType: SigningKeyType | 'other';
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/**
 * Parses the peer's end-entity certificate. WebRTC certificates are self-signed and
 * authenticated by the SDP fingerprint (RFC 8827 §6.5), so there is no chain validation here.
 * Throws `DtlsVerificationError` (check `certificate`) for bytes that are not exactly one DER
 * certificate.
 */
export function parsePeerCertificate(der: Uint8Array): PeerCertificate {
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(Buffer.from(der.buffer, der.byteOffset, der.byteLength));
  } catch (cause) {
    throw new DtlsVerificationError('certificate', 'not an X.509 certificate', { cause });
  }
  // OpenSSL ignores bytes after the certificate and also takes PEM text; the fingerprint is
  // over the bytes as sent, so they must be the DER certificate and nothing else.
  if (parsed.raw.length !== der.length) {
    throw new DtlsVerificationError('certificate', 'not a single DER certificate');
  }
  let publicKey: KeyObject;
  try {
    publicKey = parsed.publicKey;
  } catch (cause) {
    throw new DtlsVerificationError('certificate', 'unusable public key', { cause });
  }
  return {
    der,
    publicKey,
    keyType: keyTypeOf(publicKey),
    notBefore: new Date(parsed.validFrom),
    notAfter: new Date(parsed.validTo),
  };
}

/** The schemes a key of this type signs with, in the order we prefer them. */
export function signatureSchemesFor(keyType: SigningKeyType): number[] {
  switch (keyType) {
    case 'ECDSA-P256':
      return [SignatureScheme.ecdsa_secp256r1_sha256];
    case 'ECDSA-P384':
      return [SignatureScheme.ecdsa_secp384r1_sha384];
    case 'RSA':
      // PSS first: RFC 8446 §4.2.3 deprecates PKCS#1 v1.5 signatures; TLS 1.2 peers still use it.
      return [SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.rsa_pkcs1_sha256];
  }
}

/** The first scheme our key signs with that the peer accepts (its signature_algorithms). */
export function chooseSignatureScheme(
  keyType: SigningKeyType,
  peerSchemes: readonly number[],
): number | undefined {
  return signatureSchemesFor(keyType).find((scheme) => peerSchemes.includes(scheme));
}

/** How node signs and verifies under one scheme. */
interface SchemeParameters {
  readonly hash: string;
  readonly options: {
    readonly dsaEncoding?: 'der';
    readonly padding?: number;
    readonly saltLength?: number;
  };
}

/**
 * The parameters of `scheme` for a key of `keyType`, or undefined when the scheme does not fit
 * the key. ECDSA schemes bind the curve (RFC 8446 §4.2.3), so a P-384 key never signs as
 * ecdsa_secp256r1_sha256.
 */
function schemeParameters(
  keyType: SigningKeyType | 'other',
  scheme: number,
): SchemeParameters | undefined {
  if (keyType === 'other' || !signatureSchemesFor(keyType).includes(scheme)) return undefined;
  switch (scheme) {
    case SignatureScheme.ecdsa_secp256r1_sha256:
      // TLS carries the DER ECDSA-Sig-Value, not r || s (RFC 8422 §5.4).
      return { hash: 'sha256', options: { dsaEncoding: 'der' } };
    case SignatureScheme.ecdsa_secp384r1_sha384:
      return { hash: 'sha384', options: { dsaEncoding: 'der' } };
    case SignatureScheme.rsa_pss_rsae_sha256:
      // Salt as long as the hash, MGF1 with the same hash (RFC 8446 §4.2.3); OpenSSL's MGF1
      // defaults to the signature's hash.
      return {
        hash: 'sha256',
        options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      };
    case SignatureScheme.rsa_pkcs1_sha256:
      return { hash: 'sha256', options: { padding: constants.RSA_PKCS1_PADDING } };
    default:
      return undefined;
  }
}

/**
 * Signs `data` with our certificate's key under `scheme`. Throws `DtlsError` (code
 * `DTLS_SIGNATURE_SCHEME`) for a scheme the key cannot sign with; pick one with
 * `chooseSignatureScheme`.
 */
export function signWith(
  certificate: DtlsCertificate,
  scheme: number,
  data: Uint8Array,
): Uint8Array {
  const parameters = schemeParameters(certificate.keyType, scheme);
  if (parameters === undefined) {
    throw new DtlsError(
      `signature scheme 0x${scheme.toString(16).padStart(4, '0')} does not fit a ${certificate.keyType} key`,
      'DTLS_SIGNATURE_SCHEME',
    );
  }
  const key = { key: certificate.privateKey, ...parameters.options };
  return new Uint8Array(sign(parameters.hash, data, key));
}

/**
 * Whether `signature` is the peer's signature of `data` under `scheme`. False, never an
 * exception, for a bad signature, malformed DER, or a scheme that does not fit the peer's key.
 */
export function verifySignature(
  peer: PeerCertificate,
  scheme: number,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const parameters = schemeParameters(peer.keyType, scheme);
  if (parameters === undefined) return false;
  try {
    return verify(parameters.hash, data, { key: peer.publicKey, ...parameters.options }, signature);
  } catch {
    // OpenSSL reports some malformed signatures (wrong RSA length) as errors, not as false.
    return false;
  }
}
