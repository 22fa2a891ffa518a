/**
 * Chunk parameters (RFC 9260 §3.2.1): the TLVs after the fixed fields of INIT and INIT ACK, and
 * inside HEARTBEAT and RE-CONFIG. A parameter list is kept as `{ type, value }` pairs with views
 * for values; the typed codecs below read and build the values this stack uses. The RE-CONFIG
 * parameters of RFC 6525 are in reconfig.ts.
 */

import { ByteWriter, readU16BE, readU32BE } from '@typertc/common';
import { SctpParseError } from '../errors.js';
import { type UnrecognizedAction, unrecognizedChunkAction } from './chunk.js';
import { parseTlvList, tlvListLength, writeTlv } from './tlv.js';
import { checkUint } from './wire.js';

export const ParameterType = {
  /** HEARTBEAT and HEARTBEAT ACK (RFC 9260 §3.3.5). */
  heartbeatInfo: 1,
  /** Addresses in INIT/INIT ACK (RFC 9260 §3.3.2.1); meaningless over DTLS (RFC 8261 §4). */
  ipv4Address: 5,
  ipv6Address: 6,
  stateCookie: 7,
  unrecognizedParameter: 8,
  cookiePreservative: 9,
  hostNameAddress: 11,
  supportedAddressTypes: 12,
  /** RFC 6525 §4. */
  outgoingSsnResetRequest: 13,
  incomingSsnResetRequest: 14,
  ssnTsnResetRequest: 15,
  reconfigurationResponse: 16,
  addOutgoingStreamsRequest: 17,
  addIncomingStreamsRequest: 18,
  /** RFC 4895 §3 (SCTP-AUTH), which browsers offer and this stack ignores. */
  random: 0x8002,
  chunkList: 0x8003,
  requestedHmacAlgorithm: 0x8004,
  /** RFC 4820 §3. */
  padding: 0x8005,
  /** RFC 9653 §5.1: the sender accepts packets with a zero checksum. */
  zeroChecksumAcceptable: 0x8001,
  /** RFC 5061 §4.2.7. */
  supportedExtensions: 0x8008,
  /** RFC 3758 §3.1. */
  forwardTsnSupported: 0xc000,
} as const;

export interface Parameter {
  readonly type: number;
  /** A view into the packet when parsed. */
  readonly value: Uint8Array;
  /** Where the parameter starts in the packet, on parsed parameters (for error offsets). */
  readonly offset?: number;
}

/**
 * What to do with a parameter of a type this endpoint does not know, from its two high bits
 * (RFC 9260 §3.2.1): 00 stop processing this chunk's parameters, 01 stop and report it as an
 * "Unrecognized Parameter", 10 skip it, 11 skip it and report it.
 */
export function unrecognizedParameterAction(type: number): UnrecognizedAction {
  // The same two-bit code as chunk types, in the high bits of 16 rather than 8.
  return unrecognizedChunkAction(type >>> 8);
}

/**
 * Parses a parameter list. `bytes` start at `baseOffset` in the packet, for error offsets.
 * Throws `SctpParseError` for a length below 4, a parameter past the end or stray bytes.
 */
export function parseParameters(bytes: Uint8Array, baseOffset = 0): Parameter[] {
  return parseTlvList(bytes, baseOffset, 'parameter list', (type, value, offset) => ({
    type,
    value,
    offset,
  }));
}

/** The bytes of a parameter list inside a chunk, the last parameter's padding not counted. */
export function parametersLength(parameters: readonly Parameter[]): number {
  return tlvListLength(parameters.map((parameter) => parameter.value.length));
}

/** Writes a parameter list, every parameter padded. */
export function writeParameters(writer: ByteWriter, parameters: readonly Parameter[]): void {
  for (const { type, value } of parameters) writeTlv(writer, type, value);
}

/** A parameter list on its own, every parameter padded. */
export function encodeParameters(parameters: readonly Parameter[]): Uint8Array {
  const writer = new ByteWriter(64);
  writeParameters(writer, parameters);
  return writer.finish().slice();
}

/** The first parameter of `type`, or undefined. */
export function findParameter(
  parameters: readonly Parameter[],
  type: number,
): Parameter | undefined {
  return parameters.find((parameter) => parameter.type === type);
}

