/** The packet builder's arenas (RFC 9260 §6.10: chunks bundled into views of a shared block). */

import { describe, expect, it } from 'vitest';
import { PacketBuilder } from '../src/association/packet-builder.js';
import { verifyChecksum } from '../src/packet/index.js';

/** A chunk of a type nobody defines (0xc0), `length` bytes with its header. */
function filler(length: number): Uint8Array {
  const chunk = new Uint8Array(length);
  chunk[0] = 0xc0;
  chunk[2] = length >> 8;
  chunk[3] = length & 0xff;
  return chunk;
}

describe('PacketBuilder', () => {
  it('starts with an 8 KiB arena and doubles it up to 64 KiB as packets fill them', () => {
    const packets: Uint8Array[] = [];
    const builder = new PacketBuilder(1200, 5000, 5000, packets);
    builder.setVerificationTag(0x01020304);
    for (let i = 0; i < 200; i++) {
      builder.addChunk(filler(1000));
      builder.flush();
    }
    const sizes = [...new Set(packets.map((packet) => packet.buffer.byteLength))];
    expect(sizes).toEqual([8192, 16384, 32768, 65536]);
    // Every packet whole and checksummed (§6.8), whichever arena it is a view of.
    expect(packets.every((packet) => packet.length === 1012 && verifyChecksum(packet))).toBe(true);
  });
});
