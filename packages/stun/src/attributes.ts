/**
 * Codecs for the attributes of STUN (RFC 8489 §14), ICE (RFC 8445 §16.1), TURN (RFC 8656 §18)
 * and libwebrtc's GOOG-NETWORK-INFO. MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and
 * FINGERPRINT are not here: `StunMessage` computes and checks them.
 */

import { type AddressFamily, readU16BE, readU32BE, writeU16BE, writeU32BE } from '@typertc/common';
import {
  type AttributeCodec,
  bytesAttribute,
  checkLength,
  checkRange,
  flagAttribute,
  malformed,
  textAttribute,
  u16Attribute,
  u32Attribute,
} from './attribute-codec.js';
import { AttributeType } from './constants.js';
import { StunError } from './errors.js';

export * from './address-attributes.js';

/** RFC 8489 §14.3: at most 512 bytes. */
export const USERNAME = textAttribute(AttributeType.Username, 'USERNAME', 512);
/** RFC 8489 §14.9, §14.10, §14.14: under 128 characters, so at most 763 bytes of UTF-8. */
export const REALM = textAttribute(AttributeType.Realm, 'REALM', 763);
export const NONCE = textAttribute(AttributeType.Nonce, 'NONCE', 763);
export const SOFTWARE = textAttribute(AttributeType.Software, 'SOFTWARE', 763);
/** RFC 8489 §14.16: the domain name for the TLS certificate check of ALTERNATE-SERVER. */
export const ALTERNATE_DOMAIN = textAttribute(
  AttributeType.AlternateDomain,
  'ALTERNATE-DOMAIN',
  255,
);
/** RFC 8489 §14.4: SHA-256 of the username and realm, 32 bytes. */
export const USERHASH = bytesAttribute(AttributeType.Userhash, 'USERHASH', 32);

