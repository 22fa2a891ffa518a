/**
 * Bundling (RFC 9260 §6.10): chunks are written one after another behind the common header
 * into packets of at most the path MTU, and each finished packet gets its CRC-32c (§6.8) — or,
 * when both sides agreed to it over DTLS, a zero checksum (RFC 9653). Control chunks come first
 * and DATA after (§6.10).
 *
 * Packets are written straight into an arena and handed out as views of it, so a packet costs
 * no allocation and no copy; a new arena is taken when one is full, and an old one lives as long
 * as a view of it does. The first arena is small (an idle data channel's association holds
 * 8 KiB, not 64) and each next one twice the last, up to 64 KiB: a busy association reaches the
 * full size after three arenas.
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

const FIRST_ARENA_SIZE = 8 * 1024;
const MAX_ARENA_SIZE = 64 * 1024;

export class PacketBuilder {
  readonly #mtu: number;
  readonly #packets: { push(packet: Uint8Array): void };
  readonly #sourcePort: number;
  readonly #destinationPort: number;
  #arena: Uint8Array;
  /** Where the packet being built starts in the arena. */
  #start = 0;
  /** Its length so far; 0 when none is open. */
  #length = 0;
  #verificationTag = 0;
  /** RFC 9653: send a zero checksum instead of the CRC-32c. */
  zeroChecksum = false;

  constructor(
    mtu: number,
    sourcePort: number,
    destinationPort: number,
    out: { push(packet: Uint8Array): void },
  ) {
    this.#mtu = mtu;
    this.#arena = new Uint8Array(Math.max(FIRST_ARENA_SIZE, mtu));
    this.#sourcePort = sourcePort;
    this.#destinationPort = destinationPort;
    this.#packets = out;
  }

  /** The largest user data a DATA chunk can carry in an empty packet. */
  get maxDataPayload(): number {
    return this.#mtu - COMMON_HEADER_LENGTH - dataChunkSize(0);
  }

  /** Whether a chunk of `length` bytes fits a packet at all (answers echoing the peer may not). */
  fits(length: number): boolean {
    return length <= this.#mtu - COMMON_HEADER_LENGTH;
  }

  /** Packets from here on carry `verificationTag` (the peer's Initiate Tag, or 0 for INIT). */
  setVerificationTag(verificationTag: number): void {
    if (verificationTag !== this.#verificationTag) this.flush();
    this.#verificationTag = verificationTag;
  }

  /** An encoded chunk (padded); a new packet is started if it does not fit this one. */
  addChunk(chunk: Uint8Array): void {
    const at = this.#reserve(chunk.length);
    this.#arena.set(chunk, at);
    this.#length += chunk.length;
  }

  addData(fields: Readonly<DataChunkFields>): void {
    const at = this.#reserve(dataChunkSize(fields.userData.length));
    this.#length = writeDataChunk(this.#arena, at, fields) - this.#start;
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
    const at = this.#reserve(sackChunkLength(gapCount, duplicateCount));
    const end = writeSackChunk(
      this.#arena,
      at,
      cumulativeTsnAck,
      advertisedReceiverWindow,
      gapStarts,
      gapEnds,
      gapCount,
      duplicates,
      duplicateCount,
    );
    this.#length = end - this.#start;
  }

  /** Closes the packet being built, if any, into the output list. */
  flush(): void {
    if (this.#length <= COMMON_HEADER_LENGTH) {
      this.#length = 0;
      return;
    }
    const packet = this.#arena.subarray(this.#start, this.#start + this.#length);
    if (!this.zeroChecksum) writeChecksum(packet);
    this.#packets.push(packet);
    this.#start += this.#length;
    this.#length = 0;
  }

  /** Makes room for `size` bytes in an open packet; returns where they go in the arena. */
  #reserve(size: number): number {
    if (this.#length !== 0 && this.#length + size > this.#mtu) this.flush();
    if (this.#length === 0) {
      if (this.#start + this.#mtu > this.#arena.length) {
        const size = Math.min(this.#arena.length * 2, Math.max(MAX_ARENA_SIZE, this.#mtu));
        this.#arena = new Uint8Array(size);
        this.#start = 0;
      }
      writeCommonHeader(
        this.#arena.subarray(this.#start, this.#start + COMMON_HEADER_LENGTH),
        this.#sourcePort,
        this.#destinationPort,
        this.#verificationTag,
      );
      this.#length = COMMON_HEADER_LENGTH;
    }
    return this.#start + this.#length;
  }
}
