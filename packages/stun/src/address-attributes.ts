/**
 * The address attributes (RFC 8489 §14.1, §14.2): a reserved byte, the family (0x01 IPv4, 0x02
 * IPv6), the port and the address. The XOR forms (XOR-MAPPED-ADDRESS, and TURN's
 * XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS, RFC 8656 §18.3, §18.5) XOR the port with the top
 * half of the magic cookie and the address with the cookie (IPv4) or the cookie and the
 * transaction id (IPv6), so NATs that rewrite addresses they find in payloads leave them alone.
 */

import {
  type AddressFamily,
  formatIpAddress,
  InvalidAddressError,
  parseIpAddress,
  readU16BE,
  type SocketAddress,
  writeU16BE,
  writeU32BE,
} from '@typertc/common';
import {
  type AttributeCodec,
  type AttributeContext,
  checkRange,
  malformed,
} from './attribute-codec.js';
import { MAGIC_COOKIE } from './constants.js';
import { StunError } from './errors.js';

const FAMILY_CODES: Readonly<Record<AddressFamily, number>> = { IPv4: 0x01, IPv6: 0x02 };
const COOKIE = new Uint8Array(4);
writeU32BE(COOKIE, 0, MAGIC_COOKIE);

/** The byte a XOR address's byte `i` is XORed with: the cookie, then the transaction id. */
function mask(i: number, transactionId: Uint8Array): number {
  return i < 4 ? (COOKIE[i] as number) : (transactionId[i - 4] as number);
}

function decodeAddress(
  name: string,
  value: Uint8Array,
  context: AttributeContext,
  xor: boolean,
): SocketAddress {
  if (value.length < 4) throw malformed(name, `${value.length} bytes`, context.offset);
  const familyCode = value[1] as number;
  const family = familyCode === 0x01 ? 'IPv4' : familyCode === 0x02 ? 'IPv6' : undefined;
  if (family === undefined)
    throw malformed(name, `unknown address family ${familyCode}`, context.offset);
  const length = family === 'IPv4' ? 4 : 16;
  if (value.length !== 4 + length) {
    throw malformed(name, `${value.length} bytes for an ${family} address`, context.offset);
  }
  let port = readU16BE(value, 2);
  const bytes = value.slice(4);
  if (xor) {
    port ^= MAGIC_COOKIE >>> 16;
    for (let i = 0; i < length; i++) {
      bytes[i] = (bytes[i] as number) ^ mask(i, context.transactionId);
    }
  }
  return { address: formatIpAddress(bytes), port, family };
}

function encodeAddress(
  name: string,
  address: SocketAddress,
  context: AttributeContext,
  xor: boolean,
): Uint8Array {
  checkRange(`${name} port`, address.port, 0xffff);
  let parsed: ReturnType<typeof parseIpAddress>;
  try {
    parsed = parseIpAddress(address.address);
  } catch (error) {
    if (!(error instanceof InvalidAddressError)) throw error;
    throw new StunError(`${name}: ${error.message}`, 'STUN_ERROR', { cause: error });
  }
  const out = new Uint8Array(4 + parsed.bytes.length);
  out[1] = FAMILY_CODES[parsed.family];
  writeU16BE(out, 2, xor ? address.port ^ (MAGIC_COOKIE >>> 16) : address.port);
  out.set(parsed.bytes, 4);
  if (xor) {
    for (let i = 0; i < parsed.bytes.length; i++) {
      out[4 + i] = (out[4 + i] as number) ^ mask(i, context.transactionId);
    }
  }
  return out;
}

function addressAttribute(type: number, name: string, xor: boolean): AttributeCodec<SocketAddress> {
  return {
    type,
    name,
    decode: (value, context) => decodeAddress(name, value, context, xor),
    encode: (address, context) => encodeAddress(name, address, context, xor),
  };
}

/** RFC 8489 §14.1, kept for RFC 3489 servers. */
export const MAPPED_ADDRESS = addressAttribute(0x0001, 'MAPPED-ADDRESS', false);
/** RFC 8489 §14.2: the reflexive transport address a Binding response reports. */
export const XOR_MAPPED_ADDRESS = addressAttribute(0x0020, 'XOR-MAPPED-ADDRESS', true);
/** RFC 8656 §18.3: a peer, in CreatePermission, ChannelBind, Send and Data. */
export const XOR_PEER_ADDRESS = addressAttribute(0x0012, 'XOR-PEER-ADDRESS', true);
/** RFC 8656 §18.5: the relayed address an Allocate response grants. */
export const XOR_RELAYED_ADDRESS = addressAttribute(0x0016, 'XOR-RELAYED-ADDRESS', true);
/** RFC 8489 §14.15: the server to retry with after a 300 (Try Alternate). */
export const ALTERNATE_SERVER = addressAttribute(0x8023, 'ALTERNATE-SERVER', false);
