/**
 * Records in the tests. On the wire: the one reader and writer of datagrams of records, with the
 * package's own header codec, and whole handshake messages in plaintext records. Protected: the
 * header fields records are sealed under, a switch of crypto backend for the duration of a
 * cipher's creation, and the reference encoding of the additional data built with Buffer,
 * independently of the code under test.
 */

import {
  type CryptoBackend,
  cryptoBackends,
  getCryptoBackend,
  setCryptoBackend,
} from '@typertc/common';
import { expect } from 'vitest';
import { AlertDescription } from '../src/alert.js';
import { DtlsVerificationError } from '../src/errors.js';
import {
  fragmentMessage,
  HANDSHAKE_HEADER_LENGTH,
  type HandshakeFragment,
  readHandshakeFragments,
} from '../src/handshake/handshake-header.js';
import {
  ContentType,
  DTLS_1_2,
  RECORD_HEADER_LENGTH,
  type RecordCipher,
  type RecordHeader,
  readRecordHeader,
  writeRecordHeader,
} from '../src/record/index.js';

// --- Records on the wire ---

/** One record of a datagram: its header and its fragment (plaintext in epoch 0). */
export interface WireRecord extends RecordHeader {
  readonly fragment: Uint8Array;
}

/**
 * A record to write. The header fields left out are those of a plaintext DTLS 1.2 record:
 * epoch 0, sequence number 0. The length is the fragment's.
 */
export interface RecordToWrite {
  readonly contentType: number;
  readonly fragment: Uint8Array;
  readonly version?: number;
  readonly epoch?: number;
  readonly sequenceNumber?: number;
}

/** The records of a datagram (RFC 6347 §4.1.1: several may share one), each fragment a copy. */
export function readRecords(datagram: Uint8Array): WireRecord[] {
  const records: WireRecord[] = [];
  for (let offset = 0; offset < datagram.length; ) {
    const header = { contentType: 0, version: 0, epoch: 0, sequenceNumber: 0, length: 0 };
    readRecordHeader(datagram, offset, header);
    const start = offset + RECORD_HEADER_LENGTH;
    offset = start + header.length;
    records.push({ ...header, fragment: datagram.slice(start, offset) });
  }
  return records;
}

/** The records, back to back in one datagram. */
export function writeRecords(records: readonly RecordToWrite[]): Uint8Array {
  const size = records.reduce((sum, r) => sum + RECORD_HEADER_LENGTH + r.fragment.length, 0);
  const datagram = new Uint8Array(size);
  let offset = 0;
  for (const { contentType, fragment, version, epoch, sequenceNumber } of records) {
    offset = writeRecordHeader(datagram, offset, {
      contentType,
      version: version ?? DTLS_1_2,
      epoch: epoch ?? 0,
      sequenceNumber: sequenceNumber ?? 0,
      length: fragment.length,
    });
    datagram.set(fragment, offset);
    offset += fragment.length;
  }
  return datagram;
}

/** Each record of a datagram as a datagram of its own. */
export function splitRecords(datagram: Uint8Array): Uint8Array[] {
  return readRecords(datagram).map((record) => writeRecords([record]));
}

/** `body` as one whole handshake message: a single fragment (RFC 6347 §4.2.2). */
export function handshakeMessage(
  msgType: number,
  messageSeq: number,
  body: Uint8Array,
): Uint8Array {
  const whole = HANDSHAKE_HEADER_LENGTH + body.length + 1;
  return fragmentMessage(msgType, messageSeq, body, whole)[0] as Uint8Array;
}

/** The handshake fragments of the plaintext (epoch 0) handshake records of `datagrams`. */
export function handshakeFragments(datagrams: readonly Uint8Array[]): HandshakeFragment[] {
  return datagrams
    .flatMap(readRecords)
    .filter((r) => r.epoch === 0 && r.contentType === ContentType.handshake)
    .flatMap((r) => readHandshakeFragments(r.fragment));
}

// --- Record protection ---

/** The header fields a record is protected under. */
export interface Fields {
  contentType: number;
  version: number;
  epoch: number;
  sequenceNumber: number;
}

