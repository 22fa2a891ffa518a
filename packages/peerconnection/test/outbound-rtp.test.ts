/** What a sender does to each written packet: SSRC, payload type, MID, transport-cc, numbering. */

import { RtpPacket, SDES_MID_URI, TRANSPORT_WIDE_CC_URI } from '@typertc/rtp-rtcp';
import { describe, expect, it } from 'vitest';
import { OutboundRtp } from '../src/media/outbound-rtp.js';

function sender(
  extensions = new Map([
    [4, SDES_MID_URI],
    [3, TRANSPORT_WIDE_CC_URI],
  ]),
) {
  let transport = 65534;
  return new OutboundRtp({
    ssrc: 0xabcdef01,
    mid: 'v1',
    extensions,
    payloadTypes: new Map([[96, 108]]), // we write VP8 as 96; the peer numbers it 108
    clockRate: 90000,
    nextTransportSequence: () => transport++,
  });
}

function written(ssrc: number, sequenceNumber: number, timestamp: number, payloadType = 96) {
  return new RtpPacket({ ssrc, sequenceNumber, timestamp, payloadType, payload: Uint8Array.of(1) });
}

describe('OutboundRtp', () => {
  it("sets the sender's SSRC, the peer's payload type, the MID and transport-cc numbers", () => {
    const out = sender();
    const first = written(7, 100, 5000);
    expect(out.rewrite(first, 0)).toBe(true);
    expect([first.ssrc, first.payloadType, first.sequenceNumber, first.timestamp]).toEqual([
      0xabcdef01, 108, 100, 5000,
    ]);
    expect(new TextDecoder().decode(first.extensions.get(4))).toBe('v1');
    expect(first.extensions.get(3)).toEqual(Uint8Array.of(0xff, 0xfe));
    const bytes = new Uint8Array(first.byteLength);
    first.serializeInto(bytes, 0);
    const second = written(7, 101, 8000);
    out.rewrite(second, 33);
    expect(second.extensions.get(3)).toEqual(Uint8Array.of(0xff, 0xff));
    // What was serialized before the next rewrite keeps its own values.
    expect(RtpPacket.parse(bytes).extensions.get(3)).toEqual(Uint8Array.of(0xff, 0xfe));
  });

  it('refuses a payload type that was not negotiated', () => {
    const packet = written(7, 1, 1, 100);
    expect(sender().rewrite(packet, 0)).toBe(false);
    expect(packet.ssrc).toBe(7);
  });

  it('continues sequence numbers and timestamps when the source changes', () => {
    const out = sender();
    for (let i = 0; i < 3; i++) out.rewrite(written(7, 65534 + i, 1000 + i * 3000), i * 33);
    // 65534, 65535, 0 sent; replaceTrack: a new writer with its own numbering, 100 ms later.
    out.sourceChanged();
    const next = written(9, 40_000, 777_777);
    out.rewrite(next, 166);
    expect(next.sequenceNumber).toBe(1);
    // Last timestamp 7000, then 100 ms at 90 kHz = 9000 ticks later.
    expect(next.timestamp).toBe(7000 + 9000);
    const after = written(9, 40_001, 777_777 + 3000);
    out.rewrite(after, 199);
    expect([after.sequenceNumber, after.timestamp]).toEqual([2, 19_000]);
    // A writer changing its SSRC by itself is a new source too.
    const other = written(11, 5, 5);
    out.rewrite(other, 232);
    expect(other.sequenceNumber).toBe(3);
  });

  it('adds no extension the section did not negotiate', () => {
    const out = sender(new Map());
    const packet = written(7, 1, 1);
    out.rewrite(packet, 0);
    expect(packet.extensions.count).toBe(0);
  });
});
