/** Source description, SDES (RFC 3550 §6.5). */

import type { ByteWriter } from '@typertc/common';
import { readU32BE } from '@typertc/common';
import { RtcpParseError } from '../errors.js';
import { decodeText, encodeText, utf8Length } from './text.js';
import { RtcpPacketType, writeHeader } from './wire.js';

/** SDES item types (RFC 3550 §6.5.1-§6.5.8, §12.2). Type 0 ends a chunk's item list. */
export const SdesItemType = {
  CNAME: 1,
  NAME: 2,
  EMAIL: 3,
  PHONE: 4,
  LOC: 5,
  TOOL: 6,
  NOTE: 7,
  PRIV: 8,
} as const;

/**
 * One item. `prefix` is present on PRIV items only (§6.5.8: a length-prefixed prefix string, then
 * the value); other types, known or not, carry only `text`.
 */
export interface SdesItem {
  type: number;
  text: string;
  prefix?: string;
}

/** The items describing one source. */
export interface SdesChunk {
  source: number;
  items: SdesItem[];
}

const MAX_ITEM_LENGTH = 255;

export class SourceDescription {
  chunks: SdesChunk[];

  constructor(chunks: SdesChunk[] = []) {
    this.chunks = chunks;
  }

  get kind(): 'sdes' {
    return 'sdes';
  }

  /** One chunk with one CNAME item: what every compound packet carries (§6.1). */
  static cname(source: number, cname: string): SourceDescription {
    return new SourceDescription([{ source, items: [{ type: SdesItemType.CNAME, text: cname }] }]);
  }

  /** Decodes the packet at `start`, payload ending at `end`; `count` is the SC field. */
  static decode(b: Uint8Array, start: number, end: number, count: number): SourceDescription {
    const chunks: SdesChunk[] = [];
    let at = start + 4;
    for (let c = 0; c < count; c++) {
      if (at + 4 > end) throw new RtcpParseError(`SDES chunk ${c} of ${count} truncated`, at);
      const source = readU32BE(b, at);
      const items: SdesItem[] = [];
      at += 4;
      for (;;) {
        if (at >= end) throw new RtcpParseError('SDES chunk has no terminating null item', at);
        const type = b[at] as number;
        if (type === 0) {
          // The null item and the null octets after it pad the chunk to a 32-bit boundary.
          at = start + ((at - start + 4) & ~3);
          break;
        }
        if (at + 2 > end) throw new RtcpParseError('SDES item header truncated', at);
        const length = b[at + 1] as number;
        const textStart = at + 2;
        const textEnd = textStart + length;
        if (textEnd > end) {
          throw new RtcpParseError(`SDES item of ${length} bytes runs past the packet`, at);
        }
        if (type === SdesItemType.PRIV) {
          const prefixEnd = textStart + 1 + (length === 0 ? 0 : (b[textStart] as number));
          if (length === 0 || prefixEnd > textEnd) {
            throw new RtcpParseError('SDES PRIV prefix runs past its item', at);
          }
          items.push({
            type,
            prefix: decodeText(b, textStart + 1, prefixEnd),
            text: decodeText(b, prefixEnd, textEnd),
          });
        } else {
          items.push({ type, text: decodeText(b, textStart, textEnd) });
        }
        at = textEnd;
      }
      if (at > end) throw new RtcpParseError('SDES chunk padding runs past the packet', end);
      chunks.push({ source, items });
    }
    return new SourceDescription(chunks);
  }

  byteLength(): number {
    let length = 4;
    for (const chunk of this.chunks) length += chunkLength(chunk);
    return length;
  }

  write(w: ByteWriter): void {
    writeHeader(w, this.chunks.length, RtcpPacketType.SourceDescription, this.byteLength());
    for (const chunk of this.chunks) {
      w.u32(chunk.source);
      let itemsLength = 0;
      for (const item of chunk.items) {
        if (item.type === 0 || item.type >>> 0 !== item.type || item.type > 0xff) {
          throw new RangeError(`invalid SDES item type ${item.type}`);
        }
        const text = encodeText(item.text);
        if (item.type === SdesItemType.PRIV) {
          const prefix = encodeText(item.prefix ?? '');
          w.u8(item.type).u8(checkedLength(1 + prefix.length + text.length));
          w.u8(prefix.length).bytes(prefix);
          itemsLength += 3 + prefix.length + text.length;
        } else {
          w.u8(item.type).u8(checkedLength(text.length));
          itemsLength += 2 + text.length;
        }
        w.bytes(text);
      }
      // One to four null octets: the end-of-list item plus padding (§6.5).
      w.zeros(4 - (itemsLength & 3));
    }
  }
}

function checkedLength(length: number): number {
  if (length > MAX_ITEM_LENGTH) {
    throw new RangeError(`SDES item of ${length} bytes exceeds ${MAX_ITEM_LENGTH}`);
  }
  return length;
}

function chunkLength(chunk: SdesChunk): number {
  let itemsLength = 0;
  for (const item of chunk.items) {
    itemsLength += 2 + utf8Length(item.text);
    if (item.type === SdesItemType.PRIV) itemsLength += 1 + utf8Length(item.prefix ?? '');
  }
  return 4 + itemsLength + (4 - (itemsLength & 3));
}
