/**
 * Cuts the packets of one logical Ogg bitstream into pages (RFC 3533 §5, §6): lacing, page
 * sequence numbers, the beginning/end-of-stream and continued flags, and granule positions.
 * Codec-independent; `OggOpusWriter` decides what goes on which page and the granule positions.
 *
 * Packets accumulate on a pending page. `addPacket` emits a page only when the pending page's
 * 255 segments are used up and the packet still has bytes to place (so a packet longer than a
 * page spans pages); everything else waits for `flushPage`. Pages that are emitted are
 * serialized at once, so packet bytes need to stay unchanged only until then.
 */

import { OGG_BOS, OGG_CONTINUED, OGG_EOS, OGG_MAX_SEGMENTS, serializeOggPage } from './ogg-page.js';

export class OggStreamWriter {
  readonly #serialNumber: number;
  #sequenceNumber = 0;
  #first = true;
  readonly #lacing = new Uint8Array(OGG_MAX_SEGMENTS);
  #segments = 0;
  readonly #body: Uint8Array[] = [];
  #bodyLength = 0;
  /** Whether the pending page starts with the rest of a packet from the previous page. */
  #continued = false;
  /** Granule position of the last packet completed on the pending page; -1 if none. */
  #granulePosition = -1;

  constructor(serialNumber: number) {
    this.#serialNumber = serialNumber;
  }

  /** Whether the pending page holds any segment. */
  get hasPending(): boolean {
    return this.#segments > 0;
  }

  /**
   * Adds a packet whose end has granule position `granulePosition`, pushing any pages it
   * completes onto `out`, and returns how many it pushed.
   */
  addPacket(packet: Uint8Array, granulePosition: number, out: Uint8Array[]): number {
    let pages = 0;
    // floor(length / 255) lacing values of 255, then one of length % 255 (0 included): §5.
    const values = Math.floor(packet.length / 255) + 1;
    let pieceStart = 0;
    let at = 0;
    for (let i = 0; i < values; i++) {
      if (this.#segments === OGG_MAX_SEGMENTS) {
        this.#appendBody(packet.subarray(pieceStart, at));
        pieceStart = at;
        out.push(this.#emit(false));
        pages++;
        // Continued when this packet already put segments on the page just emitted.
        this.#continued = i > 0;
      }
      const value = i === values - 1 ? packet.length % 255 : 255;
      this.#lacing[this.#segments++] = value;
      at += value;
    }
    this.#appendBody(packet.subarray(pieceStart, at));
    this.#granulePosition = granulePosition;
    return pages;
  }

  /**
   * The pending page, with the end-of-stream flag if `endOfStream`. It may be empty, as the last
   * page of a stream may be; an empty page (or one where no packet ends) takes
   * `granulePosition` if given, else -1.
   */
  flushPage(endOfStream: boolean, granulePosition?: number): Uint8Array {
    if (granulePosition !== undefined && this.#granulePosition === -1) {
      this.#granulePosition = granulePosition;
    }
    return this.#emit(endOfStream);
  }

  #appendBody(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.#body.push(piece);
    this.#bodyLength += piece.length;
  }

  #emit(endOfStream: boolean): Uint8Array {
    const body = new Uint8Array(this.#bodyLength);
    let at = 0;
    for (const piece of this.#body) {
      body.set(piece, at);
      at += piece.length;
    }
    const page = serializeOggPage({
      headerType:
        (this.#continued ? OGG_CONTINUED : 0) |
        (this.#first ? OGG_BOS : 0) |
        (endOfStream ? OGG_EOS : 0),
      granulePosition: this.#granulePosition,
      serialNumber: this.#serialNumber,
      sequenceNumber: this.#sequenceNumber,
      segmentTable: this.#lacing.subarray(0, this.#segments),
      body,
    });
    this.#sequenceNumber = (this.#sequenceNumber + 1) >>> 0;
    this.#first = false;
    this.#segments = 0;
    this.#body.length = 0;
    this.#bodyLength = 0;
    this.#continued = false;
    this.#granulePosition = -1;
    return page;
  }
}
