/**
 * The RTP send and receive streams without a network: a fake MediaTransport records what
 * they send, so the tests see the exact packets (RTX, NACK, PLI, FIR) and counts.
 */

import {
  FullIntraRequest,
  GenericNack,
  PictureLossIndication,
  ReceiverEstimatedMaxBitrate,
  type RtcpPacket,
  RtpPacket,
} from '@typertc/rtp-rtcp';
import type { RtcpFeedback } from '@typertc/sdp';
import { describe, expect, it } from 'vitest';
import { localCodecs } from '../src/media/codec-capabilities.js';
import type { NegotiatedCodec } from '../src/media/codec-negotiation.js';
import { MediaStreamTrack } from '../src/media/media-stream-track.js';
import type { MediaTransport, NegotiatedSection } from '../src/media/media-transport.js';
import { RtpReceiveStream } from '../src/media/rtp-receive-stream.js';
import { RtpSendStream } from '../src/media/rtp-send-stream.js';

class FakeTransport implements MediaTransport {
  readonly feedbackSsrc = 0x1234;
  readonly rtp: RtpPacket[] = [];
  readonly rtcp: RtcpPacket[][] = [];
  time = 1000;
  #sequence = 0;
  now(): number {
    return this.time;
  }
  wallClock(): number {
    return 1_700_000_000_000 + this.time;
  }
  sendRtp(packet: Uint8Array): boolean {
    this.rtp.push(RtpPacket.parse(packet.slice()));
    return true;
  }
  sendRtcp(packets: readonly RtcpPacket[]): boolean {
    this.rtcp.push([...packets]);
    return true;
  }
  nextTransportSequence(): number {
    return this.#sequence++;
  }
  readonly goodbyes: number[] = [];
  goodbye(sender: { readonly ssrc: number }): void {
    this.goodbyes.push(sender.ssrc);
  }
}

const feedback: RtcpFeedback[] = [
  { type: 'nack', parameter: undefined },
  { type: 'nack', parameter: 'pli' },
  { type: 'ccm', parameter: 'fir' },
  { type: 'transport-cc', parameter: undefined },
];

function codec(payloadType: number, mimeType: string, apt?: number): NegotiatedCodec {
  return {
    payloadType,
    mimeType,
    clockRate: 90000,
    channels: undefined,
    sdpFmtpLine: apt === undefined ? undefined : `apt=${apt}`,
    remoteSdpFmtpLine: undefined,
    rtcpFeedback: apt === undefined ? feedback : [],
    associatedPayloadType: apt,
  };
}

function videoSection(overrides: Partial<NegotiatedSection> = {}): NegotiatedSection {
  return {
    mid: '0',
    kind: 'video',
    codecs: [codec(96, 'video/VP8'), codec(97, 'video/rtx', 96)],
    localCodecs: localCodecs('video'),
    extensions: new Map([[4, 'urn:ietf:params:rtp-hdrext:sdes:mid']]),
    rtcpRsize: true,
    remoteSources: [],
    remoteRids: [],
    ...overrides,
  };
}

function packet(sequenceNumber: number, payload = [sequenceNumber & 0xff], payloadType = 96) {
  return new RtpPacket({
    payloadType,
    sequenceNumber,
    timestamp: sequenceNumber * 3000,
    ssrc: 0xabcdef,
    payload: new Uint8Array(payload),
  });
}

function sendStream(section = videoSection()) {
  const transport = new FakeTransport();
  const stream = new RtpSendStream(0x1111, 0x2222);
  stream.attach(transport);
  stream.configure(section);
  stream.sending = true;
  return { transport, stream };
}

