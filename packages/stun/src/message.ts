/**
 * A STUN message (RFC 8489 §5, §14): a 20-byte header — message type, length, magic cookie,
 * 96-bit transaction id — and attributes, each type/length/value padded to 4 bytes.
 *
 * Attributes stay raw (type and a view of the value) until asked for through a codec, so
 * routing or authenticating a message decodes nothing it does not read. MESSAGE-INTEGRITY,
 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are not ordinary attributes here: `encode` appends
 * them last, in that order, computed over what precedes them; `decode` records where they are
 * so `verifyIntegrity` can check them against the bytes as received.
 */

import {
  constantTimeEqual,
  getCryptoBackend,
  readU16BE,
  readU32BE,
  writeU16BE,
  writeU32BE,
} from '@typertc/common';
import type { AttributeCodec, AttributeContext } from './attribute-codec.js';
import { ERROR_CODE, KNOWN_COMPREHENSION_REQUIRED, UNKNOWN_ATTRIBUTES } from './attributes.js';
import {
  AttributeType,
  HEADER_LENGTH,
  MAGIC_COOKIE,
  STUN_CLASS_BITS,
  type StunClass,
  TRANSACTION_ID_LENGTH,
} from './constants.js';
import { StunError, StunParseError } from './errors.js';
import {
  computeFingerprint,
  computeIntegrity,
  fingerprintMatches,
  type IntegrityAlgorithm,
} from './integrity.js';

/** An attribute as it is on the wire: its type and (unpadded) value. */
export interface RawAttribute {
  readonly type: number;
  readonly value: Uint8Array;
  /** Where the value starts in the decoded message (0 for attributes added in code). */
  readonly offset: number;
  /**
   * The padding bytes as received (RFC 8489 §14: any value, ignored on receipt), kept so a
   * decoded message re-encodes bit for bit; zeros are written when absent.
   */
  readonly padding?: Uint8Array;
}

export interface EncodeOptions {
  /** Appends MESSAGE-INTEGRITY, HMAC-SHA1 under this key (RFC 8489 §14.5). */
  readonly integrity?: Uint8Array;
  /** Appends MESSAGE-INTEGRITY-SHA256, HMAC-SHA256 under this key (§14.6). */
  readonly integritySha256?: Uint8Array;
  /** Appends FINGERPRINT (§14.7). */
  readonly fingerprint?: boolean;
}

const CLASSES: readonly StunClass[] = ['request', 'indication', 'success', 'error'];
const MESSAGE_INTEGRITY_LENGTH = 20;
const MESSAGE_INTEGRITY_SHA256_LENGTH = 32;
const FINGERPRINT_LENGTH = 4;
/** The largest length field (16 bits) rounded down to the 4-byte alignment it must have. */
const MAX_BODY_LENGTH = 0xfffc;
const CONTROL_ATTRIBUTES: ReadonlySet<number> = new Set([
  AttributeType.MessageIntegrity,
  AttributeType.MessageIntegritySha256,
  AttributeType.Fingerprint,
]);

/** RFC 8489 §5: the method's 12 bits interleaved with the class's 2 (M11..M7 C1 M6..M4 C0 M3..M0). */
function messageType(messageClass: StunClass, method: number): number {
  const bits = STUN_CLASS_BITS[messageClass];
  return (
    (method & 0x000f) |
    ((method & 0x0070) << 1) |
    ((method & 0x0f80) << 2) |
    ((bits & 0b01) << 4) |
    ((bits & 0b10) << 7)
  );
}

/** Writes MESSAGE-INTEGRITY(-SHA256) at `at` in `out`, over everything before it. */
function appendIntegrity(
  out: Uint8Array,
  at: number,
  algorithm: IntegrityAlgorithm,
  key: Uint8Array,
): void {
  const sha1 = algorithm === 'SHA-1';
  const length = sha1 ? MESSAGE_INTEGRITY_LENGTH : MESSAGE_INTEGRITY_SHA256_LENGTH;
  const mac = computeIntegrity(algorithm, key, out, at, length);
  writeU16BE(out, at, sha1 ? AttributeType.MessageIntegrity : AttributeType.MessageIntegritySha256);
  writeU16BE(out, at + 2, length);
  out.set(mac, at + 4);
}

