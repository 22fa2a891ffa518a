/**
 * A self-signed X.509 v3 certificate (RFC 5280 §4.1) in DER, written directly: WebRTC peers
 * authenticate it by its fingerprint (RFC 8827 §6.5), so it needs no extensions, only a subject,
 * a validity, the public key and the signature. Writing it here takes a fraction of a
 * millisecond, against about 3 ms through a general X.509 library, which matters on the path of
 * a peer connection's first offer.
 *
 *     Certificate  ::=  SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 *     TBSCertificate  ::=  SEQUENCE { [0] version, serialNumber, signature, issuer, validity,
 *                                     subject, subjectPublicKeyInfo }
 */

import { type KeyObject, sign } from 'node:crypto';

/** DER tags (X.690 §8). */
const Tag = {
  integer: 0x02,
  bitString: 0x03,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  sequence: 0x30,
  set: 0x31,
  utcTime: 0x17,
  generalizedTime: 0x18,
  version: 0xa0, // [0] EXPLICIT, constructed
} as const;

/** The object identifiers used, already in their DER content form (X.690 §8.19). */
const OID = {
  /** ecdsa-with-SHA256, RFC 5758 §3.2: parameters absent. */
  ecdsaWithSha256: [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02],
  /** sha256WithRSAEncryption, RFC 4055 §5: parameters NULL. */
  sha256WithRsa: [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b],
  /** id-at-commonName, RFC 5280 Appendix A. */
  commonName: [0x55, 0x04, 0x03],
} as const;

/** One DER element: tag, definite length (short or long form, X.690 §8.1.3), content. */
function element(tag: number, ...content: Uint8Array[]): Uint8Array {
  const length = content.reduce((sum, part) => sum + part.length, 0);
  const lengthBytes: number[] = [];
  if (length < 0x80) lengthBytes.push(length);
  else {
    for (let rest = length; rest > 0; rest >>>= 8) lengthBytes.unshift(rest & 0xff);
    lengthBytes.unshift(0x80 | lengthBytes.length);
  }
  const out = new Uint8Array(1 + lengthBytes.length + length);
  out[0] = tag;
  out.set(lengthBytes, 1);
  let offset = 1 + lengthBytes.length;
  for (const part of content) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, in UTC to the second. */
function time(date: Date): Uint8Array {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  if (year < 2050) return element(Tag.utcTime, new TextEncoder().encode(digits.slice(2)));
  return element(Tag.generalizedTime, new TextEncoder().encode(digits));
}

/** A Name holding one common name (RFC 5280 §4.1.2.4). */
function nameOf(commonName: string): Uint8Array {
  const attribute = element(
    Tag.sequence,
    element(Tag.oid, Uint8Array.from(OID.commonName)),
    element(Tag.utf8String, new TextEncoder().encode(commonName)),
  );
  return element(Tag.sequence, element(Tag.set, attribute));
}

export interface SelfSignedFields {
  /** The serial's bytes, a positive DER INTEGER as given (RFC 5280 §4.1.2.2). */
  readonly serial: Uint8Array;
  readonly commonName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The SubjectPublicKeyInfo, DER (what `KeyObject.export({ type: 'spki', format: 'der' })` gives). */
  readonly subjectPublicKeyInfo: Uint8Array;
  /** Signs the certificate: ECDSA P-256 or RSA, with SHA-256 either way. */
  readonly privateKey: KeyObject;
}

/** The certificate, DER: issuer and subject the same name, signed by its own key. */
export function selfSignedCertificate(fields: SelfSignedFields): Uint8Array {
  const ecdsa = fields.privateKey.asymmetricKeyType === 'ec';
  const algorithm = ecdsa
    ? element(Tag.sequence, element(Tag.oid, Uint8Array.from(OID.ecdsaWithSha256)))
    : element(
        Tag.sequence,
        element(Tag.oid, Uint8Array.from(OID.sha256WithRsa)),
        element(Tag.null),
      );
  const name = nameOf(fields.commonName);
  const tbs = element(
    Tag.sequence,
    element(Tag.version, element(Tag.integer, Uint8Array.of(2))), // v3
    element(Tag.integer, fields.serial),
    algorithm,
    name,
    element(Tag.sequence, time(fields.notBefore), time(fields.notAfter)),
    name,
    fields.subjectPublicKeyInfo,
  );
  // node signs ECDSA as a DER Ecdsa-Sig-Value (RFC 5758 §3.2) and RSA as PKCS #1 v1.5.
  const signature = sign('sha256', tbs, fields.privateKey);
  return element(Tag.sequence, tbs, algorithm, element(Tag.bitString, Uint8Array.of(0), signature));
}