describe('RtpSendStream', () => {
  it('answers a NACK with RTX packets carrying the original sequence number (RFC 4588 §4)', () => {
    const { transport, stream } = sendStream();
    for (let i = 0; i < 10; i++) stream.writeRtp(packet(100 + i, [i, 42]));
    const sent = transport.rtp.splice(0);
    expect(sent.map((p) => p.ssrc)).toEqual(new Array(10).fill(0x1111));
    const lost = [sent[3]?.sequenceNumber as number, sent[7]?.sequenceNumber as number];
    stream.handleFeedback(GenericNack.fromLost(0x99, 0x1111, lost));
    expect(transport.rtp.map((p) => [p.ssrc, p.payloadType])).toEqual([
      [0x2222, 97],
      [0x2222, 97],
    ]);
    const [first, second] = transport.rtp;
    expect(((first?.payload[0] ?? 0) << 8) | (first?.payload[1] ?? 0)).toBe(lost[0]);
    expect([...(first?.payload.subarray(2) ?? [])]).toEqual([3, 42]);
    expect(second?.sequenceNumber).toBe(((first?.sequenceNumber ?? 0) + 1) & 0xffff);
    expect(stream.counters).toMatchObject({ nackCount: 1, retransmittedPacketsSent: 2 });
    // Stopped: a BYE, and nothing more is sent.
    stream.stop();
    stream.writeRtp(packet(200));
    expect(transport.goodbyes).toEqual([0x1111]);
    expect(transport.rtp.length).toBe(2);
  });

  it('resends the packet itself when no RTX was negotiated, and nothing past the history age', () => {
    const { transport, stream } = sendStream(videoSection({ codecs: [codec(96, 'video/VP8')] }));
    stream.writeRtp(packet(5));
    const original = transport.rtp.splice(0)[0] as RtpPacket;
    stream.handleFeedback(GenericNack.fromLost(0x99, 0x1111, [original.sequenceNumber]));
    expect(transport.rtp.splice(0).map((p) => [p.ssrc, p.sequenceNumber])).toEqual([
      [0x1111, original.sequenceNumber],
    ]);
    transport.time += 5000; // older than the history keeps (1 s)
    stream.handleFeedback(GenericNack.fromLost(0x99, 0x1111, [original.sequenceNumber]));
    expect(transport.rtp).toEqual([]);
  });

  it('maps our default payload types to the negotiated ones and drops unknown ones', () => {
    const section = videoSection({
      codecs: [codec(120, 'video/VP8'), codec(121, 'video/rtx', 120)],
    });
    const { transport, stream } = sendStream(section);
    stream.writeRtp(packet(1, [1], 96)); // VP8 as our local list numbers it
    stream.writeRtp(packet(2, [2], 120)); // as negotiated
    stream.writeRtp(packet(3, [3], 100)); // H.264: not negotiated
    expect(transport.rtp.map((p) => p.payloadType)).toEqual([120, 120]);
    expect(stream.counters.droppedPackets).toBe(1);
  });

  it('surfaces PLI, FIR and REMB', async () => {
    const { stream } = sendStream();
    const requests: string[] = [];
    const estimates: [number, readonly number[]][] = [];
    const all: string[] = [];
    stream.events.on('keyframerequest', (kind) => requests.push(kind));
    stream.events.on('remb', (bitrate, ssrcs) => estimates.push([bitrate, ssrcs]));
    stream.events.on('rtcp', (packet) => all.push(packet.kind));
    stream.handleFeedback(new PictureLossIndication(0x99, 0x1111));
    stream.handleFeedback(new FullIntraRequest(0x99, [{ ssrc: 0x1111, sequence: 1 }]));
    stream.handleFeedback(new ReceiverEstimatedMaxBitrate(0x99, 1_500_000, [0x1111]));
    expect(requests).toEqual(['pli', 'fir']);
    expect(estimates).toEqual([[1_500_000, [0x1111]]]);
    expect(all).toEqual(['pli', 'fir', 'remb']);
    expect(stream.counters).toMatchObject({ pliCount: 1, firCount: 1 });
  });
});

