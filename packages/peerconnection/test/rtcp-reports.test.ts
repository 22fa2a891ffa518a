/** Regular RTCP reports (RFC 3550 §6.1, §6.4-§6.6; RFC 5506) and what a peer makes of them. */

import {
  type Goodbye,
  parseRtcp,
  type ReceiverReport,
  ReceiverStats,
  type RtcpPacket,
  type SenderReport,
  SenderStats,
  type SourceDescription,
  serializeRtcp,
} from '@typertc/rtp-rtcp';
import { describe, expect, it } from 'vitest';
import {
  RtcpReportError,
  RtcpReporter,
  type RtcpStreams,
  type RtcpTime,
  randomCname,
  receiveRtcp,
} from '../src/media/rtcp-reports.js';

/** 2023-11-14 22:13:20 UTC: an NTP time in era 0, 3_908_988_800 s after 1900. */
const T0 = 1_700_000_000_000;

function at(ms: number): RtcpTime {
  return { wallClockMs: T0 + ms, monotonicMs: ms };
}

/** Serializes and parses back: what the peer sees. */
function wire(packets: readonly RtcpPacket[]): RtcpPacket[] {
  const parsed = parseRtcp(serializeRtcp(packets));
  expect(parsed.errors).toEqual([]);
  return parsed.packets;
}

function streams(senders: SenderStats[], receivers: ReceiverStats[]): RtcpStreams {
  return {
    senders: new Map(senders.map((s) => [s.ssrc, s])),
    receivers: new Map(receivers.map((r) => [r.ssrc, r])),
  };
}

/** A source heard on sequence numbers `from` to `to`, every 10 ms, on time. */
function receiving(ssrc: number, from = 1, to = 10): ReceiverStats {
  const stats = new ReceiverStats({ ssrc, clockRate: 90_000, probation: 0 });
  for (let seq = from; seq <= to; seq++) stats.onPacket(seq, seq * 900, seq * 10);
  return stats;
}

