/**
 * `RTCCertificate` and `RTCPeerConnection.generateCertificate` (W3C WebRTC 1.0 §4.9, Certificate
 * Management): the DTLS identity of a peer connection (RFC 8827 §6.5), a self-signed certificate
 * that the remote side authenticates by the fingerprint in SDP (RFC 8122 §5), not by a chain.
 */

import { type DtlsCertificate, fingerprint, generateCertificate } from '@typertc/dtls';
import { notSupportedError } from './errors.js';

/** W3C WebRTC 1.0 §4.9 (RTCDtlsFingerprint). */
export interface RTCDtlsFingerprint {
  /** The hash function, named as in SDP's hash-func (RFC 8122 §5), e.g. `sha-256`. */
  algorithm: string;
  /** Upper-case hex pairs joined by colons, the form of `a=fingerprint` (RFC 8122 §5). */
  value: string;
}

/**
 * The object form of WebCrypto's AlgorithmIdentifier (WebCrypto §11, `Algorithm` and its
 * EcKeyGenParams / RsaHashedKeyGenParams refinements) plus W3C WebRTC 1.0 §4.9's
 * RTCCertificateExpiration member `expires`, all of which `generateCertificate` reads.
 */
export interface RTCCertificateKeygenAlgorithm {
  name: string;
  /** EcKeyGenParams: only `P-256` is supported. */
  namedCurve?: string;
  /** RsaHashedKeyGenParams: only 2048 is supported. */
  modulusLength?: number;
  /** RsaHashedKeyGenParams, a big-endian BigInteger: only 65537 (`[1, 0, 1]`) is supported. */
  publicExponent?: Uint8Array;
  /** RsaHashedKeyGenParams: only `SHA-256` is supported. */
  hash?: string | { name: string };
  /** RTCCertificateExpiration: lifetime in milliseconds, at most 365 days (§4.9). */
  expires?: number;
}

/** WebCrypto's `typedef (object or DOMString) AlgorithmIdentifier`, as generateCertificate takes it. */
export type AlgorithmIdentifier = string | RTCCertificateKeygenAlgorithm;

const DAY_MS = 86_400_000;
/** W3C WebRTC 1.0 §4.9: a certificate lives 30 days unless `expires` says otherwise... */
const DEFAULT_EXPIRES_MS = 30 * DAY_MS;
/** ...and no more than 365 days (31536000000 ms), whatever `expires` says. */
const MAX_EXPIRES_MS = 365 * DAY_MS;

/** The sha-256 fingerprint: the hash both supported certificates are signed with (§4.9). */
const FINGERPRINT_ALGORITHM = 'sha-256';

type KeyType = 'ECDSA-P256' | 'RSA-2048';

/** WebCrypto §18.4 (normalize an algorithm): names compare ASCII case-insensitively. */
function sameName(a: string, b: string): boolean {
  return a.toUpperCase() === b.toUpperCase();
}

/** A BigInteger (WebCrypto §11.2: big-endian Uint8Array) as a number, for small values. */
function bigIntegerValue(bytes: Uint8Array): number {
  let value = 0;
  for (const byte of bytes) value = value * 256 + byte;
  return value;
}

/**
 * The key type for a keygenAlgorithm, per W3C WebRTC 1.0 §4.9: a user agent must support
 * `{ name: "ECDSA", namedCurve: "P-256" }` and `{ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048,
 * publicExponent: [1, 0, 1], hash: "SHA-256" }`, and rejects anything it does not support with
 * NotSupportedError. Missing required members are TypeErrors, as WebIDL dictionary conversion
 * makes them in WebCrypto's "normalize an algorithm". A bare name string is accepted for these two
 * algorithms and means the parameters above (a convenience: WebCrypto would need the members).
 */
function keyTypeFor(algorithm: AlgorithmIdentifier): KeyType {
  if (typeof algorithm === 'string') {
    if (sameName(algorithm, 'ECDSA')) return 'ECDSA-P256';
    if (sameName(algorithm, 'RSASSA-PKCS1-v1_5')) return 'RSA-2048';
    throw notSupportedError(`generateCertificate: algorithm ${algorithm.slice(0, 64)} unsupported`);
  }
  if (typeof algorithm !== 'object' || algorithm === null) {
    throw new TypeError('generateCertificate: keygenAlgorithm is not an AlgorithmIdentifier');
  }
  const { name } = algorithm as { name?: unknown };
  if (typeof name !== 'string') {
    throw new TypeError('generateCertificate: keygenAlgorithm has no name');
  }
  if (sameName(name, 'ECDSA')) {
    const { namedCurve } = algorithm as { namedCurve?: unknown };
    if (typeof namedCurve !== 'string') {
      throw new TypeError('generateCertificate: ECDSA needs a namedCurve');
    }
    if (namedCurve !== 'P-256') {
      throw notSupportedError(`generateCertificate: curve ${namedCurve.slice(0, 32)} unsupported`);
    }
    return 'ECDSA-P256';
  }
  if (sameName(name, 'RSASSA-PKCS1-v1_5')) {
    const { modulusLength, publicExponent, hash } = algorithm as {
      modulusLength?: unknown;
      publicExponent?: unknown;
      hash?: unknown;
    };
    if (typeof modulusLength !== 'number' || !(publicExponent instanceof Uint8Array)) {
      throw new TypeError('generateCertificate: RSA needs modulusLength and publicExponent');
    }
    const hashName =
      typeof hash === 'string'
        ? hash
        : typeof hash === 'object' && hash !== null && 'name' in hash
          ? (hash as { name: unknown }).name
          : undefined;
    if (typeof hashName !== 'string') throw new TypeError('generateCertificate: RSA needs a hash');
    if (modulusLength !== 2048) {
      throw notSupportedError(`generateCertificate: RSA modulus ${modulusLength} unsupported`);
    }
    if (bigIntegerValue(publicExponent) !== 65537) {
      throw notSupportedError('generateCertificate: RSA public exponent other than 65537');
    }
    if (!sameName(hashName, 'SHA-256')) {
      throw notSupportedError(`generateCertificate: hash ${hashName.slice(0, 32)} unsupported`);
    }
    return 'RSA-2048';
  }
  throw notSupportedError(`generateCertificate: algorithm ${name.slice(0, 64)} unsupported`);
}

