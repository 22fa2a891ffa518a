/**
 * Hello extensions (RFC 5246 §7.4.1.4): the block that ends ClientHello and ServerHello, kept as
 * an ordered list of `{ type, data }` with `data` a view, and typed codecs for the `data` of the
 * extensions a WebRTC DTLS handshake uses. Extensions this stack does not know are kept as bytes,
 * for the connection to ignore (client side) or not echo (server side).
 *
 *     struct {
 *       ExtensionType extension_type;          // uint16
 *       opaque extension_data<0..2^16-1>;
 *     } Extension;
 *     Extension extensions<0..2^16-1>;
 */

import type { ByteWriter } from '@typertc/common';
import {
  encodeWith,
  parseWith,
  type TlsReader,
  vector,
  writeLength,
  writeU8List,
  writeU16List,
  writeVector,
} from './codec.js';

export interface Extension {
  /** An `ExtensionType`, or any other registered value. */
  readonly type: number;
  readonly data: Uint8Array;
}

const EXTENSIONS = vector('extensions', 0, 0xffff);
const EXTENSION_DATA = vector('extension_data', 0, 0xffff);

/**
 * Reads an extension block. RFC 5246 §7.4.1.4: "There MUST NOT be more than one extension of the
 * same type", so a repeated type is malformed.
 */
export function readExtensions(reader: TlsReader): Extension[] {
  const list = reader.vectorReader(EXTENSIONS);
  const extensions: Extension[] = [];
  const seen = new Set<number>();
  while (list.remaining > 0) {
    const at = list.offset;
    const type = list.u16();
    if (seen.has(type)) list.fail(`extension ${type} appears twice`, at);
    seen.add(type);
    extensions.push({ type, data: list.vector(EXTENSION_DATA) });
  }
  return extensions;
}

/** Writes an extension block; a repeated type is a caller bug (RangeError). */
export function writeExtensions(writer: ByteWriter, extensions: readonly Extension[]): void {
  let length = 0;
  const seen = new Set<number>();
  for (const { type, data } of extensions) {
    if (seen.has(type)) throw new RangeError(`extension ${type} appears twice`);
    seen.add(type);
    length += 4 + data.length;
  }
  writeLength(writer, EXTENSIONS, length);
  for (const { type, data } of extensions) {
    writer.u16(type);
    writeVector(writer, EXTENSION_DATA, data);
  }
}

/** An extension block on its own, length prefix included. */
export function encodeExtensions(extensions: readonly Extension[]): Uint8Array {
  return encodeWith((writer) => writeExtensions(writer, extensions));
}

/** Parses an extension block on its own, length prefix included. */
export function parseExtensions(bytes: Uint8Array): Extension[] {
  return parseWith(bytes, 'extensions', readExtensions);
}

/** The data of the extension of `type`, or undefined when it is absent. */
export function findExtension(
  extensions: readonly Extension[],
  type: number,
): Uint8Array | undefined {
  return extensions.find((extension) => extension.type === type)?.data;
}

// supported_groups (RFC 8422 §5.1.1): NamedGroup named_group_list<2..2^16-1>.
const NAMED_GROUP_LIST = vector('named_group_list', 2, 0xffff);

export function encodeSupportedGroups(groups: readonly number[]): Uint8Array {
  return encodeWith((writer) => writeU16List(writer, NAMED_GROUP_LIST, groups));
}

export function parseSupportedGroups(data: Uint8Array): number[] {
  return parseWith(data, 'supported_groups', (reader) => reader.u16List(NAMED_GROUP_LIST));
}

// ec_point_formats (RFC 8422 §5.1.2): ECPointFormat ec_point_format_list<1..2^8-1>.
const EC_POINT_FORMAT_LIST = vector('ec_point_format_list', 1, 0xff);

export function encodeEcPointFormats(formats: readonly number[]): Uint8Array {
  return encodeWith((writer) => writeU8List(writer, EC_POINT_FORMAT_LIST, formats));
}

export function parseEcPointFormats(data: Uint8Array): number[] {
  return parseWith(data, 'ec_point_formats', (reader) => reader.u8List(EC_POINT_FORMAT_LIST));
}

// signature_algorithms (RFC 5246 §7.4.1.4.1):
// SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>.
const SUPPORTED_SIGNATURE_ALGORITHMS = vector('supported_signature_algorithms', 2, 0xfffe);

export function encodeSignatureAlgorithms(schemes: readonly number[]): Uint8Array {
  return encodeWith((writer) => writeU16List(writer, SUPPORTED_SIGNATURE_ALGORITHMS, schemes));
}

export function parseSignatureAlgorithms(data: Uint8Array): number[] {
  return parseWith(data, 'signature_algorithms', (reader) =>
    reader.u16List(SUPPORTED_SIGNATURE_ALGORITHMS),
  );
}

/**
 * use_srtp (RFC 5764 §4.1.1): the SRTP protection profiles offered (client) or chosen (server,
 * exactly one), and the MKI, which WebRTC leaves empty.
 */
export interface UseSrtp {
  readonly profiles: readonly number[];
  readonly mki: Uint8Array;
}

const SRTP_PROTECTION_PROFILES = vector('SRTPProtectionProfiles', 2, 0xffff);
const SRTP_MKI = vector('srtp_mki', 0, 0xff);

export function encodeUseSrtp(useSrtp: UseSrtp): Uint8Array {
  return encodeWith((writer) => {
    writeU16List(writer, SRTP_PROTECTION_PROFILES, useSrtp.profiles);
    writeVector(writer, SRTP_MKI, useSrtp.mki);
  });
}

export function parseUseSrtp(data: Uint8Array): UseSrtp {
  return parseWith(data, 'use_srtp', (reader) => ({
    profiles: reader.u16List(SRTP_PROTECTION_PROFILES),
    mki: reader.vector(SRTP_MKI),
  }));
}

/** extended_master_secret (RFC 7627 §5.1): its extension_data is empty. */
export function encodeExtendedMasterSecret(): Uint8Array {
  return new Uint8Array(0);
}

/** Throws `DtlsParseError` unless `data` is empty (RFC 7627 §5.1). */
export function parseExtendedMasterSecret(data: Uint8Array): void {
  parseWith(data, 'extended_master_secret', () => undefined);
}

// renegotiation_info (RFC 5746 §3.2): opaque renegotiated_connection<0..255>, empty on an
// initial handshake, which is the only kind this stack does.
const RENEGOTIATED_CONNECTION = vector('renegotiated_connection', 0, 0xff);

export function encodeRenegotiationInfo(
  renegotiatedConnection: Uint8Array = new Uint8Array(0),
): Uint8Array {
  return encodeWith((writer) =>
    writeVector(writer, RENEGOTIATED_CONNECTION, renegotiatedConnection),
  );
}

/** Returns renegotiated_connection. */
export function parseRenegotiationInfo(data: Uint8Array): Uint8Array {
  return parseWith(data, 'renegotiation_info', (reader) => reader.vector(RENEGOTIATED_CONNECTION));
}
