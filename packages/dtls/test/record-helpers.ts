/**
 * What the record-protection tests share: the header fields records are sealed under, a switch
 * of crypto backend for the duration of a cipher's creation, and the reference encoding of the
 * additional data built with Buffer, independently of the code under test.
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
import { ContentType, DTLS_1_2, type RecordCipher } from '../src/record/index.js';

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

/** A cipher made while `backend` is the active one, so that its primitives come from it. */
export function withBackend(backend: CryptoBackend, make: () => RecordCipher): RecordCipher {
  const previous = getCryptoBackend();
  setCryptoBackend(backend);
  try {
    return make();
  } finally {
    setCryptoBackend(previous);
  }
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

export function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const copy = bytes.slice();
  copy[index] = (copy[index] as number) ^ (1 << bit);
  return copy;
}
