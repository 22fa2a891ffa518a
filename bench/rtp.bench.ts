/**
 * RTP parse and serialize of a 1200-byte video packet carrying two one-byte header extensions
 * (mid and abs-send-time, as Chromium sends them), TypeRTC beside werift's `RtpPacket` in the
 * same run. Parsing reads the header, the extension elements and a payload view; serializing
 * writes the whole packet.
 */

import { ABS_SEND_TIME_URI, RtpPacket, SDES_MID_URI, setExtension } from '@typertc/rtp-rtcp';
import { RtpPacket as WeriftRtpPacket } from 'werift';
import type { BenchmarkGroup } from './harness.js';

const PACKET = 1200;
const extensionMap = new Map([
  [4, SDES_MID_URI],
  [2, ABS_SEND_TIME_URI],
]);

function buildPacket(): Uint8Array {
  const header = new RtpPacket({
    marker: true,
    payloadType: 96,
    sequenceNumber: 4321,
    timestamp: 0x12345678,
    ssrc: 0x9abcdef0,
  });
  setExtension(header, extensionMap, SDES_MID_URI, '0');
  setExtension(header, extensionMap, ABS_SEND_TIME_URI, 0x2a0000);
  const payload = Uint8Array.from({ length: PACKET - header.byteLength }, (_, i) => i * 7 + 3);
  header.payload = payload;
  return header.serialize();
}

const bytes = buildPacket();
const buffer = Buffer.from(bytes);
if (bytes.length !== PACKET) throw new Error(`benchmark packet is ${bytes.length} bytes`);

const typertcPacket = RtpPacket.parse(bytes);
const reused = new RtpPacket();
const out = new Uint8Array(PACKET);
const weriftPacket = WeriftRtpPacket.deSerialize(buffer);

export const benchmarks: readonly BenchmarkGroup[] = [
  {
    name: `RTP parse, ${PACKET} B, 2 header extensions`,
    bytesPerOp: PACKET,
    baseline: 'werift',
    entries: [
      {
        name: 'typertc',
        fn: () => {
          const packet = RtpPacket.parse(bytes);
          // Touch what a receiver reads: both extension values and the payload.
          const mid = packet.extensions.get(4);
          const sendTime = packet.extensions.get(2);
          return packet.payload.length + (mid?.length ?? 0) + (sendTime?.length ?? 0);
        },
      },
      {
        name: 'typertc parseInto',
        fn: () => {
          const packet = RtpPacket.parseInto(reused, bytes);
          const mid = packet.extensions.get(4);
          const sendTime = packet.extensions.get(2);
          return packet.payload.length + (mid?.length ?? 0) + (sendTime?.length ?? 0);
        },
      },
      {
        name: 'werift',
        fn: () => {
          const packet = WeriftRtpPacket.deSerialize(buffer);
          const { extensions } = packet.header;
          return (
            packet.payload.length +
            (extensions[0]?.payload.length ?? 0) +
            (extensions[1]?.payload.length ?? 0)
          );
        },
      },
    ],
  },
  {
    name: `RTP serialize, ${PACKET} B, 2 header extensions`,
    bytesPerOp: PACKET,
    baseline: 'werift',
    entries: [
      { name: 'typertc', fn: () => typertcPacket.serialize() },
      { name: 'typertc serializeInto', fn: () => typertcPacket.serializeInto(out, 0) },
      { name: 'werift', fn: () => weriftPacket.serialize() },
    ],
  },
];