/**
 * The lifetime in milliseconds: RTCCertificateExpiration's `[EnforceRange] unsigned long long
 * expires` (TypeError for NaN, infinities or out-of-range values, WebIDL §3.2.4.9), default
 * 30 days, capped at 365 days (W3C WebRTC 1.0 §4.9).
 */
function expiresMs(algorithm: AlgorithmIdentifier): number {
  if (typeof algorithm === 'string') return DEFAULT_EXPIRES_MS;
  const { expires } = algorithm as { expires?: unknown };
  if (expires === undefined) return DEFAULT_EXPIRES_MS;
  if (typeof expires !== 'number' || !Number.isFinite(expires)) {
    throw new TypeError('generateCertificate: expires is not a finite number');
  }
  const value = Math.trunc(expires);
  if (value < 0 || value > Number.MAX_SAFE_INTEGER) {
    throw new TypeError(`generateCertificate: expires ${value} is out of range`);
  }
  return Math.min(value, MAX_EXPIRES_MS);
}

/**
 * W3C WebRTC 1.0 §4.9 (RTCCertificate). There is no public constructor, as in the IDL: instances
 * come from `generate` (RTCPeerConnection.generateCertificate) or, as a server extension, from
 * `fromDtlsCertificate` wrapping a certificate loaded from disk so it persists across restarts.
 */
export class RTCCertificate {
  readonly #certificate: DtlsCertificate;
  readonly #fingerprint: string;

  private constructor(certificate: DtlsCertificate) {
    this.#certificate = certificate;
    this.#fingerprint = fingerprint(certificate.der, FINGERPRINT_ALGORITHM);
  }

  /**
   * `RTCPeerConnection.generateCertificate(keygenAlgorithm)` (W3C WebRTC 1.0 §4.4.3 and §4.9).
   * Rejects with NotSupportedError for an algorithm or parameters other than ECDSA P-256 and
   * RSASSA-PKCS1-v1_5 2048/65537/SHA-256, with TypeError for a malformed argument.
   *
   * The DTLS generator counts validity in whole days, so `expires` is rounded up to days (at
   * least one): the certificate never expires before the requested time, and `expires` on the
   * result reports the certificate's real notAfter.
   */
  static async generate(keygenAlgorithm: AlgorithmIdentifier): Promise<RTCCertificate> {
    const keyType = keyTypeFor(keygenAlgorithm);
    const validityDays = Math.max(1, Math.ceil(expiresMs(keygenAlgorithm) / DAY_MS));
    return new RTCCertificate(await generateCertificate({ keyType, validityDays }));
  }

  /** Non-W3C: wraps a certificate of `@typertc/dtls` (e.g. from `loadCertificate`). */
  static fromDtlsCertificate(certificate: DtlsCertificate): RTCCertificate {
    return new RTCCertificate(certificate);
  }

  /**
   * W3C WebRTC 1.0 §4.9: when the certificate stops being valid, in milliseconds since the
   * epoch — the certificate's notAfter (RFC 5280 §4.1.2.5).
   */
  get expires(): number {
    return this.#certificate.notAfter.getTime();
  }

  /** Non-W3C: the certificate and key for the DTLS transport of the peer connection. */
  get dtlsCertificate(): DtlsCertificate {
    return this.#certificate;
  }

  /**
   * W3C WebRTC 1.0 §4.9: the fingerprints of the certificate, as `a=fingerprint` carries them
   * (RFC 8122 §5). One, sha-256, the digest of the signature algorithm of every certificate this
   * stack generates (RFC 8122 §5 asks for the hash of the certificate's signature). A new array
   * each call, so callers cannot alter what the next caller sees.
   */
  getFingerprints(): RTCDtlsFingerprint[] {
    return [{ algorithm: FINGERPRINT_ALGORITHM, value: this.#fingerprint }];
  }
}
