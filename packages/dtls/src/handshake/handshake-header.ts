/**
 * The DTLS handshake header (RFC 6347 §4.2.2): TLS's type and length, plus the message_seq,
 * fragment_offset and fragment_length that let a message be split over several records and put
 * back together after loss and reordering.
 *
 *     struct {
 *       HandshakeType msg_type;     // 1 byte
 *       uint24 length;              // of the whole message body
 *       uint16 message_seq;
 *       uint24 fragment_offset;
 *       uint24 fragment_length;
 *       opaque body[fragment_length];
 *     } Handshake;
 */

import { ByteWriter } from '@typertc/common';
import { asDtlsParseError, TlsReader } from './codec.js';

/** HandshakeType (RFC 5246 §7.4, plus hello_verify_request from RFC 6347 §4.2.2). */
export const HandshakeType = {
  helloRequest: 0,
  clientHello: 1,
  serverHello: 2,
  helloVerifyRequest: 3,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
} as const;

export type HandshakeType = (typeof HandshakeType)[keyof typeof HandshakeType];

export const HANDSHAKE_HEADER_LENGTH = 12;

/** The largest body a uint24 length can announce. */
const MAX_BODY_LENGTH = 0xff_ffff;

/** One handshake fragment as received: the header's fields and a view of its body bytes. */
export interface HandshakeFragment {
  /** A `HandshakeType`, or any other byte: the connection decides what is unexpected. */
  readonly msgType: number;
  /** Length of the whole message body, of which this fragment is a part. */
  readonly length: number;
  readonly messageSeq: number;
  readonly fragmentOffset: number;
  readonly fragmentLength: number;
  /** This fragment's `fragmentLength` bytes (a view into the input). */
  readonly body: Uint8Array;
}

/**
 * Reads the handshake fragment at `offset` of `bytes` (a record's plaintext). A record may carry
 * several fragments back to back (RFC 6347 §4.2.3), so it returns where the next one starts.
 * Throws `DtlsParseError` when the header or body is cut short, or the fragment does not lie
 * within the message it claims to be part of.
 */
export function readHandshakeFragment(
  bytes: Uint8Array,
  offset = 0,
): { fragment: HandshakeFragment; next: number } {
  const reader = new TlsReader(bytes.subarray(offset), offset);
  try {
    const msgType = reader.u8();
    const length = reader.u24();
    const messageSeq = reader.u16();
    const fragmentOffset = reader.u24();
    const fragmentLength = reader.u24();
    if (fragmentOffset + fragmentLength > length) {
      reader.fail(
        `fragment ${fragmentOffset}+${fragmentLength} runs past the message length ${length}`,
        6,
      );
    }
    const body = reader.bytes(fragmentLength);
    const fragment = { msgType, length, messageSeq, fragmentOffset, fragmentLength, body };
    return { fragment, next: offset + reader.offset };
  } catch (error) {
    throw asDtlsParseError(error, 'handshake fragment');
  }
}

/** Every handshake fragment in a record's plaintext, in order (RFC 6347 §4.2.3). */
export function readHandshakeFragments(bytes: Uint8Array): HandshakeFragment[] {
  const fragments: HandshakeFragment[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const { fragment, next } = readHandshakeFragment(bytes, offset);
    fragments.push(fragment);
    offset = next;
  }
  return fragments;
}

/**
 * A message as complete fragments ready for records (RFC 6347 §4.2.3), each at most
 * `maxFragmentLength` bytes counting its 12-byte header. A message that fits is one fragment; an
 * empty body is one fragment with no body bytes. Fragments are fresh buffers.
 */
export function fragmentMessage(
  msgType: number,
  messageSeq: number,
  body: Uint8Array,
  maxFragmentLength: number,
): Uint8Array[] {
  if (!Number.isInteger(maxFragmentLength) || maxFragmentLength <= HANDSHAKE_HEADER_LENGTH) {
    throw new RangeError(
      `maxFragmentLength ${maxFragmentLength} leaves no room after the ${HANDSHAKE_HEADER_LENGTH}-byte header`,
    );
  }
  const chunk = maxFragmentLength - HANDSHAKE_HEADER_LENGTH;
  const fragments: Uint8Array[] = [];
  let offset = 0;
  do {
    const end = Math.min(offset + chunk, body.length);
    fragments.push(
      encodeFragment(msgType, messageSeq, body.length, offset, body.subarray(offset, end)),
    );
    offset = end;
  } while (offset < body.length);
  return fragments;
}

/**
 * The message as it enters the handshake hash: one unfragmented handshake, fragment_offset 0 and
 * fragment_length equal to length, whatever fragments it actually travelled in (RFC 6347 §4.2.6).
 */
export function transcriptBytes(msgType: number, messageSeq: number, body: Uint8Array): Uint8Array {
  return encodeFragment(msgType, messageSeq, body.length, 0, body);
}

/** Header plus `part`, the bytes at `fragmentOffset` of a `length`-byte body. */
function encodeFragment(
  msgType: number,
  messageSeq: number,
  length: number,
  fragmentOffset: number,
  part: Uint8Array,
): Uint8Array {
  if (length > MAX_BODY_LENGTH) {
    throw new RangeError(`handshake body of ${length} bytes exceeds ${MAX_BODY_LENGTH}`);
  }
  const writer = new ByteWriter(new Uint8Array(HANDSHAKE_HEADER_LENGTH + part.length));
  writer.u8(msgType).u24(length).u16(messageSeq).u24(fragmentOffset).u24(part.length);
  writer.bytes(part);
  return writer.finish();
}
