/**
 * Bundling (RFC 9260 §6.10): chunks are written one after another into one buffer of the path
 * MTU behind the common header, and each finished packet gets its CRC-32c (§6.8). Control
 * chunks come first and DATA after (§6.10: control chunks before DATA in a bundle).
 */

import {
  COMMON_HEADER_LENGTH,
  type DataChunkFields,
  dataChunkSize,
  sackChunkLength,
  writeChecksum,
  writeCommonHeader,
  writeDataChunk,
  writeSackChunk,
} from '../packet/index.js';

export class PacketBuilder {
  readonly #buffer: Uint8Array;
  readonly #packets: { push(packet: Uint8Array): void };
  #length = 0;
  #sourcePort: number;
  #destinationPort: number;
  #verificationTag = 0;

  constructor(
    mtu: number,
    sourcePort: number,
    destinationPort: number,
    out: { push(packet: Uint8Array): void },
  ) {
    this.#buffer = new Uint8Array(mtu);
    this.#sourcePort = sourcePort;
    this.#destinationPort = destinationPort;
    this.#packets = out;
  }

  /** Bytes left for chunks in the packet being built (a whole MTU if none is open). */
  get room(): number {
    return this.#buffer.length - (this.#length === 0 ? COMMON_HEADER_LENGTH : this.#length);
  }

  /** The largest user data a DATA chunk can carry in an empty packet. */
  get maxDataPayload(): number {
    return this.#buffer.length - COMMON_HEADER_LENGTH - dataChunkSize(0);
  }

  /** Whether a chunk of `length` bytes fits a packet at all (answers echoing the peer may not). */
  fits(length: number): boolean {
    return length <= this.#buffer.length - COMMON_HEADER_LENGTH;
  }

  /** Packets from here on carry `verificationTag` (the peer's Initiate Tag, or 0 for INIT). */
  setVerificationTag(verificationTag: number): void {
    if (verificationTag !== this.#verificationTag) this.flush();
    this.#verificationTag = verificationTag;
  }

  /** An encoded chunk (padded); a new packet is started if it does not fit this one. */
  addChunk(chunk: Uint8Array): void {
    this.#reserve(chunk.length);
    this.#buffer.set(chunk, this.#length);
    this.#length += chunk.length;
  }

  addData(fields: Readonly<DataChunkFields>): void {
    this.#reserve(dataChunkSize(fields.userData.length));
    this.#length = writeDataChunk(this.#buffer, this.#length, fields);
  }

  addSack(
    cumulativeTsnAck: number,
    advertisedReceiverWindow: number,
    gapStarts: readonly number[],
    gapEnds: readonly number[],
    gapCount: number,
    duplicates: readonly number[],
    duplicateCount: number,
  ): void {
    this.#reserve(sackChunkLength(gapCount, duplicateCount));
    this.#length = writeSackChunk(
      this.#buffer,
      this.#length,
      cumulativeTsnAck,
      advertisedReceiverWindow,
      gapStarts,
      gapEnds,
      gapCount,
      duplicates,
      duplicateCount,
    );
  }

  /** Closes the packet being built, if any, into the output list. */
  flush(): void {
    if (this.#length <= COMMON_HEADER_LENGTH) return;
    const packet = this.#buffer.slice(0, this.#length);
    writeChecksum(packet);
    this.#packets.push(packet);
    this.#length = 0;
  }

  #reserve(size: number): void {
    if (this.#length !== 0 && this.#length + size > this.#buffer.length) this.flush();
    if (this.#length === 0) {
      writeCommonHeader(
        this.#buffer,
        this.#sourcePort,
        this.#destinationPort,
        this.#verificationTag,
      );
      this.#length = COMMON_HEADER_LENGTH;
    }
  }
}
