/** The sender's history for NACKs (RFC 4585 §6.2.1) and RTX packets (RFC 4588 §4). */

import { RtpPacket } from '@typertc/rtp-rtcp';
import { describe, expect, it } from 'vitest';
import { buildRtxPacket, RtxError, recoverFromRtx } from '../src/media/rtx.js';
import { SendHistory } from '../src/media/send-history.js';

function original(sequenceNumber: number, payload: number[]): RtpPacket {
  const packet = new RtpPacket({
    marker: true,
    payloadType: 96,
    sequenceNumber,
    timestamp: 90_000,
    ssrc: 0x1111,
    payload: Uint8Array.from(payload),
  });
  packet.extensions.set(4, Uint8Array.of(0x12, 0x34)); // a transport-cc sequence, say
  return packet;
}

function bytesOf(packet: RtpPacket): Uint8Array {
  const bytes = new Uint8Array(packet.byteLength);
  packet.serializeInto(bytes, 0);
  return bytes;
}

describe('SendHistory', () => {
  it('gives back what was sent, until overwritten or too old', () => {
    const history = new SendHistory({ capacity: 4, maxAgeMs: 500 });
    for (let sequence = 65534; sequence < 65540; sequence++) {
      history.record(sequence & 0xffff, bytesOf(original(sequence & 0xffff, [sequence & 0xff])), 0);
    }
    // 4 slots: 0..3 (after the wrap) are kept, 65534 and 65535 were overwritten.
    expect(history.get(65534, 0)).toBeUndefined();
    expect(RtpPacket.parse(history.get(3, 100) as Uint8Array).payload).toEqual(Uint8Array.of(3));
    expect(history.get(3, 501)).toBeUndefined();
    expect(history.get(7, 0)).toBeUndefined(); // never sent
  });

  it('copies what it records: the caller may reuse its buffer', () => {
    const history = new SendHistory({ capacity: 2 });
    const buffer = bytesOf(original(1, [1, 2, 3]));
    history.record(1, buffer, 0);
    buffer.fill(0);
    expect(RtpPacket.parse(history.get(1, 0) as Uint8Array).payload).toEqual(
      Uint8Array.of(1, 2, 3),
    );
  });

  it('refuses a capacity that is not a power of two', () => {
    expect(() => new SendHistory({ capacity: 1000 })).toThrow(RangeError);
  });
});

describe('RTX (RFC 4588 §4)', () => {
  it('carries the original sequence number and payload, and gives the original back', () => {
    const sent = original(4321, [9, 8, 7]);
    const rtx = RtpPacket.parse(buildRtxPacket(sent, 0x2222, 97, 17));
    expect([rtx.ssrc, rtx.payloadType, rtx.sequenceNumber]).toEqual([0x2222, 97, 17]);
    expect([rtx.timestamp, rtx.marker]).toEqual([90_000, true]);
    expect(rtx.payload).toEqual(Uint8Array.of(0x10, 0xe1, 9, 8, 7)); // OSN 4321 = 0x10e1
    expect(rtx.extensions.get(4)).toEqual(Uint8Array.of(0x12, 0x34));

    const recovered = recoverFromRtx(rtx, 0x1111, 96);
    expect(bytesOf(recovered)).toEqual(bytesOf(sent));
  });

  it('an RTX packet without an OSN (a padding probe) recovers nothing', () => {
    const probe = new RtpPacket({ payloadType: 97, ssrc: 0x2222, payload: new Uint8Array(0) });
    expect(() => recoverFromRtx(probe, 0x1111, 96)).toThrow(RtxError);
  });
});
