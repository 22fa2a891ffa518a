/**
 * The messages that carry and prove certificates: Certificate (RFC 5246 §7.4.2, §7.4.6),
 * CertificateRequest (RFC 5246 §7.4.4) and CertificateVerify (RFC 5246 §7.4.8). Each `encodeX`
 * returns the body without the handshake header; each `parseX` returns byte fields as views and
 * throws only `DtlsParseError`.
 */

import {
  encodeWith,
  parseWith,
  vector,
  writeLength,
  writeU8List,
  writeU16List,
  writeVector,
} from './codec.js';

const CERTIFICATE_LIST = vector('certificate_list', 0, 0xff_ffff);
const ASN1_CERT = vector('ASN.1Cert', 1, 0xff_ffff);

/**
 *     opaque ASN.1Cert<1..2^24-1>;
 *     struct {
 *       ASN.1Cert certificate_list<0..2^24-1>;
 *     } Certificate;
 */
export interface Certificate {
  /** DER certificates, the sender's own first, each the next one's subject's issuer. */
  readonly certificates: readonly Uint8Array[];
}

export function encodeCertificate(message: Certificate): Uint8Array {
  return encodeWith((writer) => {
    const length = message.certificates.reduce((sum, der) => sum + 3 + der.length, 0);
    writeLength(writer, CERTIFICATE_LIST, length);
    for (const der of message.certificates) writeVector(writer, ASN1_CERT, der);
  });
}

export function parseCertificate(body: Uint8Array): Certificate {
  return parseWith(body, 'Certificate', (reader) => {
    const list = reader.vectorReader(CERTIFICATE_LIST);
    const certificates: Uint8Array[] = [];
    while (list.remaining > 0) certificates.push(list.vector(ASN1_CERT));
    return { certificates };
  });
}

const CERTIFICATE_TYPES = vector('certificate_types', 1, 0xff);
const SUPPORTED_SIGNATURE_ALGORITHMS = vector('supported_signature_algorithms', 2, 0xfffe);
const CERTIFICATE_AUTHORITIES = vector('certificate_authorities', 0, 0xffff);
const DISTINGUISHED_NAME = vector('DistinguishedName', 1, 0xffff);

/**
 *     struct {
 *       ClientCertificateType certificate_types<1..2^8-1>;
 *       SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
 *       DistinguishedName certificate_authorities<0..2^16-1>;
 *     } CertificateRequest;
 */
export interface CertificateRequest {
  /** `ClientCertificateType` values. */
  readonly certificateTypes: readonly number[];
  /** `SignatureScheme` values, most preferred first. */
  readonly signatureSchemes: readonly number[];
  /** DER-encoded distinguished names of acceptable CAs; WebRTC sends none. */
  readonly certificateAuthorities: readonly Uint8Array[];
}

export function encodeCertificateRequest(request: CertificateRequest): Uint8Array {
  return encodeWith((writer) => {
    writeU8List(writer, CERTIFICATE_TYPES, request.certificateTypes);
    writeU16List(writer, SUPPORTED_SIGNATURE_ALGORITHMS, request.signatureSchemes);
    const names = request.certificateAuthorities;
    const length = names.reduce((sum, name) => sum + 2 + name.length, 0);
    writeLength(writer, CERTIFICATE_AUTHORITIES, length);
    for (const name of names) writeVector(writer, DISTINGUISHED_NAME, name);
  });
}

export function parseCertificateRequest(body: Uint8Array): CertificateRequest {
  return parseWith(body, 'CertificateRequest', (reader) => {
    const certificateTypes = reader.u8List(CERTIFICATE_TYPES);
    const signatureSchemes = reader.u16List(SUPPORTED_SIGNATURE_ALGORITHMS);
    const list = reader.vectorReader(CERTIFICATE_AUTHORITIES);
    const certificateAuthorities: Uint8Array[] = [];
    while (list.remaining > 0) certificateAuthorities.push(list.vector(DISTINGUISHED_NAME));
    return { certificateTypes, signatureSchemes, certificateAuthorities };
  });
}

const SIGNATURE = vector('signature', 0, 0xffff);

/**
 *     struct {
 *       digitally-signed struct { opaque handshake_messages[handshake_messages_length]; };
 *     } CertificateVerify;
 *
 * A TLS 1.2 digitally-signed element: SignatureAndHashAlgorithm (read as one `SignatureScheme`
 * u16), then opaque signature<0..2^16-1> (RFC 5246 §4.7).
 */
export interface CertificateVerify {
  readonly signatureScheme: number;
  readonly signature: Uint8Array;
}

export function encodeCertificateVerify(message: CertificateVerify): Uint8Array {
  return encodeWith((writer) => {
    writer.u16(message.signatureScheme);
    writeVector(writer, SIGNATURE, message.signature);
  });
}

export function parseCertificateVerify(body: Uint8Array): CertificateVerify {
  return parseWith(body, 'CertificateVerify', (reader) => ({
    signatureScheme: reader.u16(),
    signature: reader.vector(SIGNATURE),
  }));
}