/** Whether `bytes` looks like a STUN message: first two bits 0 and the magic cookie (§5). */
export function isStunMessage(bytes: Uint8Array): boolean {
  return (
    bytes.length >= HEADER_LENGTH &&
    ((bytes[0] as number) & 0xc0) === 0 &&
    readU32BE(bytes, 4) === MAGIC_COOKIE
  );
}

/** A fresh random transaction id (RFC 8489 §6: uniformly random, 96 bits). */
export function newTransactionId(): Uint8Array {
  return getCryptoBackend().randomBytes(TRANSACTION_ID_LENGTH);
}

export class StunMessage {
  readonly attributes: RawAttribute[] = [];
  /** The bytes this message was decoded from; undefined for a message built in code. */
  readonly bytes: Uint8Array | undefined;
  /** Where MESSAGE-INTEGRITY starts in `bytes`, -1 if absent. */
  readonly integrityAt: number = -1;
  /** Where MESSAGE-INTEGRITY-SHA256 starts in `bytes`, -1 if absent. */
  readonly integritySha256At: number = -1;
  /** Whether a FINGERPRINT was present, and whether it matched (RFC 8489 §7.3). */
  readonly fingerprint: 'absent' | 'valid' | 'invalid' = 'absent';

  constructor(
    readonly messageClass: StunClass,
    readonly method: number,
    readonly transactionId: Uint8Array = newTransactionId(),
    source?: {
      readonly bytes: Uint8Array;
      readonly integrityAt: number;
      readonly integritySha256At: number;
      readonly fingerprint: 'absent' | 'valid' | 'invalid';
    },
  ) {
    if (!Number.isInteger(method) || method < 0 || method > 0xfff) {
      throw new StunError(`STUN method must be 12 bits, got ${method}`);
    }
    if (transactionId.length !== TRANSACTION_ID_LENGTH) {
      throw new StunError(`transaction id must be 12 bytes, got ${transactionId.length}`);
    }
    if (source !== undefined) {
      this.bytes = source.bytes;
      this.integrityAt = source.integrityAt;
      this.integritySha256At = source.integritySha256At;
      this.fingerprint = source.fingerprint;
    }
  }