export const FIELDS: Fields = {
  contentType: ContentType.applicationData,
  version: DTLS_1_2,
  epoch: 1,
  sequenceNumber: 0x0102_0304_0506,
};

/** `[name, backend]` rows for `describe.each`. */
export const backendCases = cryptoBackends.map((backend): [string, CryptoBackend] => [
  backend.name,
  backend,
]);

/**
 * `run` with `backend` as the active crypto backend, then the previous one again: a cipher made
 * (or a handshake run) in it takes its primitives from `backend`.
 */
export function withBackend<T>(backend: CryptoBackend, run: () => T): T {
  const previous = getCryptoBackend();
  setCryptoBackend(backend);
  try {
    return run();
  } finally {
    setCryptoBackend(previous);
  }
}

/** Calls made to a backend's keyed AES objects (see `countingBackend`). */
export interface AesCalls {
  /** `encryptBlocks` calls of its AES-ECB objects. */
  ecb: number;
  /** `seal` and `open` calls of its AES-GCM objects. */
  gcm: number;
}

/**
 * `backend` with the calls to its AES-ECB and AES-GCM objects counted in `calls`: which of the
 * backend's primitives a record cipher made under it runs on, and how often per record.
 */
export function countingBackend(backend: CryptoBackend): {
  backend: CryptoBackend;
  calls: AesCalls;
} {
  const calls: AesCalls = { ecb: 0, gcm: 0 };
  const counting: CryptoBackend = {
    ...backend,
    aesEcb(key) {
      const ecb = backend.aesEcb(key);
      return {
        keyLength: ecb.keyLength,
        encryptBlocks(input, out) {
          calls.ecb++;
          return ecb.encryptBlocks(input, out);
        },
      };
    },
    aesGcm(key) {
      const gcm = backend.aesGcm(key);
      return {
        keyLength: gcm.keyLength,
        seal(nonce, plaintext, aad, out) {
          calls.gcm++;
          return gcm.seal(nonce, plaintext, aad, out);
        },
        open(nonce, sealed, aad, out) {
          calls.gcm++;
          return gcm.open(nonce, sealed, aad, out);
        },
      };
    },
  };
  return { backend: counting, calls };
}

export function seal(
  cipher: RecordCipher,
  fields: Fields,
  plaintext: Uint8Array,
  out?: Uint8Array,
): Uint8Array {
  const { contentType, version, epoch, sequenceNumber } = fields;
  return cipher.seal(contentType, version, epoch, sequenceNumber, plaintext, out);
}

export function open(
  cipher: RecordCipher,
  fields: Fields,
  fragment: Uint8Array,
  out?: Uint8Array,
): Uint8Array {
  const { contentType, version, epoch, sequenceNumber } = fields;
  return cipher.open(contentType, version, epoch, sequenceNumber, fragment, out);
}

/** Runs `action`, which must fail as a record that does not authenticate; returns the error. */
export function expectBadRecordMac(action: () => unknown, label?: string): DtlsVerificationError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, label).toBeInstanceOf(DtlsVerificationError);
  const error = thrown as DtlsVerificationError;
  expect(error.check).toBe('record-mac');
  expect(error.alert).toBe(AlertDescription.badRecordMac);
  return error;
}

/** `seq_num || type || version || length` built by hand with Buffer (RFC 5246 §6.2.3.1/3). */
export function referenceAdditionalData(fields: Fields, length: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt16BE(fields.epoch, 0);
  data.writeUIntBE(fields.sequenceNumber, 2, 6);
  data.writeUInt8(fields.contentType, 8);
  data.writeUInt16BE(fields.version, 9);
  data.writeUInt16BE(length, 11);
  return data;
}

/** The 64-bit `epoch || sequence_number`. */
export function sequenceBytes(fields: Fields): Buffer {
  return referenceAdditionalData(fields, 0).subarray(0, 8);
}

/** A copy of `bytes` with one bit of byte `index` flipped; a negative index counts from the end. */
export function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const copy = bytes.slice();
  const at = index < 0 ? copy.length + index : index;
  copy[at] = (copy[at] as number) ^ (1 << bit);
  return copy;
}