describe('RtcpReporter', () => {
  it('sends an SR with the sender info and the report blocks, then SDES (§6.4.1, §6.1)', () => {
    const sender = new SenderStats({ ssrc: 0x1111_1111, clockRate: 90_000 });
    sender.onPacketSent(1000, 1200, T0);
    sender.onPacketSent(4000, 800, T0 + 40);
    // 100..109 without 103 and 105, 30 fps at 90 kHz; 109 arrives 10 ms (900 ticks) late.
    const receiver = new ReceiverStats({ ssrc: 0x2222_2222, clockRate: 90_000, probation: 0 });
    for (const seq of [100, 101, 102, 104, 106, 107, 108, 109]) {
      const late = seq === 109 ? 10 : 0;
      receiver.onPacket(seq, seq * 3000, (seq * 100) / 3 + late);
    }
    const reporter = new RtcpReporter({ localSsrc: 9, cname: 'abcdefghijklmnop' });
    const [sr, sdes, ...rest] = wire(reporter.report(streams([sender], [receiver]), at(100)));
    expect(rest).toEqual([]);
    expect(sr).toMatchObject({
      kind: 'sr',
      ssrc: 0x1111_1111,
      ntpSeconds: T0 / 1000 + 2_208_988_800,
      ntpFraction: 429_496_730, // 0.1 s * 2^32, rounded
      rtpTimestamp: 4000 + 60 * 90, // extrapolated 60 ms from the last mapping
      packetCount: 2,
      octetCount: 2000,
    });
    expect((sr as SenderReport).reports).toEqual([
      {
        ssrc: 0x2222_2222,
        fractionLost: 51, // 2 of 10: floor(2 * 256 / 10)
        packetsLost: 2,
        highestSequence: 109,
        jitter: 56, // one D of 900 after steady transit: 900 / 16
        lastSenderReport: 0,
        delaySinceLastSenderReport: 0,
      },
    ]);
    expect((sdes as SourceDescription).chunks).toEqual([
      { source: 0x1111_1111, items: [{ type: 1, text: 'abcdefghijklmnop' }] },
    ]);
  });

  it('sends one RR from localSsrc when nothing is sent, and an SR per sending SSRC', () => {
    const reporter = new RtcpReporter({ localSsrc: 0xfeed, cname: 'c' });
    const [rr, sdes] = wire(reporter.report(streams([], [receiving(7)]), at(0)));
    expect(rr).toMatchObject({ kind: 'rr', ssrc: 0xfeed });
    expect((rr as ReceiverReport).reports.map((b) => b.ssrc)).toEqual([7]);
    expect((sdes as SourceDescription).chunks.map((c) => c.source)).toEqual([0xfeed]);

    const audio = new SenderStats({ ssrc: 1, clockRate: 48_000 });
    const video = new SenderStats({ ssrc: 2, clockRate: 90_000 });
    audio.onPacketSent(0, 100, T0);
    video.onPacketSent(0, 1000, T0);
    const packets = wire(reporter.report(streams([audio, video], [receiving(7)]), at(1000)));
    expect(packets.map((p) => [p.kind, 'ssrc' in p ? p.ssrc : undefined])).toEqual([
      ['sr', 1],
      ['sr', 2],
      ['sdes', undefined],
    ]);
    expect((packets[0] as SenderReport).reports).toHaveLength(1);
    expect((packets[1] as SenderReport).reports).toHaveLength(0);
    expect((packets[2] as SourceDescription).chunks.map((c) => c.source)).toEqual([1, 2]);
  });

  it('turns an SR into an RR once its SSRC sent nothing for two intervals (§6.4)', () => {
    const sender = new SenderStats({ ssrc: 5, clockRate: 90_000 });
    const reporter = new RtcpReporter({ localSsrc: 9, cname: 'c' });
    const kinds = (ms: number) =>
      reporter.report(streams([sender], []), at(ms)).map((packet) => packet.kind);
    expect(kinds(0)).toEqual(['rr', 'sdes']); // nothing sent yet
    sender.onPacketSent(0, 100, T0 + 500);
    expect(kinds(1000)).toEqual(['sr', 'sdes']);
    expect(kinds(2000)).toEqual(['sr', 'sdes']); // sent since the report before last
    expect(kinds(3000)).toEqual(['rr', 'sdes']);
    sender.onPacketSent(90_000, 100, T0 + 3500);
    expect(kinds(4000)).toEqual(['sr', 'sdes']);
  });

  it('puts blocks past 31 in further RRs right after the first report (§6.4.2)', () => {
    const sender = new SenderStats({ ssrc: 0xaaaa, clockRate: 90_000 });
    sender.onPacketSent(0, 100, T0);
    const receivers = Array.from({ length: 70 }, (_, i) => receiving(1000 + i));
    const second = new SenderStats({ ssrc: 0xbbbb, clockRate: 90_000 });
    second.onPacketSent(0, 100, T0);
    const reporter = new RtcpReporter({ localSsrc: 9, cname: 'c' });
    const packets = wire(reporter.report(streams([sender, second], receivers), at(100)));
    expect(packets.map((p) => p.kind)).toEqual(['sr', 'rr', 'rr', 'sr', 'sdes']);
    const [first, rr1, rr2, sr2] = packets as [
      SenderReport,
      ReceiverReport,
      ReceiverReport,
      SenderReport,
    ];
    expect([
      first.reports.length,
      rr1.reports.length,
      rr2.reports.length,
      sr2.reports.length,
    ]).toEqual([31, 31, 8, 0]);
    expect([rr1.ssrc, rr2.ssrc, sr2.ssrc]).toEqual([0xaaaa, 0xaaaa, 0xbbbb]);
    const reported = [...first.reports, ...rr1.reports, ...rr2.reports].map((b) => b.ssrc);
    expect(reported).toEqual(receivers.map((r) => r.ssrc));
    // SDES names each reporting SSRC once.
    expect((packets[4] as SourceDescription).chunks.map((c) => c.source)).toEqual([0xaaaa, 0xbbbb]);
  });

  it('leaves sources on probation out of the report blocks (A.1)', () => {
    const onProbation = new ReceiverStats({ ssrc: 3, clockRate: 90_000 });
    onProbation.onPacket(1, 0, 0);
    const reporter = new RtcpReporter({ localSsrc: 9, cname: 'c' });
    const [rr] = reporter.report(streams([], [onProbation, receiving(4)]), at(0));
    expect((rr as ReceiverReport).reports.map((b) => b.ssrc)).toEqual([4]);
  });

  it('sends SDES with reduced-size RTCP only for SSRCs not yet described (RFC 5506)', () => {
    const reporter = new RtcpReporter({ localSsrc: 9, cname: 'c', reducedSize: true });
    const sender = new SenderStats({ ssrc: 1, clockRate: 90_000 });
    const kinds = (s: RtcpStreams, ms: number) => wire(reporter.report(s, at(ms)));
    expect(kinds(streams([], [receiving(7)]), 0).map((p) => p.kind)).toEqual(['rr', 'sdes']);
    // A report alone is a valid reduced-size datagram.
    expect(kinds(streams([], [receiving(7)]), 1000).map((p) => p.kind)).toEqual(['rr']);
    sender.onPacketSent(0, 100, T0 + 1500);
    const withSender = kinds(streams([sender], []), 2000);
    expect(withSender.map((p) => p.kind)).toEqual(['sr', 'sdes']);
    expect((withSender[1] as SourceDescription).chunks.map((c) => c.source)).toEqual([1]);
    expect(kinds(streams([sender], []), 3000).map((p) => p.kind)).toEqual(['sr']);

    const compound = new RtcpReporter({ localSsrc: 9, cname: 'c' });
    compound.report(streams([], []), at(0));
    expect(compound.report(streams([], []), at(1000)).map((p) => p.kind)).toEqual(['rr', 'sdes']);
  });

  it('ends a goodbye with BYEs of at most 31 SSRCs, the reason on the last (§6.6)', () => {
    const sender = new SenderStats({ ssrc: 1, clockRate: 90_000 });
    sender.onPacketSent(0, 100, T0);
    const reporter = new RtcpReporter({ localSsrc: 9, cname: 'c' });
    const one = wire(reporter.goodbye(streams([sender], []), at(100), [1], 'track ended'));
    expect(one.map((p) => p.kind)).toEqual(['sr', 'sdes', 'bye']);
    expect(one[2]).toMatchObject({ sources: [1], reason: 'track ended' });

    const many = Array.from({ length: 40 }, (_, i) => 100 + i);
    const packets = wire(reporter.goodbye(streams([], []), at(200), many, 'closed'));
    expect(packets.map((p) => p.kind)).toEqual(['rr', 'sdes', 'bye', 'bye']);
    const [bye1, bye2] = packets.slice(2) as [Goodbye, Goodbye];
    expect([...bye1.sources, ...bye2.sources]).toEqual(many);
    expect([bye1.sources.length, bye1.reason, bye2.reason]).toEqual([31, undefined, 'closed']);

    expect(() => reporter.goodbye(streams([], []), at(0), [])).toThrow(RtcpReportError);
    expect(() => reporter.goodbye(streams([], []), at(0), [1], 'x'.repeat(256))).toThrow(
      RtcpReportError,
    );
  });

  it('validates its options and makes 16-character random CNAMEs (RFC 7022 §5)', () => {
    const a = randomCname();
    expect(a).toMatch(/^[A-Za-z0-9+/]{16}$/);
    expect(randomCname()).not.toBe(a);
    expect(new RtcpReporter({ localSsrc: 1 }).cname).toHaveLength(16);
    expect(() => new RtcpReporter({ localSsrc: 2 ** 32 })).toThrow(RtcpReportError);
    expect(() => new RtcpReporter({ localSsrc: 1, cname: '' })).toThrow(RtcpReportError);
    expect(() => new RtcpReporter({ localSsrc: 1, cname: 'é'.repeat(128) })).toThrow(/256 bytes/);
  });
});