  /**
   * Parses one message: `bytes` must be exactly the message (a UDP datagram, or one frame from
   * a stream). Throws `StunParseError` for anything malformed; attribute values are views into
   * `bytes`. Attributes after MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and
   * FINGERPRINT are ignored (§14.5); anything after FINGERPRINT is an error (§14.7: it is last).
   */
  static decode(bytes: Uint8Array): StunMessage {
    if (bytes.length < HEADER_LENGTH) {
      throw new StunParseError(`${bytes.length} bytes is shorter than a STUN header`, 0);
    }
    const type = readU16BE(bytes, 0);
    if ((type & 0xc000) !== 0) throw new StunParseError('first two bits are not 0', 0);
    const length = readU16BE(bytes, 2);
    if (length % 4 !== 0) throw new StunParseError(`length ${length} is not a multiple of 4`, 2);
    if (HEADER_LENGTH + length !== bytes.length) {
      throw new StunParseError(
        `length field says ${length} bytes of attributes, ${bytes.length - HEADER_LENGTH} present`,
        2,
      );
    }
    if (readU32BE(bytes, 4) !== MAGIC_COOKIE) throw new StunParseError('no magic cookie', 4);
    const method = (type & 0x000f) | ((type & 0x00e0) >>> 1) | ((type & 0x3e00) >>> 2);
    const messageClass = CLASSES[((type & 0x0010) >>> 4) | ((type & 0x0100) >>> 7)] as StunClass;
    let integrityAt = -1;
    let integritySha256At = -1;
    let fingerprintAt = -1;
    const attributes: RawAttribute[] = [];
    let at = HEADER_LENGTH;
    while (at < bytes.length) {
      if (fingerprintAt >= 0) throw new StunParseError('attribute after FINGERPRINT', at);
      if (bytes.length - at < 4) throw new StunParseError('truncated attribute header', at);
      const attributeType = readU16BE(bytes, at);
      const valueLength = readU16BE(bytes, at + 2);
      const next = at + 4 + ((valueLength + 3) & ~3);
      if (next > bytes.length) {
        throw new StunParseError(
          `attribute 0x${attributeType.toString(16)} runs past the message`,
          at,
        );
      }
      if (attributeType === AttributeType.Fingerprint) {
        if (valueLength !== FINGERPRINT_LENGTH) throw new StunParseError('FINGERPRINT length', at);
        fingerprintAt = at;
      } else if (attributeType === AttributeType.MessageIntegritySha256) {
        // §14.6: 16 to 32 bytes, a multiple of 4 (truncation is allowed down to 128 bits).
        if (valueLength < 16 || valueLength > 32 || valueLength % 4 !== 0) {
          throw new StunParseError(`MESSAGE-INTEGRITY-SHA256 of ${valueLength} bytes`, at);
        }
        if (integritySha256At < 0) integritySha256At = at;
      } else if (attributeType === AttributeType.MessageIntegrity) {
        if (valueLength !== MESSAGE_INTEGRITY_LENGTH) {
          throw new StunParseError(`MESSAGE-INTEGRITY of ${valueLength} bytes`, at);
        }
        if (integrityAt < 0 && integritySha256At < 0) integrityAt = at;
      } else if (integrityAt < 0 && integritySha256At < 0) {
        attributes.push({
          type: attributeType,
          value: bytes.subarray(at + 4, at + 4 + valueLength),
          offset: at + 4,
          padding: bytes.subarray(at + 4 + valueLength, next),
        });
      }
      at = next;
    }
    const fingerprint =
      fingerprintAt < 0 ? 'absent' : fingerprintMatches(bytes, fingerprintAt) ? 'valid' : 'invalid';
    const message = new StunMessage(messageClass, method, bytes.subarray(8, HEADER_LENGTH), {
      bytes,
      integrityAt,
      integritySha256At,
      fingerprint,
    });
    message.attributes.push(...attributes);
    return message;
  }

  /** A success or error response to `request`: same method and transaction id (§6.3). */
  static responseTo(request: StunMessage, messageClass: 'success' | 'error'): StunMessage {
    return new StunMessage(messageClass, request.method, request.transactionId);
  }

  /**
   * The 420 (Unknown Attribute) response a request with unknown comprehension-required
   * attributes gets (RFC 8489 §6.3.1.1), or undefined when it has none.
   */
  static unknownAttributesResponse(request: StunMessage): StunMessage | undefined {
    const unknown = request.unknownComprehensionRequired();
    if (unknown.length === 0) return undefined;
    return StunMessage.responseTo(request, 'error')
      .add(ERROR_CODE, { code: 420, reason: 'Unknown Attribute' })
      .add(UNKNOWN_ATTRIBUTES, unknown);
  }

  /** The first attribute of the codec's type, decoded; undefined if absent. */
  get<T>(codec: AttributeCodec<T>): T | undefined {
    const attribute = this.attributes.find((a) => a.type === codec.type);
    return attribute === undefined
      ? undefined
      : codec.decode(attribute.value, this.context(attribute));
  }

  /** Every attribute of the codec's type, decoded, in message order. */
  getAll<T>(codec: AttributeCodec<T>): T[] {
    return this.attributes
      .filter((a) => a.type === codec.type)
      .map((a) => codec.decode(a.value, this.context(a)));
  }

  has(codec: AttributeCodec<unknown>): boolean {
    return this.attributes.some((a) => a.type === codec.type);
  }

  /** Appends an attribute (encoded now). Returns the message, for chaining. */
  add<T>(codec: AttributeCodec<T>, value: T): this {
    return this.addRaw(
      codec.type,
      codec.encode(value, { transactionId: this.transactionId, offset: 0 }),
    );
  }

