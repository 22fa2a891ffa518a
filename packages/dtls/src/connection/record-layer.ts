/**
 * The record layer of one connection (RFC 6347 §4.1): epochs, 48-bit sequence numbers, the
 * cipher of each direction, the anti-replay window, and packing records into datagrams.
 *
 * Only two epochs exist, as there is no renegotiation: 0 (the handshake in the clear) and 1
 * (everything after ChangeCipherSpec). Records that do not authenticate, are replayed, or come
 * in an epoch we have no keys for are discarded silently and counted (§4.1.2.7: invalid records
 * SHOULD be discarded, not fatal, since a datagram can be forged by anyone).
 */

import {
  DTLS_1_0,
  DTLS_1_2,
  MAX_CIPHERTEXT_LENGTH,
  RECORD_HEADER_LENGTH,
  type RecordCipher,
  type RecordHeader,
  ReplayWindow,
  readRecordHeader,
  writeRecordHeader,
} from '../record/index.js';

/** 2^48 - 1: the last sequence number of an epoch (RFC 6347 §4.1). */
const MAX_SEQUENCE_NUMBER = 0xffff_ffff_ffff;

export interface RecordStats {
  /** Records dropped: unauthenticated, replayed, or in an epoch without keys. */
  droppedRecords: number;
  /** Datagrams whose record headers did not parse (the rest of the datagram is dropped). */
  malformedDatagrams: number;
}

export class RecordLayer {
  readonly stats: RecordStats = { droppedRecords: 0, malformedDatagrams: 0 };
  readonly #writeSequence = [0, 0];
  #writeEpoch = 0;
  #writeCipher: RecordCipher | undefined;
  #readCipher: RecordCipher | undefined;
  readonly #replay = new ReplayWindow();
  readonly #writeHeader: RecordHeader = {
    contentType: 0,
    version: DTLS_1_2,
    epoch: 0,
    sequenceNumber: 0,
    length: 0,
  };
  readonly #header: RecordHeader = {
    contentType: 0,
    version: 0,
    epoch: 0,
    sequenceNumber: 0,
    length: 0,
  };

  get writeEpoch(): number {
    return this.#writeEpoch;
  }

  /** Whether records of epoch 1 can be read. */
  get canReadEpoch1(): boolean {
    return this.#readCipher !== undefined;
  }

  /** The cipher the peer's epoch-1 records are opened with (from its ChangeCipherSpec on). */
  setReadCipher(cipher: RecordCipher): void {
    this.#readCipher = cipher;
  }

  /** Our ChangeCipherSpec: from now on records go out in epoch 1 under `cipher`. */
  setWriteCipher(cipher: RecordCipher): void {
    this.#writeCipher = cipher;
    this.#writeEpoch = 1;
  }

  /**
   * One record: header and (in epoch 1) protected fragment. `epoch` defaults to the current
   * write epoch; a flight retransmitted from before ChangeCipherSpec keeps epoch 0.
   * `sequenceNumber` forces the record sequence number (a HelloVerifyRequest repeats the
   * ClientHello's, RFC 6347 §4.2.1) without advancing the counter.
   */
  seal(
    contentType: number,
    plaintext: Uint8Array,
    epoch = this.#writeEpoch,
    sequenceNumber?: number,
  ): Uint8Array {
    const seq = sequenceNumber ?? this.#nextSequence(epoch);
    const cipher = epoch === 0 ? undefined : (this.#writeCipher as RecordCipher);
    // One allocation per record: the cipher seals straight into the record after its header.
    const record = new Uint8Array(
      RECORD_HEADER_LENGTH + plaintext.length + (cipher?.maxOverhead ?? 0),
    );
    const body = record.subarray(RECORD_HEADER_LENGTH);
    let length = plaintext.length;
    if (cipher === undefined) body.set(plaintext);
    else length = cipher.seal(contentType, DTLS_1_2, epoch, seq, plaintext, body).length;
    const header = this.#writeHeader;
    header.contentType = contentType;
    header.epoch = epoch;
    header.sequenceNumber = seq;
    header.length = length;
    writeRecordHeader(record, 0, header);
    return record.subarray(0, RECORD_HEADER_LENGTH + length);
  }

  /**
   * Calls `onRecord` for each record of `datagram` that is well-formed and authentic, with its
   * plaintext. Returns false if a record header did not parse (the datagram's rest is dropped).
   * With `inPlace`, protected records are decrypted where they are, overwriting `datagram`, and
   * each plaintext is a view of it: no allocation per record. Without it `datagram` is only
   * read and each plaintext of epoch 1 is a fresh buffer.
   */
  open(
    datagram: Uint8Array,
    onRecord: (
      contentType: number,
      epoch: number,
      sequenceNumber: number,
      data: Uint8Array,
    ) => void,
    inPlace = false,
  ): boolean {
    const header = this.#header;
    for (let offset = 0; offset < datagram.length; ) {
      try {
        readRecordHeader(datagram, offset, header);
      } catch {
        this.stats.malformedDatagrams++;
        return false;
      }
      const start = offset + RECORD_HEADER_LENGTH;
      offset = start + header.length;
      const { contentType, version, epoch, sequenceNumber } = header;
      if ((version !== DTLS_1_2 && version !== DTLS_1_0) || header.length > MAX_CIPHERTEXT_LENGTH) {
        this.stats.droppedRecords++;
        continue;
      }
      const fragment = datagram.subarray(start, offset);
      if (epoch === 0) {
        onRecord(contentType, 0, sequenceNumber, fragment);
        continue;
      }
      const cipher = this.#readCipher;
      if (epoch !== 1 || cipher === undefined || this.#replay.isReplay(sequenceNumber)) {
        this.stats.droppedRecords++;
        continue;
      }
      let plaintext: Uint8Array;
      try {
        // RecordCipher.open's in-place form: the output at the fragment's ciphertext.
        const out = inPlace ? fragment.subarray(cipher.recordIvLength) : undefined;
        plaintext = cipher.open(contentType, version, epoch, sequenceNumber, fragment, out);
      } catch {
        this.stats.droppedRecords++;
        continue;
      }
      this.#replay.accept(sequenceNumber);
      onRecord(contentType, 1, sequenceNumber, plaintext);
    }
    return true;
  }

  #nextSequence(epoch: number): number {
    const seq = this.#writeSequence[epoch] as number;
    // RFC 6347 §4.1: a sequence number is never reused within an epoch. 2^48 records is more
    // than any WebRTC session sends; renegotiation, the way to a new epoch, is not supported.
    if (seq > MAX_SEQUENCE_NUMBER) throw new RangeError('DTLS sequence numbers exhausted');
    this.#writeSequence[epoch] = seq + 1;
    return seq;
  }
}

/**
 * Packs records into datagrams of at most `mtu` bytes, in order (RFC 6347 §4.1.1: several
 * records may share a datagram; one record never spans two).
 */
export function packRecords(records: readonly Uint8Array[], mtu: number): Uint8Array[] {
  const datagrams: Uint8Array[] = [];
  let batch: Uint8Array[] = [];
  let size = 0;
  const flush = (): void => {
    if (batch.length === 0) return;
    const datagram = new Uint8Array(size);
    let at = 0;
    for (const record of batch) {
      datagram.set(record, at);
      at += record.length;
    }
    datagrams.push(datagram);
    batch = [];
    size = 0;
  };
  for (const record of records) {
    if (size + record.length > mtu) flush();
    batch.push(record);
    size += record.length;
  }
  flush();
  return datagrams;
}
