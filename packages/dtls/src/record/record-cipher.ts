/**
 * Record protection (RFC 5246 §6.2.3, RFC 6347 §4.1.2.1): the interface the connection uses
 * for one direction of one epoch, and what its implementations share — the 13 bytes every
 * cipher authenticates along with the fragment, and the handling of output buffers.
 *
 * Implementations: AES-GCM and ChaCha20-Poly1305 in aead-cipher.ts, AES-CBC with HMAC-SHA1 in
 * cbc-cipher.ts. Each is built once per key from the key block (RFC 5246 §6.3) and then used
 * synchronously per record, with its scratch buffers reused.
 */

import { BufferOverflowError, writeU16BE } from '@typertc/common';
import { DtlsVerificationError } from '../errors.js';
import { MAX_PLAINTEXT_LENGTH, writeEpochAndSequence } from './record-header.js';

export interface RecordCipher {
  /** Bytes `seal` adds to a plaintext at most: explicit nonce or IV, tag or MAC, padding. */
  readonly maxOverhead: number;
  /**
   * Bytes at the start of every fragment before the encrypted part: the explicit nonce (8, GCM)
   * or IV (16, CBC); 0 for ChaCha20-Poly1305. The in-place layouts below are offset by it.
   */
  readonly recordIvLength: number;
  /**
   * Protects `plaintext` (at most 2^14 bytes, RFC 5246 §6.2.1) for the record whose header
   * fields are given, and returns the record's fragment: what follows the 13-byte header.
   *
   * Without `out` the fragment is a new array; with it, the fragment is written to the start of
   * `out` (`BufferOverflowError` if it is too short; `plaintext.length + maxOverhead` always
   * suffices) and a view of it returned. `plaintext` may be disjoint from `out`, or sit in it
   * at offset `recordIvLength`, to seal in place.
   */
  seal(
    contentType: number,
    version: number,
    epoch: number,
    sequenceNumber: number,
    plaintext: Uint8Array,
    out?: Uint8Array,
  ): Uint8Array;
  /**
   * Verifies and decrypts a received fragment and returns the plaintext. Throws
   * `DtlsVerificationError('record-mac')` when it does not authenticate, whatever the reason —
   * too short, bad padding, bad tag or MAC are indistinguishable (RFC 5246 §6.2.3.2) — and then
   * writes nothing to `out`. `out` (as for `seal`) may be disjoint from `fragment`, or be
   * `fragment.subarray(recordIvLength)`, to open in place.
   *
   * A plaintext over 2^14 bytes is record_overflow (RFC 5246 §6.2.3); that check is the caller's.
   */
  open(
    contentType: number,
    version: number,
    epoch: number,
    sequenceNumber: number,
    fragment: Uint8Array,
    out?: Uint8Array,
  ): Uint8Array;
}

/**
 * `seq_num || type || version || length`, DTLS's seq_num being `epoch || sequence_number` (RFC
 * 6347 §4.1.2.1): the MAC input prefix (RFC 5246 §6.2.3.1) and the AEAD additional data (RFC
 * 5246 §6.2.3.3). 13 bytes.
 */
export const ADDITIONAL_DATA_LENGTH = 13;

/**
 * Writes the additional data for a record into `into` (13 bytes). `length` is the plaintext's.
 * Throws `RangeError` for a header field out of range: a caller bug, which must not be masked by
 * silent truncation into a different (and possibly repeating) nonce or MAC input.
 */
export function writeAdditionalData(
  into: Uint8Array,
  contentType: number,
  version: number,
  epoch: number,
  sequenceNumber: number,
  length: number,
): void {
  if (!Number.isInteger(contentType) || contentType < 0 || contentType > 0xff) {
    throw new RangeError(`record content type out of range: ${contentType}`);
  }
  if (!Number.isInteger(version) || version < 0 || version > 0xffff) {
    throw new RangeError(`record version out of range: ${version}`);
  }
  writeEpochAndSequence(into, 0, epoch, sequenceNumber);
  into[8] = contentType;
  writeU16BE(into, 9, version);
  writeU16BE(into, 11, length);
}

/** RFC 5246 §6.2.1: a record never carries more than 2^14 bytes of plaintext. */
export function checkPlaintextLength(plaintext: Uint8Array): void {
  if (plaintext.length > MAX_PLAINTEXT_LENGTH) {
    throw new RangeError(
      `record plaintext of ${plaintext.length} bytes exceeds ${MAX_PLAINTEXT_LENGTH} (RFC 5246 §6.2.1)`,
    );
  }
}

/**
 * Where a result of `length` bytes goes: a new array, or the start of the caller's `out`, the
 * crypto backend's convention (packages/common/src/crypto/backend.ts).
 */
export function outputView(out: Uint8Array | undefined, length: number): Uint8Array {
  if (out === undefined) return new Uint8Array(length);
  if (out.length < length) throw new BufferOverflowError(length, out.length);
  return out.length === length ? out : out.subarray(0, length);
}

/** The one error a fragment that does not authenticate gets, whatever was wrong with it. */
export function badRecordMac(): DtlsVerificationError {
  return new DtlsVerificationError('record-mac', 'record does not authenticate');
}
