/**
 * How a typed attribute value becomes bytes and back. A message keeps its attributes as raw
 * type/value pairs; `message.get(XOR_MAPPED_ADDRESS)` decodes one on demand with its codec, so
 * a message that is only routed or checked never decodes what it does not read.
 */

import { readU16BE, readU32BE, writeU16BE, writeU32BE } from '@typertc/common';
import { StunError, StunParseError } from './errors.js';

/** What a codec knows of the message around the attribute: XOR addresses need the id. */
export interface AttributeContext {
  readonly transactionId: Uint8Array;
  /** Offset of the value in the message, for error positions (0 for built messages). */
  readonly offset: number;
}

export interface AttributeCodec<T> {
  readonly type: number;
  /** The RFC's name, e.g. `XOR-MAPPED-ADDRESS`. */
  readonly name: string;
  /** Throws `StunParseError` when the value is malformed. */
  decode(value: Uint8Array, context: AttributeContext): T;
  /** Throws `StunError` when `value` cannot be represented. */
  encode(value: T, context: AttributeContext): Uint8Array;
}

/** A malformed attribute value, `offset` being where in the message it is. */
export function malformed(name: string, why: string, offset: number): StunParseError {
  return new StunParseError(`${name}: ${why}`, offset);
}

export function checkLength(
  name: string,
  value: Uint8Array,
  context: AttributeContext,
  expected: number,
): void {
  if (value.length !== expected) {
    throw malformed(name, `${value.length} bytes, expected ${expected}`, context.offset);
  }
}

/** Throws `StunError` unless `value` is an integer in 0..max. */
export function checkRange(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new StunError(`${name} must be an integer in 0..${max}, got ${value}`);
  }
}

/** An attribute whose presence is the information (USE-CANDIDATE, DONT-FRAGMENT). */
export function flagAttribute(type: number, name: string): AttributeCodec<true> {
  return {
    type,
    name,
    decode(value, context) {
      checkLength(name, value, context, 0);
      return true;
    },
    encode: () => new Uint8Array(0),
  };
}

export function u32Attribute(type: number, name: string): AttributeCodec<number> {
  return {
    type,
    name,
    decode(value, context) {
      checkLength(name, value, context, 4);
      return readU32BE(value, 0);
    },
    encode(value) {
      checkRange(name, value, 0xffff_ffff);
      const out = new Uint8Array(4);
      writeU32BE(out, 0, value);
      return out;
    },
  };
}

/** A 16-bit value followed by 16 bits that must be ignored (RFFU), as CHANNEL-NUMBER. */
export function u16Attribute(type: number, name: string): AttributeCodec<number> {
  return {
    type,
    name,
    decode(value, context) {
      checkLength(name, value, context, 4);
      return readU16BE(value, 0);
    },
    encode(value) {
      checkRange(name, value, 0xffff);
      const out = new Uint8Array(4);
      writeU16BE(out, 0, value);
      return out;
    },
  };
}

/** Opaque bytes, optionally of a fixed length (DATA, RESERVATION-TOKEN, USERHASH). */
export function bytesAttribute(
  type: number,
  name: string,
  fixedLength?: number,
): AttributeCodec<Uint8Array> {
  return {
    type,
    name,
    decode(value, context) {
      if (fixedLength !== undefined) checkLength(name, value, context, fixedLength);
      return value;
    },
    encode(value) {
      if (fixedLength !== undefined && value.length !== fixedLength) {
        throw new StunError(`${name} must be ${fixedLength} bytes, got ${value.length}`);
      }
      return value;
    },
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/**
 * UTF-8 text no longer than `maxBytes` (RFC 8489 §14: USERNAME < 513 bytes; REALM, NONCE,
 * SOFTWARE < 128 characters, which is at most 763 bytes).
 */
export function textAttribute(
  type: number,
  name: string,
  maxBytes: number,
): AttributeCodec<string> {
  return {
    type,
    name,
    decode(value, context) {
      if (value.length > maxBytes)
        throw malformed(name, `longer than ${maxBytes} bytes`, context.offset);
      try {
        return utf8.decode(value);
      } catch (error) {
        throw new StunParseError(`${name}: not UTF-8`, context.offset, { cause: error });
      }
    },
    encode(value) {
      const bytes = utf8Encoder.encode(value);
      if (bytes.length > maxBytes) throw new StunError(`${name} longer than ${maxBytes} bytes`);
      return bytes;
    },
  };
}