export interface ErrorCodeValue {
  /** 300..699 (RFC 8489 §14.8). */
  readonly code: number;
  readonly reason: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();
/** RFC 8489 §14.8: the reason phrase is under 128 characters (763 bytes). */
const MAX_REASON_BYTES = 763;

/** The class/number/reason layout ERROR-CODE and ADDRESS-ERROR-CODE share (RFC 8489 §14.8). */
function decodeErrorCode(name: string, value: Uint8Array, offset: number): ErrorCodeValue {
  if (value.length < 4) throw malformed(name, `${value.length} bytes`, offset);
  const hundreds = (value[2] as number) & 0x07;
  const number = value[3] as number;
  if (hundreds < 3 || hundreds > 6 || number > 99) {
    throw malformed(name, `code ${hundreds * 100 + number} out of range`, offset);
  }
  const reason = value.subarray(4);
  if (reason.length > MAX_REASON_BYTES) throw malformed(name, 'reason phrase too long', offset);
  try {
    return { code: hundreds * 100 + number, reason: utf8.decode(reason) };
  } catch {
    throw malformed(name, 'reason phrase not UTF-8', offset + 4);
  }
}

function encodeErrorCode(name: string, { code, reason }: ErrorCodeValue): Uint8Array {
  if (!Number.isInteger(code) || code < 300 || code > 699) {
    throw new StunError(`${name} must be 300..699, got ${code}`);
  }
  const phrase = utf8Encoder.encode(reason);
  if (phrase.length > MAX_REASON_BYTES) throw new StunError(`${name} reason phrase too long`);
  const out = new Uint8Array(4 + phrase.length);
  out[2] = Math.floor(code / 100);
  out[3] = code % 100;
  out.set(phrase, 4);
  return out;
}

/** RFC 8489 §14.8: class (hundreds) in 3 bits, number (0..99) in 8, then the reason phrase. */
export const ERROR_CODE: AttributeCodec<ErrorCodeValue> = {
  type: AttributeType.ErrorCode,
  name: 'ERROR-CODE',
  decode: (value, context) => decodeErrorCode('ERROR-CODE', value, context.offset),
  encode: (value) => encodeErrorCode('ERROR-CODE', value),
};

/** RFC 8489 §14.13: the comprehension-required types a server did not understand (with 420). */
export const UNKNOWN_ATTRIBUTES: AttributeCodec<readonly number[]> = {
  type: AttributeType.UnknownAttributes,
  name: 'UNKNOWN-ATTRIBUTES',
  decode(value, context) {
    if (value.length % 2 !== 0) throw malformed('UNKNOWN-ATTRIBUTES', 'odd length', context.offset);
    const types: number[] = [];
    for (let i = 0; i < value.length; i += 2) types.push(readU16BE(value, i));
    return types;
  },
  encode(types) {
    const out = new Uint8Array(types.length * 2);
    types.forEach((type, i) => {
      checkRange('UNKNOWN-ATTRIBUTES type', type, 0xffff);
      writeU16BE(out, i * 2, type);
    });
    return out;
  },
};

export interface PasswordAlgorithmValue {
  /** 0x0001 MD5, 0x0002 SHA-256 (RFC 8489 §18.5). */
  readonly algorithm: number;
  readonly parameters: Uint8Array;
}

function readAlgorithm(
  name: string,
  value: Uint8Array,
  at: number,
  offset: number,
): { entry: PasswordAlgorithmValue; next: number } {
  if (value.length - at < 4) throw malformed(name, 'truncated algorithm', offset + at);
  const length = readU16BE(value, at + 2);
  const end = at + 4 + length;
  if (end > value.length) throw malformed(name, 'parameters past the attribute', offset + at);
  const entry = { algorithm: readU16BE(value, at), parameters: value.subarray(at + 4, end) };
  return { entry, next: end + ((4 - (length % 4)) % 4) };
}

function writeAlgorithms(entries: readonly PasswordAlgorithmValue[]): Uint8Array {
  const size = entries.reduce((sum, e) => sum + 4 + Math.ceil(e.parameters.length / 4) * 4, 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const { algorithm, parameters } of entries) {
    checkRange('password algorithm', algorithm, 0xffff);
    checkRange('password algorithm parameters length', parameters.length, 0xffff);
    writeU16BE(out, at, algorithm);
    writeU16BE(out, at + 2, parameters.length);
    out.set(parameters, at + 4);
    at += 4 + Math.ceil(parameters.length / 4) * 4;
  }
  return out;
}

/** RFC 8489 §14.12: the algorithm the client chose for its key. */
export const PASSWORD_ALGORITHM: AttributeCodec<PasswordAlgorithmValue> = {
  type: AttributeType.PasswordAlgorithm,
  name: 'PASSWORD-ALGORITHM',
  decode(value, context) {
    const { entry, next } = readAlgorithm('PASSWORD-ALGORITHM', value, 0, context.offset);
    if (next < value.length)
      throw malformed('PASSWORD-ALGORITHM', 'trailing bytes', context.offset);
    return entry;
  },
  encode: (entry) => writeAlgorithms([entry]),
};

/** RFC 8489 §14.11: the algorithms a server offers, in its order of preference. */
export const PASSWORD_ALGORITHMS: AttributeCodec<readonly PasswordAlgorithmValue[]> = {
  type: AttributeType.PasswordAlgorithms,
  name: 'PASSWORD-ALGORITHMS',
  decode(value, context) {
    const entries: PasswordAlgorithmValue[] = [];
    let at = 0;
    while (at < value.length) {
      const { entry, next } = readAlgorithm('PASSWORD-ALGORITHMS', value, at, context.offset);
      entries.push(entry);
      at = next;
    }
    return entries;
  },
  encode: (entries) => writeAlgorithms(entries),
};

/** RFC 8445 §16.1: the priority a peer-reflexive candidate would get. */
export const PRIORITY = u32Attribute(AttributeType.Priority, 'PRIORITY');
/** RFC 8445 §16.1: the controlling agent nominates this pair. */
export const USE_CANDIDATE = flagAttribute(AttributeType.UseCandidate, 'USE-CANDIDATE');

function tieBreaker(type: number, name: string): AttributeCodec<bigint> {
  return {
    type,
    name,
    decode(value, context) {
      checkLength(name, value, context, 8);
      return (BigInt(readU32BE(value, 0)) << 32n) | BigInt(readU32BE(value, 4));
    },
    encode(value) {
      if (value < 0n || value >= 1n << 64n) throw new StunError(`${name} must fit 64 bits`);
      const out = new Uint8Array(8);
      writeU32BE(out, 0, Number(value >> 32n));
      writeU32BE(out, 4, Number(value & 0xffff_ffffn));
      return out;
    },
  };
}

/** RFC 8445 §7.1.3: the sender is controlled; the value is its 64-bit tie-breaker. */
export const ICE_CONTROLLED = tieBreaker(AttributeType.IceControlled, 'ICE-CONTROLLED');
/** RFC 8445 §7.1.3: the sender is controlling; the value is its 64-bit tie-breaker. */
export const ICE_CONTROLLING = tieBreaker(AttributeType.IceControlling, 'ICE-CONTROLLING');

export interface NetworkInfoValue {
  readonly networkId: number;
  /** libwebrtc's cost: 0 (wired) up to 999 (cellular); 10 for unknown. */
  readonly networkCost: number;
}

/** libwebrtc's GOOG-NETWORK-INFO (0xC057): network id and cost, 16 bits each. */
export const GOOG_NETWORK_INFO: AttributeCodec<NetworkInfoValue> = {
  type: AttributeType.GoogNetworkInfo,
  name: 'GOOG-NETWORK-INFO',
  decode(value, context) {
    checkLength('GOOG-NETWORK-INFO', value, context, 4);
    return { networkId: readU16BE(value, 0), networkCost: readU16BE(value, 2) };
  },
  encode({ networkId, networkCost }) {
    checkRange('GOOG-NETWORK-INFO network id', networkId, 0xffff);
    checkRange('GOOG-NETWORK-INFO network cost', networkCost, 0xffff);
    const out = new Uint8Array(4);
    writeU16BE(out, 0, networkId);
    writeU16BE(out, 2, networkCost);
    return out;
  },
};

/** RFC 8656 §18.1: the channel (0x4000..0x4FFF) a ChannelBind binds. */
export const CHANNEL_NUMBER = u16Attribute(AttributeType.ChannelNumber, 'CHANNEL-NUMBER');
/** RFC 8656 §18.2: seconds until an allocation expires. */
export const LIFETIME = u32Attribute(AttributeType.Lifetime, 'LIFETIME');
/** RFC 8656 §18.4: the application data of a Send or Data indication. */
export const DATA = bytesAttribute(AttributeType.Data, 'DATA');
/** RFC 8656 §18.8: the token of an EVEN-PORT reservation, 8 bytes. */
export const RESERVATION_TOKEN = bytesAttribute(
  AttributeType.ReservationToken,
  'RESERVATION-TOKEN',
  8,
);
/** RFC 8656 §18.10: ask the server not to fragment (sets DF on the relayed datagram). */
export const DONT_FRAGMENT = flagAttribute(AttributeType.DontFragment, 'DONT-FRAGMENT');

function familyAttribute(type: number, name: string): AttributeCodec<AddressFamily> {
  return {
    type,
    name,
    decode(value, context) {
      checkLength(name, value, context, 4);
      const code = value[0] as number;
      if (code === 0x01) return 'IPv4';
      if (code === 0x02) return 'IPv6';
      throw malformed(name, `unknown address family ${code}`, context.offset);
    },
    encode(family) {
      return Uint8Array.of(family === 'IPv4' ? 0x01 : 0x02, 0, 0, 0);
    },
  };
}

/** RFC 8656 §18.6: the family of the relayed address to allocate. */
export const REQUESTED_ADDRESS_FAMILY = familyAttribute(
  AttributeType.RequestedAddressFamily,
  'REQUESTED-ADDRESS-FAMILY',
);
/** RFC 8656 §18.11: allocate an IPv6 relayed address besides the IPv4 one. */
export const ADDITIONAL_ADDRESS_FAMILY = familyAttribute(
  AttributeType.AdditionalAddressFamily,
  'ADDITIONAL-ADDRESS-FAMILY',
);

/** RFC 8656 §18.7: allocate an even port; `reserveNext` also reserves the next (odd) one. */
export const EVEN_PORT: AttributeCodec<{ readonly reserveNext: boolean }> = {
  type: AttributeType.EvenPort,
  name: 'EVEN-PORT',
  decode(value, context) {
    checkLength('EVEN-PORT', value, context, 1);
    return { reserveNext: ((value[0] as number) & 0x80) !== 0 };
  },
  encode: ({ reserveNext }) => Uint8Array.of(reserveNext ? 0x80 : 0),
};

/** RFC 8656 §18.9: the relayed transport's IP protocol number (17, UDP). */
export const REQUESTED_TRANSPORT: AttributeCodec<number> = {
  type: AttributeType.RequestedTransport,
  name: 'REQUESTED-TRANSPORT',
  decode(value, context) {
    checkLength('REQUESTED-TRANSPORT', value, context, 4);
    return value[0] as number;
  },
  encode(protocol) {
    checkRange('REQUESTED-TRANSPORT', protocol, 0xff);
    return Uint8Array.of(protocol, 0, 0, 0);
  },
};

export interface AddressErrorValue extends ErrorCodeValue {
  readonly family: AddressFamily;
}

/** RFC 8656 §18.12: why the address family the client asked for could not be allocated. */
export const ADDRESS_ERROR_CODE: AttributeCodec<AddressErrorValue> = {
  type: AttributeType.AddressErrorCode,
  name: 'ADDRESS-ERROR-CODE',
  decode(value, context) {
    const error = decodeErrorCode('ADDRESS-ERROR-CODE', value, context.offset);
    const familyCode = value[0] as number;
    if (familyCode !== 0x01 && familyCode !== 0x02) {
      throw malformed('ADDRESS-ERROR-CODE', `unknown address family ${familyCode}`, context.offset);
    }
    return { family: familyCode === 0x01 ? 'IPv4' : 'IPv6', ...error };
  },
  encode(value) {
    const out = encodeErrorCode('ADDRESS-ERROR-CODE', value);
    out[0] = value.family === 'IPv4' ? 0x01 : 0x02;
    return out;
  },
};

export interface IcmpValue {
  readonly type: number;
  readonly code: number;
  /** The ICMP message's error data word (e.g. the next-hop MTU). */
  readonly data: number;
}

/**
 * RFC 8656 §18.13: an ICMP error the server received for a relayed datagram: 2 reserved bytes,
 * the ICMP type, the ICMP code, 4 bytes of error data. (The RFC's figure draws the type and
 * code 7 and 9 bits wide; ICMP's own fields are a byte each (RFC 792, RFC 4443 §2.1), and a
 * byte each is what the text's "the value of the ICMP type/code" fits.)
 */
export const ICMP: AttributeCodec<IcmpValue> = {
  type: AttributeType.Icmp,
  name: 'ICMP',
  decode(value, context) {
    checkLength('ICMP', value, context, 8);
    return { type: value[2] as number, code: value[3] as number, data: readU32BE(value, 4) };
  },
  encode({ type, code, data }) {
    checkRange('ICMP type', type, 0xff);
    checkRange('ICMP code', code, 0xff);
    checkRange('ICMP data', data, 0xffff_ffff);
    const out = new Uint8Array(8);
    out[2] = type;
    out[3] = code;
    writeU32BE(out, 4, data);
    return out;
  },
};

/**
 * Every comprehension-required type (below 0x8000) this package understands, MESSAGE-INTEGRITY
 * and its SHA-256 sibling included; anything else below 0x8000 in a request gets a 420 (RFC 8489
 * §7.3.1).
 */
export const KNOWN_COMPREHENSION_REQUIRED: ReadonlySet<number> = new Set(
  Object.values(AttributeType).filter((type) => type < 0x8000),
);