function malformed(parameter: Parameter, why: string): SctpParseError {
  return new SctpParseError(`parameter ${parameter.type}: ${why}`, parameter.offset ?? 0);
}

/** RFC 3758 §3.1: the sender can receive FORWARD TSN (partial reliability). No value. */
export function forwardTsnSupportedParameter(): Parameter {
  return { type: ParameterType.forwardTsnSupported, value: new Uint8Array(0) };
}

/** RFC 9260 §3.3.2.1.3: milliseconds the sender asks to add to a stale cookie's lifespan. */
export function cookiePreservativeParameter(incrementMs: number): Parameter {
  const value = new Uint8Array(4);
  new ByteWriter(value).u32(incrementMs);
  return { type: ParameterType.cookiePreservative, value };
}

export function parseCookiePreservative(parameter: Parameter): number {
  if (parameter.value.length !== 4) throw malformed(parameter, 'Cookie Preservative needs 4 bytes');
  return readU32BE(parameter.value, 0);
}

/** RFC 9260 §3.3.2.1.5: the address types (5 IPv4, 6 IPv6, 11 host name) the sender takes. */
export function supportedAddressTypesParameter(addressTypes: readonly number[]): Parameter {
  const writer = new ByteWriter(new Uint8Array(2 * addressTypes.length));
  for (const addressType of addressTypes) writer.u16(addressType);
  return { type: ParameterType.supportedAddressTypes, value: writer.finish() };
}

export function parseSupportedAddressTypes(parameter: Parameter): number[] {
  const { value } = parameter;
  if (value.length % 2 !== 0) throw malformed(parameter, 'odd-length address type list');
  const addressTypes: number[] = [];
  for (let i = 0; i < value.length; i += 2) addressTypes.push(readU16BE(value, i));
  return addressTypes;
}

/** RFC 5061 §4.2.7: the extension chunk types (RE-CONFIG, FORWARD TSN, ...) the sender takes. */
export function supportedExtensionsParameter(chunkTypes: readonly number[]): Parameter {
  const writer = new ByteWriter(new Uint8Array(chunkTypes.length));
  for (const chunkType of chunkTypes) writer.u8(chunkType);
  return { type: ParameterType.supportedExtensions, value: writer.finish() };
}

export function parseSupportedExtensions(parameter: Parameter): number[] {
  return Array.from(parameter.value);
}

/** RFC 4820 §3: `length` bytes of zeros, to make an INIT a given size. */
/** RFC 9653 §7: the Error Detection Method that stands in for the checksum: DTLS. */
export const EDMID_DTLS = 1;

/** RFC 9653 §5.1: Zero Checksum Acceptable, with its Error Detection Method Identifier. */
export function zeroChecksumAcceptableParameter(edmid: number): Parameter {
  return {
    type: ParameterType.zeroChecksumAcceptable,
    value: Uint8Array.of(edmid >>> 24, edmid >>> 16, edmid >>> 8, edmid),
  };
}

/** The EDMID of a Zero Checksum Acceptable parameter, or undefined if it is malformed. */
export function parseZeroChecksumAcceptable(parameter: Parameter): number | undefined {
  const v = parameter.value;
  if (v.length !== 4) return undefined;
  return (
    (((v[0] as number) << 24) |
      ((v[1] as number) << 16) |
      ((v[2] as number) << 8) |
      (v[3] as number)) >>>
    0
  );
}

export function paddingParameter(length: number): Parameter {
  checkUint('padding length', length, 0xffff - 4);
  return { type: ParameterType.padding, value: new Uint8Array(length) };
}

/**
 * RFC 9260 §3.3.3.1: INIT ACK's report of a parameter the INIT carried that the receiver does
 * not know (action 01 or 11), holding that parameter whole.
 */
export function unrecognizedParameterParameter(original: Parameter): Parameter {
  return { type: ParameterType.unrecognizedParameter, value: encodeParameters([original]) };
}

/** The parameter an Unrecognized Parameter parameter reports. */
export function parseUnrecognizedParameter(parameter: Parameter): Parameter {
  const base = (parameter.offset ?? 0) + 4;
  const inner = parseParameters(parameter.value, base);
  const [only] = inner;
  if (only === undefined || inner.length !== 1) {
    throw malformed(parameter, `Unrecognized Parameter holds ${inner.length} parameters, not 1`);
  }
  return only;
}