  /** Appends an attribute given as bytes (an unknown type, a test's malformed value). */
  addRaw(type: number, value: Uint8Array): this {
    if (CONTROL_ATTRIBUTES.has(type)) {
      throw new StunError(
        `attribute 0x${type.toString(16)} is appended by encode(), not added (RFC 8489 §14.5-14.7)`,
      );
    }
    if (value.length > 0xffff) throw new StunError(`attribute value of ${value.length} bytes`);
    this.attributes.push({ type, value, offset: 0 });
    return this;
  }

  /**
   * The comprehension-required attribute types (below 0x8000) this package does not know: a
   * request carrying any gets a 420 response listing them (RFC 8489 §6.3.1.1, §14.13).
   */
  unknownComprehensionRequired(): number[] {
    return this.attributes
      .map((a) => a.type)
      .filter((type) => type < 0x8000 && !KNOWN_COMPREHENSION_REQUIRED.has(type));
  }

  /**
   * Whether the received MESSAGE-INTEGRITY verifies under `key` (false when absent or when the
   * message was not decoded). Compared in constant time.
   */
  verifyIntegrity(key: Uint8Array): boolean {
    return this.verify('SHA-1', key, this.integrityAt);
  }

  /** Whether the received MESSAGE-INTEGRITY-SHA256 verifies under `key` (§14.6). */
  verifySha256Integrity(key: Uint8Array): boolean {
    return this.verify('SHA-256', key, this.integritySha256At);
  }

  private verify(algorithm: IntegrityAlgorithm, key: Uint8Array, at: number): boolean {
    const bytes = this.bytes;
    if (bytes === undefined || at < 0) return false;
    const length = readU16BE(bytes, at + 2);
    const received = bytes.subarray(at + 4, at + 4 + length);
    const expected = computeIntegrity(algorithm, key, bytes, at, length);
    return constantTimeEqual(expected.subarray(0, length), received);
  }

  /** The message's bytes, with MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT as asked. */
  encode(options: EncodeOptions = {}): Uint8Array {
    let body = 0;
    for (const { value } of this.attributes) body += 4 + ((value.length + 3) & ~3);
    const integrityAt = HEADER_LENGTH + body;
    if (options.integrity !== undefined) body += 4 + MESSAGE_INTEGRITY_LENGTH;
    const integritySha256At = HEADER_LENGTH + body;
    if (options.integritySha256 !== undefined) body += 4 + MESSAGE_INTEGRITY_SHA256_LENGTH;
    const fingerprintAt = HEADER_LENGTH + body;
    if (options.fingerprint === true) body += 4 + FINGERPRINT_LENGTH;
    if (body > MAX_BODY_LENGTH) throw new StunError(`message of ${body} bytes of attributes`);

    const out = new Uint8Array(HEADER_LENGTH + body);
    writeU16BE(out, 0, messageType(this.messageClass, this.method));
    writeU32BE(out, 4, MAGIC_COOKIE);
    out.set(this.transactionId, 8);
    let at = HEADER_LENGTH;
    for (const { type, value, padding } of this.attributes) {
      writeU16BE(out, at, type);
      writeU16BE(out, at + 2, value.length);
      out.set(value, at + 4);
      const next = at + 4 + ((value.length + 3) & ~3);
      if (padding !== undefined && padding.length === next - at - 4 - value.length) {
        out.set(padding, at + 4 + value.length);
      }
      at = next;
    }
    if (options.integrity !== undefined) {
      appendIntegrity(out, integrityAt, 'SHA-1', options.integrity);
    }
    if (options.integritySha256 !== undefined) {
      appendIntegrity(out, integritySha256At, 'SHA-256', options.integritySha256);
    }
    writeU16BE(out, 2, body);
    if (options.fingerprint === true) {
      writeU16BE(out, fingerprintAt, AttributeType.Fingerprint);
      writeU16BE(out, fingerprintAt + 2, FINGERPRINT_LENGTH);
      writeU32BE(out, fingerprintAt + 4, computeFingerprint(out, fingerprintAt));
    }
    return out;
  }

  private context(attribute: RawAttribute): AttributeContext {
    return { transactionId: this.transactionId, offset: attribute.offset };
  }
}