describe('receiveRtcp', () => {
  it('measures the RTT of an SR and the RR answering it over simulated delays (§6.4.1)', () => {
    // Alice sends video on 0xa11ce; Bob receives it and reports from 0xb0b.
    const aliceSender = new SenderStats({ ssrc: 0xa11ce, clockRate: 90_000 });
    const alice = new RtcpReporter({ localSsrc: 1, cname: 'alice' });
    const bobReceiver = new ReceiverStats({ ssrc: 0xa11ce, clockRate: 90_000, probation: 0 });
    const bob = new RtcpReporter({ localSsrc: 0xb0b, cname: 'bob' });
    const aliceStreams = streams([aliceSender], []);
    const bobStreams = streams([], [bobReceiver]);
    // Bob's clocks differ from Alice's: only his own intervals (DLSR) matter.
    const bobAt = (ms: number): RtcpTime => ({ wallClockMs: T0 + 5_000 + ms, monotonicMs: ms });
    for (let seq = 0; seq < 50; seq++) {
      aliceSender.onPacketSent(seq * 3000, 1000, T0 + seq * 20);
      bobReceiver.onPacket(seq, seq * 3000, seq * 20 + 15);
    }

    // Alice's SR leaves at 1000 and takes 15 ms; Bob answers 237 ms later, which takes 25 ms.
    const sr = wire(alice.report(aliceStreams, at(1000)));
    const atBob = receiveRtcp(sr, bobStreams, bobAt(1015));
    expect(atBob.senderReports.map((p) => p.ssrc)).toEqual([0xa11ce]);
    expect(atBob.reports).toEqual([]); // the SR carries no block about Bob's streams
    const rr = wire(bob.report(bobStreams, bobAt(1252)));
    const block = (rr[0] as ReceiverReport).reports[0];
    expect(block?.lastSenderReport).toBe((sr[0] as SenderReport).ntpMiddle);
    expect(block?.delaySinceLastSenderReport).toBe(Math.round(0.237 * 65536));

    const atAlice = receiveRtcp(rr, aliceStreams, at(1277));
    expect(atAlice.reports).toHaveLength(1);
    expect(atAlice.reports[0]).toMatchObject({ reporter: 0xb0b, block: { ssrc: 0xa11ce } });
    // 15 + 25 ms, to within the 1/65536 s resolution of the fields.
    expect(atAlice.reports[0]?.roundTripTimeMs).toBeCloseTo(40, 1);
  });

  it('reports no RTT before the peer has had an SR, skips foreign blocks, collects BYEs', () => {
    const ours = new SenderStats({ ssrc: 10, clockRate: 90_000 });
    const peer = new RtcpReporter({ localSsrc: 20, cname: 'peer' });
    const peerView = streams([], [receiving(10), receiving(11)]);
    const packets = wire(peer.goodbye(peerView, at(0), [20, 21], 'bye'));
    const received = receiveRtcp(packets, streams([ours], []), at(10));
    expect(received.reports.map((r) => [r.block.ssrc, r.roundTripTimeMs])).toEqual([
      [10, undefined],
    ]);
    expect(received.goodbyes).toEqual([20, 21]);
    expect(received.senderReports).toEqual([]);
  });
});
