import { BufferOverflowError, concatBytes, fromHex, toHex } from '@typertc/common';
import { fuzzIterations, fuzzParser } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { DtlsParseError } from '../src/errors.js';
import {
  ContentType,
  DTLS_1_0,
  DTLS_1_2,
  MAX_CIPHERTEXT_LENGTH,
  MAX_PLAINTEXT_LENGTH,
  MAX_SEQUENCE_NUMBER,
  RECORD_HEADER_LENGTH,
  type RecordHeader,
  readRecordHeader,
  writeRecordHeader,
} from '../src/record/index.js';
import { writeRecords } from './record-helpers.js';

function blankHeader(): RecordHeader {
  return { contentType: -1, version: -1, epoch: -1, sequenceNumber: -1, length: -1 };
}

/** Walks a datagram the way the connection does, collecting each header and fragment. */
function walk(datagram: Uint8Array): { header: RecordHeader; fragment: string }[] {
  const records: { header: RecordHeader; fragment: string }[] = [];
  const header = blankHeader();
  for (let offset = 0; offset < datagram.length; offset += RECORD_HEADER_LENGTH + header.length) {
    readRecordHeader(datagram, offset, header);
    const start = offset + RECORD_HEADER_LENGTH;
    records.push({
      header: { ...header },
      fragment: toHex(datagram.subarray(start, start + header.length)),
    });
  }
  return records;
}

describe('record header constants', () => {
  it('match RFC 6347 §4.1 and RFC 5246 §6.2', () => {
    expect(ContentType).toEqual({
      changeCipherSpec: 20,
      alert: 21,
      handshake: 22,
      applicationData: 23,
    });
    expect([DTLS_1_2, DTLS_1_0, RECORD_HEADER_LENGTH]).toEqual([0xfefd, 0xfeff, 13]);
    expect([MAX_PLAINTEXT_LENGTH, MAX_CIPHERTEXT_LENGTH]).toEqual([16384, 18432]);
  });
});

