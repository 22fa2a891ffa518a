/**
 * The local DTLS certificate: a self-signed X.509 certificate and its private key, as WebRTC
 * uses them (RFC 8827 §6.5). Peers authenticate it by the fingerprint carried in SDP, not by a
 * chain, so it is generated per connection or per `RTCCertificate`, the way browsers do.
 */

import {
  createPrivateKey,
  generateKeyPair,
  getRandomValues,
  type KeyObject,
  sign,
  verify,
  X509Certificate,
} from 'node:crypto';
import { promisify } from 'node:util';
import { toHex } from '@typertc/common';
import { DtlsError } from '../errors.js';
import { selfSignedCertificate } from './self-signed.js';

/** The key types `generateCertificate` makes (the two `RTCPeerConnection.generateCertificate` offers). */
export type CertificateKeyType = 'ECDSA-P256' | 'RSA-2048';

/** The key types a certificate can sign handshakes with; RSA of any modulus size. */
export type SigningKeyType = 'ECDSA-P256' | 'ECDSA-P384' | 'RSA';

/** A certificate and private key this side presents in its handshakes. */
export interface DtlsCertificate {
  /** The certificate as it goes in the Certificate message (RFC 5246 §7.4.2). */
  readonly der: Uint8Array;
  readonly privateKey: KeyObject;
  /** Detected from the key, so a loaded P-384 or RSA-4096 certificate works too. */
  readonly keyType: SigningKeyType;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface GenerateCertificateOptions {
  /** Default `ECDSA-P256`, what browsers generate. */
  readonly keyType?: CertificateKeyType;
  /** Subject and issuer common name; default 16 random hex digits (as Firefox does). */
  readonly commonName?: string;
  /** Default 30, as browsers do. */
  readonly validityDays?: number;
}

const DAY_MS = 86_400_000;

/** The signing key type of a public or private key, or `other` for keys handshakes cannot use. */
export function keyTypeOf(key: KeyObject): SigningKeyType | 'other' {
  if (key.asymmetricKeyType === 'rsa') return 'RSA';
  if (key.asymmetricKeyType !== 'ec') return 'other';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'prime256v1') return 'ECDSA-P256';
  if (curve === 'secp384r1') return 'ECDSA-P384';
  return 'other';
}

/**
 * A positive serial (RFC 5280 §4.1.2.2): 16 random bytes whose first is 0x40-0x7f, so the DER
 * INTEGER is never negative and never needs a leading zero byte.
 */
function randomSerial(): Uint8Array {
  const bytes = getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x40;
  return bytes;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** A key pair of `keyType`: P-256, or RSA 2048 with exponent 65537. */
function newKeyPair(
  keyType: CertificateKeyType,
): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  if (keyType === 'ECDSA-P256') return generateKeyPairAsync('ec', { namedCurve: 'prime256v1' });
  return generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 65537 });
}

/**
 * A new self-signed certificate (ecdsa-with-SHA256 or sha256WithRSAEncryption). Its validity
 * starts a day in the past so a peer whose clock is behind still accepts it, as browsers do.
 */
export async function generateCertificate(
  options: GenerateCertificateOptions = {},
): Promise<DtlsCertificate> {
  const keyType = options.keyType ?? 'ECDSA-P256';
  const validityDays = options.validityDays ?? 30;
  if (!(validityDays > 0)) throw new RangeError(`validityDays must be positive: ${validityDays}`);
  const commonName = options.commonName ?? toHex(getRandomValues(new Uint8Array(8)));
  const { publicKey, privateKey } = await newKeyPair(keyType);
  // X.509 times are whole seconds: the dates kept are the ones written.
  const now = Math.floor(Date.now() / 1000) * 1000;
  const notBefore = new Date(now - DAY_MS);
  const notAfter = new Date(now + validityDays * DAY_MS);
  const der = selfSignedCertificate({
    serial: randomSerial(),
    commonName,
    notBefore,
    notAfter,
    subjectPublicKeyInfo: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    privateKey,
  });
  return Object.freeze({
    der,
    privateKey,
    keyType: keyType === 'ECDSA-P256' ? 'ECDSA-P256' : 'RSA',
    notBefore,
    notAfter,
  });
}

function certificateFrom(parsed: X509Certificate, privateKey: KeyObject): DtlsCertificate {
  const keyType = keyTypeOf(parsed.publicKey);
  if (keyType === 'other') {
    throw new DtlsError(
      `unsupported certificate key (${parsed.publicKey.asymmetricKeyType}): use ECDSA P-256, P-384 or RSA`,
      'DTLS_CERTIFICATE',
    );
  }
  return Object.freeze({
    der: new Uint8Array(parsed.raw),
    privateKey,
    keyType,
    notBefore: new Date(parsed.validFrom),
    notAfter: new Date(parsed.validTo),
  });
}

/** Whether `privateKey` is the key of `parsed`: a probe signed by one verifies with the other. */
function keyMatches(parsed: X509Certificate, privateKey: KeyObject): boolean {
  const probe = getRandomValues(new Uint8Array(32));
  try {
    return verify('sha256', probe, parsed.publicKey, sign('sha256', probe, privateKey));
  } catch {
    // Keys of different types (RSA against EC) make node throw rather than return false.
    return false;
  }
}

/**
 * A certificate and key loaded from files, e.g. one persisted across sessions (W3C webrtc-pc
 * §4.9). `certificate` is PEM text or DER bytes (of a PEM chain, only the first is used);
 * `privateKeyPem` is a PKCS#8, SEC1 (`EC PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`) PEM.
 * Throws `DtlsError` (code `DTLS_CERTIFICATE`) if either does not parse, the key type is
 * unsupported, or the key is not the certificate's.
 */
export function loadCertificate(
  certificate: string | Uint8Array,
  privateKeyPem: string,
): DtlsCertificate {
  let parsed: X509Certificate;
  let privateKey: KeyObject;
  try {
    parsed = new X509Certificate(
      typeof certificate === 'string' ? certificate : Buffer.from(certificate),
    );
  } catch (cause) {
    throw new DtlsError('the certificate does not parse', 'DTLS_CERTIFICATE', { cause });
  }
  try {
    privateKey = createPrivateKey(privateKeyPem);
  } catch (cause) {
    throw new DtlsError('the private key does not parse', 'DTLS_CERTIFICATE', { cause });
  }
  const loaded = certificateFrom(parsed, privateKey);
  if (!keyMatches(parsed, privateKey)) {
    throw new DtlsError(
      "the private key does not match the certificate's public key",
      'DTLS_CERTIFICATE',
    );
  }
  return loaded;
}

/** The certificate as PEM text (e.g. for `openssl s_server -cert`). */
export function certificateToPem(certificate: DtlsCertificate): string {
  const base64 = Buffer.from(certificate.der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The private key as PKCS#8 PEM text (e.g. for `openssl s_server -key`). */
export function privateKeyToPem(certificate: DtlsCertificate): string {
  return certificate.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}
