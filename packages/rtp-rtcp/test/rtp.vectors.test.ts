import { fromHex, toHex } from '@typertc/common';
import { conformanceTag, loadVectors, type Vector } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { RtpParseError } from '../src/errors.js';
import { RtpPacket } from '../src/rtp/packet.js';

interface ExtensionVector extends Vector {
  /** The extension block as it follows the fixed header: profile, length, elements. */
  readonly extension: string;
  readonly appBits?: number;
  readonly elements?: readonly { readonly id: number; readonly value: string }[];
  readonly error?: true;
}

const file = loadVectors<ExtensionVector>('rfc8285-header-extensions.json');

/** A fixed header with X set (V=2, PT 96, seq 1, ts 2, SSRC 3), then the block, then a payload. */
const FIXED_HEADER = fromHex('90600001 00000002 00000003');
const PAYLOAD = fromHex('deadbeef');

function packetWith(extension: Uint8Array): Uint8Array {
  const out = new Uint8Array(FIXED_HEADER.length + extension.length + PAYLOAD.length);
  out.set(FIXED_HEADER);
  out.set(extension, FIXED_HEADER.length);
  out.set(PAYLOAD, FIXED_HEADER.length + extension.length);
  return out;
}

function elementsOf(packet: RtpPacket): { id: number; value: string }[] {
  const out: { id: number; value: string }[] = [];
  for (let i = 0; i < packet.extensions.count; i++) {
    out.push({ id: packet.extensions.idAt(i), value: toHex(packet.extensions.valueAt(i)) });
  }
  return out;
}

describe(file.title, () => {
  for (const vector of file.vectors) {
    it(`${vector.source.document} ${vector.source.section}: ${vector.description}`, ({ task }) => {
      task.meta.conformance = conformanceTag(file, vector);
      const bytes = packetWith(fromHex(vector.extension));
      if (vector.error) {
        expect(() => RtpPacket.parse(bytes)).toThrow(RtpParseError);
        return;
      }
      const packet = RtpPacket.parse(bytes);
      expect(elementsOf(packet)).toEqual(vector.elements);
      expect(packet.extensions.appBits).toBe(vector.appBits ?? 0);
      expect(toHex(packet.payload)).toBe(toHex(PAYLOAD));
      for (const element of vector.elements ?? []) {
        expect(toHex(packet.extensions.get(element.id) ?? new Uint8Array())).toBe(element.value);
      }
      // Written back in the same form, the elements and payload survive a second parse.
      const again = RtpPacket.parse(packet.serialize());
      expect(elementsOf(again)).toEqual(vector.elements);
      expect(again.extensions.profile).toBe(packet.extensions.profile);
      expect(toHex(again.payload)).toBe(toHex(PAYLOAD));
    });
  }
});