describe('RtpReceiveStream', () => {
  function receiveStream(section = videoSection()) {
    const transport = new FakeTransport();
    const track = new MediaStreamTrack({ kind: 'video' }, true);
    const stream = new RtpReceiveStream(track);
    stream.attach(transport);
    stream.configure(section);
    const delivered: number[] = [];
    track.on('rtp', (p) => delivered.push(p.sequenceNumber));
    return { transport, track, stream, delivered };
  }

  it('hands each packet on once: duplicates and padding-only RTX probes are dropped', () => {
    const { stream, delivered } = receiveStream();
    stream.handleRtp(packet(10), undefined, false, 0);
    stream.handleRtp(packet(11), undefined, false, 1);
    stream.handleRtp(packet(11), undefined, false, 2);
    // An RTX probe repeating packet 10 (OSN 10), and a padding-only one.
    const rtxOf10 = new RtpPacket({
      payloadType: 97,
      sequenceNumber: 500,
      ssrc: 0x77,
      payload: new Uint8Array([0, 10, 10]),
    });
    stream.handleRtp(rtxOf10, undefined, true, 3);
    stream.handleRtp(
      new RtpPacket({ payloadType: 97, sequenceNumber: 501, ssrc: 0x77 }),
      undefined,
      true,
      4,
    );
    expect(delivered).toEqual([10, 11]);
    const source = stream.streams.get(0xabcdef);
    expect(source?.packetsReceived).toBe(2);
    expect(source?.duplicates).toBe(2);
    expect(source?.stats.lost).toBe(0);
  });

  it('NACKs a gap, and an RTX repair fills it', () => {
    const { transport, stream, delivered } = receiveStream();
    stream.handleRtp(packet(1), undefined, false, 0);
    stream.handleRtp(packet(2), undefined, false, 1);
    stream.handleRtp(packet(5), undefined, false, 2);
    const nacks: RtcpPacket[] = [];
    stream.dueNacks(3, nacks);
    expect(nacks.map((n) => (n as GenericNack).lostSequenceNumbers())).toEqual([[3, 4]]);
    expect((nacks[0] as GenericNack).mediaSsrc).toBe(0xabcdef);
    expect((nacks[0] as GenericNack).senderSsrc).toBe(transport.feedbackSsrc);
    for (const osn of [3, 4]) {
      stream.handleRtp(
        new RtpPacket({
          payloadType: 97,
          sequenceNumber: 900 + osn,
          ssrc: 0x77,
          payload: new Uint8Array([0, osn, osn]),
        }),
        undefined,
        true,
        10,
      );
    }
    expect(delivered).toEqual([1, 2, 5, 3, 4]);
    const later: RtcpPacket[] = [];
    stream.dueNacks(1000, later);
    expect(later).toEqual([]);
    expect(stream.streams.get(0xabcdef)?.retransmittedPacketsReceived).toBe(2);
  });

  it('requestKeyFrame: PLI per SSRC, FIR when only ccm fir was negotiated, waits for a packet', () => {
    const { transport, stream } = receiveStream();
    stream.requestKeyFrame();
    expect(transport.rtcp).toEqual([]);
    stream.handleRtp(packet(1), 'h', false, 0);
    return Promise.resolve().then(() => {
      expect(transport.rtcp.flat().map((p) => p.kind)).toEqual(['pli']);
      const firOnly = receiveStream(
        videoSection({
          codecs: [
            { ...codec(96, 'video/VP8'), rtcpFeedback: [{ type: 'ccm', parameter: 'fir' }] },
          ],
        }),
      );
      firOnly.stream.handleRtp(packet(1), undefined, false, 0);
      firOnly.stream.requestKeyFrame();
      firOnly.stream.requestKeyFrame();
      const firs = firOnly.transport.rtcp.flat() as FullIntraRequest[];
      expect(firs.map((p) => [p.kind, p.entries[0]?.sequence])).toEqual([
        ['fir', 1],
        ['fir', 2],
      ]);
      const none = receiveStream(
        videoSection({ codecs: [{ ...codec(96, 'video/VP8'), rtcpFeedback: [] }] }),
      );
      expect(() => none.stream.requestKeyFrame()).toThrow(/neither PLI nor FIR/);
    });
  });

  it('keeps simulcast streams apart by RID, each with its own SSRC and statistics', () => {
    const { track, stream } = receiveStream();
    const rids: (string | undefined)[] = [];
    track.on('rtp', (_packet, rid) => rids.push(rid));
    for (const [ssrc, rid] of [
      [1, 'h'],
      [2, 'm'],
      [3, 'l'],
    ] as const) {
      const p = packet(10);
      p.ssrc = ssrc;
      stream.handleRtp(p, rid, false, 0);
    }
    expect(rids).toEqual(['h', 'm', 'l']);
    expect([...stream.streams.values()].map((s) => [s.ssrc, s.rid])).toEqual([
      [1, 'h'],
      [2, 'm'],
      [3, 'l'],
    ]);
  });
});
