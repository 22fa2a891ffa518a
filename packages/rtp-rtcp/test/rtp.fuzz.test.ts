import { bytesEqual, fromHex, toHex } from '@typertc/common';
import { fuzzIterations, fuzzParser } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { RtpParseError } from '../src/errors.js';
import { RtpPacket } from '../src/rtp/packet.js';

/** Everything a parse yields, as plain data, for comparing two parses. */
function contents(packet: RtpPacket): string {
  const extensions = packet.extensions;
  const elements: string[] = [];
  for (let i = 0; i < extensions.count; i++) {
    elements.push(`${extensions.idAt(i)}=${toHex(extensions.valueAt(i))}`);
  }
  return JSON.stringify({
    marker: packet.marker,
    payloadType: packet.payloadType,
    sequenceNumber: packet.sequenceNumber,
    timestamp: packet.timestamp,
    ssrc: packet.ssrc,
    csrcs: packet.csrcs,
    elements,
    // The form matters only when there are elements to write in it.
    form: extensions.count > 0 ? extensions.profile : undefined,
    opaqueProfile: extensions.opaqueProfile,
    opaqueData: toHex(extensions.opaqueData),
    payload: toHex(packet.payload),
    paddingLength: packet.paddingLength,
  });
}

const seeds = [
  fromHex('80ef1234 deadbeef 01020304 aabbcc'),
  fromHex('b260ffff ffffffff 80000000 00000001 fffffffe bede0002 10613212 34560000 0102 000003'),
  fromHex('90000001 00000002 00000003 10070003 01000201 bb000304 cccccccc ff'),
  fromHex('90000001 00000002 00000003 bede0003 10aa21bb bb000033 cccccccc 98'),
  fromHex('90000001 00000002 00000003 abcd0001 01020304 ff'),
  fromHex(`8f000001 00000002 00000003 ${'01020304'.repeat(15)} 77`),
  (() => {
    const packet = new RtpPacket({ payloadType: 96, payload: new Uint8Array(200).fill(7) });
    packet.extensions.set(1, fromHex('30'));
    packet.extensions.set(2, fromHex('123456'));
    return packet.serialize();
  })(),
];

describe('RTP parser fuzz', () => {
  it('fuzz: RtpPacket.parse raises only RtpParseError, and what parses re-serializes equal', () => {
    const stats = fuzzParser({
      seeds,
      parse: (bytes) => {
        const packet = RtpPacket.parse(bytes);
        const serialized = packet.serialize();
        if (serialized.length !== packet.byteLength) throw new Error('byteLength is wrong');
        const again = RtpPacket.parse(serialized);
        if (contents(again) !== contents(packet)) {
          throw new Error(`re-parse differs: ${contents(packet)} vs ${contents(again)}`);
        }
        // A canonical packet comes back byte for byte.
        if (!bytesEqual(again.serialize(), serialized)) throw new Error('not canonical');
        return packet;
      },
      expectedError: RtpParseError,
      iterations: fuzzIterations(10_000, 200_000),
    });
    expect(stats.accepted).toBeGreaterThan(seeds.length);
    expect(stats.rejected).toBeGreaterThan(0);
  });

  it('fuzz: RtpPacket.parseInto a reused packet gives what a fresh parse gives', () => {
    const shared = new RtpPacket();
    const stats = fuzzParser({
      seeds,
      parse: (bytes) => {
        let fresh: RtpPacket;
        try {
          fresh = RtpPacket.parse(bytes);
        } catch (error) {
          // The shared object rejects it too, and the next inputs are parsed into it after this
          // failed parse.
          expect(() => RtpPacket.parseInto(shared, bytes)).toThrow(RtpParseError);
          throw error;
        }
        RtpPacket.parseInto(shared, bytes);
        if (contents(shared) !== contents(fresh)) throw new Error('reused packet differs');
        return shared;
      },
      expectedError: RtpParseError,
      iterations: fuzzIterations(10_000, 200_000),
      seed: 2,
    });
    expect(stats.accepted).toBeGreaterThan(seeds.length);
  });
});
