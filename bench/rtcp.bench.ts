/**
 * RTCP compound parse: SR (one report block) + SDES CNAME + REMB, the compound a video sender's
 * peer receives every second or so, TypeRTC beside werift's `RtcpPacketConverter` in the same run.
 * Both produce a typed object per packet.
 */

import {
  parseRtcp,
  ReceiverEstimatedMaxBitrate,
  SenderReport,
  SourceDescription,
  serializeRtcp,
} from '@typertc/rtp-rtcp';
import { RtcpPacketConverter } from 'werift';
import type { BenchmarkGroup } from './harness.js';

const compound = serializeRtcp([
  new SenderReport({
    ssrc: 0x9abcdef0,
    ntpSeconds: 0xe9a2b3c4,
    ntpFraction: 0x12345678,
    rtpTimestamp: 0x11223344,
    packetCount: 12345,
    octetCount: 9876543,
    reports: [
      {
        ssrc: 0x01020304,
        fractionLost: 3,
        packetsLost: 17,
        highestSequence: 0x1_2345,
        jitter: 42,
        lastSenderReport: 0xb3c41234,
        delaySinceLastSenderReport: 6553,
      },
    ],
  }),
  SourceDescription.cname(0x9abcdef0, 'Yv5VWCtxWcHSt2Lx'),
  new ReceiverEstimatedMaxBitrate(0x9abcdef0, 2_500_000, [0x01020304]),
]);
const buffer = Buffer.from(compound);

// Both parsers must see all three packets, or the comparison is meaningless.
if (
  parseRtcp(compound).packets.length !== 3 ||
  RtcpPacketConverter.deSerialize(buffer).length !== 3
) {
  throw new Error('RTCP benchmark compound does not parse as SR + SDES + REMB');
}

export const benchmarks: readonly BenchmarkGroup[] = [
  {
    name: `RTCP compound parse, SR + SDES + REMB (${compound.length} B)`,
    bytesPerOp: compound.length,
    baseline: 'werift',
    entries: [
      { name: 'typertc', fn: () => parseRtcp(compound).packets.length },
      { name: 'werift', fn: () => RtcpPacketConverter.deSerialize(buffer).length },
    ],
  },
];