describe('writeRecordHeader / readRecordHeader', () => {
  it('lays out type, version, epoch, 48-bit sequence number and length (RFC 6347 §4.1)', () => {
    const buffer = new Uint8Array(20).fill(0xaa);
    const next = writeRecordHeader(buffer, 2, {
      contentType: ContentType.handshake,
      version: DTLS_1_2,
      epoch: 0x0102,
      sequenceNumber: 0x0304_0506_0708,
      length: 0x090a,
    });
    expect(next).toBe(15);
    expect(toHex(buffer)).toBe(
      ['aaaa', '16', 'fefd', '0102', '030405060708', '090a', 'aaaaaaaaaa'].join(''),
    );
  });

  it('round-trips edge values, including the largest sequence number', () => {
    const cases: RecordHeader[] = [
      { contentType: 0, version: 0, epoch: 0, sequenceNumber: 0, length: 0 },
      {
        contentType: 255,
        version: 0xffff,
        epoch: 0xffff,
        sequenceNumber: MAX_SEQUENCE_NUMBER,
        length: 0,
      },
      {
        contentType: ContentType.applicationData,
        version: DTLS_1_2,
        epoch: 1,
        sequenceNumber: 2 ** 32,
        length: 0,
      },
      {
        contentType: ContentType.alert,
        version: DTLS_1_0,
        epoch: 1,
        sequenceNumber: 2 ** 32 - 1,
        length: 0,
      },
    ];
    for (const fields of cases) {
      const header = blankHeader();
      readRecordHeader(writeRecords([{ ...fields, fragment: new Uint8Array(0) }]), 0, header);
      expect(header).toEqual(fields);
    }
    const header = blankHeader();
    const bytes = fromHex('17fefd0001ffffffffffff0003abcdef');
    readRecordHeader(bytes, 0, header);
    expect(header.sequenceNumber).toBe(MAX_SEQUENCE_NUMBER);
    expect(header.length).toBe(3);
  });

  it('walks several records in one datagram (RFC 6347 §4.1.1)', () => {
    const records = walk(
      writeRecords([
        { contentType: ContentType.handshake, sequenceNumber: 5, fragment: fromHex('0102030405') },
        { contentType: ContentType.changeCipherSpec, sequenceNumber: 6, fragment: fromHex('01') },
        { contentType: ContentType.handshake, epoch: 1, fragment: fromHex('ffeeddccbbaa99887766') },
        {
          contentType: ContentType.applicationData,
          epoch: 1,
          sequenceNumber: 1,
          fragment: new Uint8Array(0),
        },
      ]),
    );
    expect(
      records.map(({ header, fragment }) => [header.contentType, header.epoch, fragment]),
    ).toEqual([
      [22, 0, '0102030405'],
      [20, 0, '01'],
      [22, 1, 'ffeeddccbbaa99887766'],
      [23, 1, ''],
    ]);
    expect(records.map(({ header }) => header.sequenceNumber)).toEqual([5, 6, 0, 1]);
  });

  it('reads at an offset and through a view into a larger buffer', () => {
    const datagram = writeRecords([
      { contentType: ContentType.alert, epoch: 1, sequenceNumber: 9, fragment: fromHex('0228') },
    ]);
    const backing = new Uint8Array(datagram.length + 10).fill(0xee);
    backing.set(datagram, 3);
    const view = backing.subarray(3, 3 + datagram.length);
    const header = blankHeader();
    readRecordHeader(view, 0, header);
    expect(header).toEqual({
      contentType: 21,
      version: DTLS_1_2,
      epoch: 1,
      sequenceNumber: 9,
      length: 2,
    });
    // The length field is checked against the view, not the bytes after it in the backing.
    const cut = backing.subarray(3, 3 + datagram.length - 1);
    expect(() => readRecordHeader(cut, 0, header)).toThrow(DtlsParseError);
  });

  it('rejects a truncated header with DtlsParseError at the record offset', () => {
    const datagram = writeRecords([
      { contentType: ContentType.handshake, sequenceNumber: 1, fragment: fromHex('00') },
    ]);
    const header = blankHeader();
    for (const length of [0, 1, 12]) {
      expect(() => readRecordHeader(datagram.subarray(0, length), 0, header)).toThrow(
        DtlsParseError,
      );
    }
    // A second record that is only a partial header.
    const twoRecords = concatBytes(datagram, datagram.subarray(0, 7));
    expect(() => walk(twoRecords)).toThrow(
      expect.objectContaining({ name: 'DtlsParseError', offset: datagram.length }),
    );
    expect(() => readRecordHeader(datagram, datagram.length + 5, header)).toThrow(DtlsParseError);
  });

  it('rejects a length that runs past the datagram, pointing at the length field', () => {
    const datagram = writeRecords([
      { contentType: ContentType.handshake, sequenceNumber: 1, fragment: fromHex('aabbcc') },
    ]);
    const header = blankHeader();
    expect(() => readRecordHeader(datagram.subarray(0, datagram.length - 1), 0, header)).toThrow(
      expect.objectContaining({ name: 'DtlsParseError', offset: 11 }),
    );
    const overlong = datagram.slice();
    overlong[11] = 0xff;
    expect(() => readRecordHeader(overlong, 0, header)).toThrow(DtlsParseError);
    // The header object is untouched by a rejected read.
    expect(header).toEqual(blankHeader());
  });

  it('does not judge content type, version or length limit: that is the caller', () => {
    const header = blankHeader();
    const bytes = new Uint8Array(RECORD_HEADER_LENGTH + 1);
    writeRecordHeader(bytes, 0, {
      contentType: 99,
      version: 0x0303,
      epoch: 7,
      sequenceNumber: 1,
      length: 1,
    });
    readRecordHeader(bytes, 0, header);
    expect([header.contentType, header.version, header.epoch]).toEqual([99, 0x0303, 7]);
  });

  it('rejects fields out of range with RangeError and a short buffer with BufferOverflowError', () => {
    const valid: RecordHeader = {
      contentType: 22,
      version: DTLS_1_2,
      epoch: 0,
      sequenceNumber: 0,
      length: 0,
    };
    const bad: Partial<RecordHeader>[] = [
      { contentType: 256 },
      { contentType: -1 },
      { version: 0x10000 },
      { epoch: 0x10000 },
      { epoch: 1.5 },
      { sequenceNumber: MAX_SEQUENCE_NUMBER + 1 },
      { sequenceNumber: -1 },
      { length: 0x10000 },
    ];
    for (const change of bad) {
      const buffer = new Uint8Array(13).fill(0x55);
      expect(() => writeRecordHeader(buffer, 0, { ...valid, ...change })).toThrow(RangeError);
      // Nothing was written.
      expect(buffer.every((byte) => byte === 0x55)).toBe(true);
    }
    expect(() => writeRecordHeader(new Uint8Array(12), 0, valid)).toThrow(BufferOverflowError);
    expect(() => writeRecordHeader(new Uint8Array(20), 8, valid)).toThrow(BufferOverflowError);
  });
});

describe('fuzz', () => {
  it('fuzz: walking a datagram of records throws only DtlsParseError', () => {
    const seeds = [
      writeRecords([
        { contentType: 22, sequenceNumber: 1, fragment: fromHex('0100000c000000000000000cfefd') },
        { contentType: 20, sequenceNumber: 2, fragment: fromHex('01') },
        { contentType: 22, epoch: 1, fragment: new Uint8Array(40).fill(7) },
      ]),
      writeRecords([
        {
          contentType: 23,
          version: DTLS_1_0,
          epoch: 1,
          sequenceNumber: 1,
          fragment: new Uint8Array(0),
        },
      ]),
    ];
    const stats = fuzzParser({
      seeds,
      iterations: fuzzIterations(5000),
      expectedError: DtlsParseError,
      parse(bytes) {
        const records = walk(bytes);
        for (const { header } of records) {
          expect(header.length).toBeLessThanOrEqual(bytes.length - RECORD_HEADER_LENGTH);
          expect(header.sequenceNumber).toBeLessThanOrEqual(MAX_SEQUENCE_NUMBER);
        }
        return records;
      },
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
