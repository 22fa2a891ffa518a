/**
 * The RTP part of `getStats()` reports (webrtc-stats codec, outbound-rtp, remote-inbound-rtp,
 * inbound-rtp, remote-outbound-rtp), built from hand-made RTP engine snapshots on the hand-made
 * transport of stats-helpers.ts. Every counter has its own value, so a member filled from the
 * wrong counter fails.
 */

import { describe, expect, it } from 'vitest';
import {
  type AnyRTCStats,
  buildStatsReport,
  type InboundStreamStatsSource,
  type MediaStatsSource,
  type OutboundStreamStatsSource,
  type RTCStatsReport,
  type StatsCodec,
  type StatsSource,
} from '../src/index.js';
import { handMadeSource, ofType } from './stats-helpers.js';

const TIMESTAMP = 7_000_000;
const VP8: StatsCodec = { payloadType: 96, mimeType: 'video/VP8', clockRate: 90000 };
const OPUS: StatsCodec = {
  payloadType: 111,
  mimeType: 'audio/opus',
  clockRate: 48000,
  channels: 2,
  sdpFmtpLine: 'minptime=10;useinbandfec=1',
};

function outbound(extra: Partial<OutboundStreamStatsSource> = {}): OutboundStreamStatsSource {
  return {
    kind: 'video',
    mid: '1',
    ssrc: 0x1234_5678,
    rtxSsrc: 0x0abc_def0,
    rid: 'hi',
    trackId: 'camera',
    codec: VP8,
    active: true,
    packetsSent: 101,
    bytesSent: 102_000,
    headerBytesSent: 1_212,
    retransmittedPacketsSent: 3,
    retransmittedBytesSent: 3_300,
    nackCount: 4,
    pliCount: 5,
    firCount: 6,
    lastPacketSentTimestamp: TIMESTAMP - 20,
    remote: {
      packetsLost: -2,
      fractionLost: 0.25,
      jitterSeconds: 0.0125,
      roundTripTimeSeconds: 0.042,
      totalRoundTripTimeSeconds: 0.5,
      roundTripTimeMeasurements: 9,
      reportsReceived: 11,
      lastReportTimestamp: TIMESTAMP - 300,
    },
    ...extra,
  };
}

function inbound(extra: Partial<InboundStreamStatsSource> = {}): InboundStreamStatsSource {
  return {
    kind: 'audio',
    mid: '0',
    ssrc: 0x0bad_cafe,
    rid: 'ignored',
    rtxSsrc: 0x0fee_d000,
    trackIdentifier: 'remote-mic',
    codec: OPUS,
    packetsReceived: 201,
    bytesReceived: 202_000,
    headerBytesReceived: 2_424,
    packetsLost: 12,
    jitterSeconds: 0.0035,
    nackCount: 13,
    pliCount: 14,
    firCount: 15,
    retransmittedPacketsReceived: 16,
    retransmittedBytesReceived: 17_000,
    lastPacketReceivedTimestamp: TIMESTAMP - 10,
    remote: {
      packetsSent: 220,
      bytesSent: 221_000,
      remoteTimestamp: 1_700_000_000_123,
      reportsSent: 22,
      lastReportTimestamp: TIMESTAMP - 400,
    },
    ...extra,
  };
}

function report(media: MediaStatsSource | undefined, base = handMadeSource()): RTCStatsReport {
  const source: StatsSource = media === undefined ? base : { ...base, media };
  return buildStatsReport(source, TIMESTAMP);
}

/** The codec and RTP stream objects of a report. */
function mediaEntries(stats: RTCStatsReport): AnyRTCStats[] {
  return [...stats.values()].filter(({ type }) => type === 'codec' || type.endsWith('-rtp'));
}

/** The object `id` names, which must be in the report and of `type`. */
function resolve(stats: RTCStatsReport, id: string | undefined, type: AnyRTCStats['type']) {
  const entry = stats.get(id ?? 'missing');
  expect(entry?.type).toBe(type);
  return entry;
}

describe('buildStatsReport: RTP streams and codecs', () => {
  it('reports a sent stream and the peer reports on it, every member and reference', () => {
    const stats = report({ outbound: [outbound()], inbound: [] });
    const [transport] = ofType(stats, 'transport');
    const [codec] = ofType(stats, 'codec');
    const [sent] = ofType(stats, 'outbound-rtp');
    const [remote] = ofType(stats, 'remote-inbound-rtp');
    expect(codec).toEqual({
      id: codec?.id,
      type: 'codec',
      timestamp: TIMESTAMP,
      payloadType: 96,
      transportId: transport?.id,
      mimeType: 'video/VP8',
      clockRate: 90000,
    });
    expect(sent).toEqual({
      id: sent?.id,
      type: 'outbound-rtp',
      timestamp: TIMESTAMP,
      ssrc: 0x1234_5678,
      kind: 'video',
      transportId: transport?.id,
      codecId: codec?.id,
      mid: '1',
      rid: 'hi',
      packetsSent: 101,
      bytesSent: 102_000,
      headerBytesSent: 1_212,
      retransmittedPacketsSent: 3,
      retransmittedBytesSent: 3_300,
      rtxSsrc: 0x0abc_def0,
      nackCount: 4,
      pliCount: 5,
      firCount: 6,
      active: true,
      remoteId: remote?.id,
    });
    // Stats from RTCP carry the time the report arrived, not the report's.
    expect(remote).toEqual({
      id: remote?.id,
      type: 'remote-inbound-rtp',
      timestamp: TIMESTAMP - 300,
      ssrc: 0x1234_5678,
      kind: 'video',
      transportId: transport?.id,
      codecId: codec?.id,
      packetsLost: -2,
      jitter: 0.0125,
      localId: sent?.id,
      roundTripTime: 0.042,
      totalRoundTripTime: 0.5,
      fractionLost: 0.25,
      roundTripTimeMeasurements: 9,
    });
    expect(resolve(stats, sent?.remoteId, 'remote-inbound-rtp')).toBe(remote);
    expect(resolve(stats, remote?.localId, 'outbound-rtp')).toBe(sent);
    for (const entry of [codec, sent, remote]) resolve(stats, entry?.transportId, 'transport');
    resolve(stats, sent?.codecId, 'codec');
    resolve(stats, remote?.codecId, 'codec');
    expect(mediaEntries(stats)).toHaveLength(3);
  });

  it('reports a received stream and the sender reports on it, every member and reference', () => {
    const stats = report({ outbound: [], inbound: [inbound()] });
    const [transport] = ofType(stats, 'transport');
    const [codec] = ofType(stats, 'codec');
    const [received] = ofType(stats, 'inbound-rtp');
    const [remote] = ofType(stats, 'remote-outbound-rtp');
    expect(codec).toEqual({
      id: codec?.id,
      type: 'codec',
      timestamp: TIMESTAMP,
      payloadType: 111,
      transportId: transport?.id,
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
      sdpFmtpLine: 'minptime=10;useinbandfec=1',
    });
    // Audio: no firCount or pliCount (video only), and no rid (inbound-rtp has none).
    expect(received).toEqual({
      id: received?.id,
      type: 'inbound-rtp',
      timestamp: TIMESTAMP,
      ssrc: 0x0bad_cafe,
      kind: 'audio',
      transportId: transport?.id,
      codecId: codec?.id,
      trackIdentifier: 'remote-mic',
      mid: '0',
      remoteId: remote?.id,
      packetsReceived: 201,
      packetsLost: 12,
      jitter: 0.0035,
      bytesReceived: 202_000,
      headerBytesReceived: 2_424,
      lastPacketReceivedTimestamp: TIMESTAMP - 10,
      nackCount: 13,
      retransmittedPacketsReceived: 16,
      retransmittedBytesReceived: 17_000,
      rtxSsrc: 0x0fee_d000,
    });
    expect(remote).toEqual({
      id: remote?.id,
      type: 'remote-outbound-rtp',
      timestamp: TIMESTAMP - 400,
      ssrc: 0x0bad_cafe,
      kind: 'audio',
      transportId: transport?.id,
      codecId: codec?.id,
      packetsSent: 220,
      bytesSent: 221_000,
      localId: received?.id,
      remoteTimestamp: 1_700_000_000_123,
      reportsSent: 22,
    });
    expect(resolve(stats, received?.remoteId, 'remote-outbound-rtp')).toBe(remote);
    expect(resolve(stats, remote?.localId, 'inbound-rtp')).toBe(received);
    expect(mediaEntries(stats)).toHaveLength(3);
  });

  it('reports feedback counts for video only, in both directions', () => {
    const stats = report({
      outbound: [outbound({ kind: 'audio', codec: OPUS })],
      inbound: [inbound({ kind: 'video', codec: VP8 })],
    });
    const [sent] = ofType(stats, 'outbound-rtp');
    const [received] = ofType(stats, 'inbound-rtp');
    expect(sent).toMatchObject({ kind: 'audio', nackCount: 4 });
    expect(sent).not.toHaveProperty('firCount');
    expect(sent).not.toHaveProperty('pliCount');
    expect(received).toMatchObject({ kind: 'video', nackCount: 13, pliCount: 14, firCount: 15 });
  });

  it('makes one codec per payload type and configuration, shared by both directions', () => {
    const otherFmtp = { ...OPUS, sdpFmtpLine: 'minptime=10' };
    const stats = report({
      outbound: [
        outbound(),
        outbound({ ssrc: 2, rid: 'lo', codec: { ...VP8 } }),
        outbound({ kind: 'audio', ssrc: 3, codec: OPUS }),
      ],
      inbound: [
        inbound({ kind: 'video', ssrc: 4, codec: { ...VP8 } }),
        inbound({ ssrc: 5 }),
        // The same payload type, other parameters this way: another codec object.
        inbound({ ssrc: 6, codec: otherFmtp }),
        inbound({ ssrc: 8, codec: { ...OPUS, channels: 1 } }),
        // Nothing received yet: no codec.
        inbound({ ssrc: 7, codec: undefined }),
      ],
    });
    const codecs = ofType(stats, 'codec');
    expect(codecs.map((codec) => [codec.payloadType, codec.channels, codec.sdpFmtpLine])).toEqual([
      [96, undefined, undefined],
      [111, 2, 'minptime=10;useinbandfec=1'],
      [111, 2, 'minptime=10'],
      [111, 1, 'minptime=10;useinbandfec=1'],
    ]);
    const [vp8, opus, opusOther, opusMono] = codecs.map((codec) => codec.id);
    const codecOf = (ssrc: number) =>
      [...ofType(stats, 'outbound-rtp'), ...ofType(stats, 'inbound-rtp')].find(
        (stream) => stream.ssrc === ssrc,
      )?.codecId;
    expect([0x1234_5678, 2, 3, 4, 5, 6, 7, 8].map(codecOf)).toEqual([
      vp8,
      vp8,
      opus,
      vp8,
      opus,
      opusOther,
      undefined,
      opusMono,
    ]);
    const remoteInbound = ofType(stats, 'remote-inbound-rtp');
    expect(remoteInbound.map((entry) => entry.codecId)).toEqual([vp8, vp8, opus]);
    const unknown = ofType(stats, 'remote-outbound-rtp').find((entry) => entry.ssrc === 7);
    expect(unknown).toBeDefined();
    expect(unknown).not.toHaveProperty('codecId');
  });

  it('reports the remote objects only once RTCP reports arrived', () => {
    const before = report({
      outbound: [outbound({ remote: undefined })],
      inbound: [inbound({ remote: undefined, lastPacketReceivedTimestamp: undefined })],
    });
    expect(ofType(before, 'remote-inbound-rtp')).toEqual([]);
    expect(ofType(before, 'remote-outbound-rtp')).toEqual([]);
    expect(ofType(before, 'outbound-rtp')[0]).not.toHaveProperty('remoteId');
    const [received] = ofType(before, 'inbound-rtp');
    expect(received).not.toHaveProperty('remoteId');
    expect(received).not.toHaveProperty('lastPacketReceivedTimestamp');

    // Report blocks, but none with a DLSR to measure a round trip from yet.
    const noRoundTrip = outbound().remote ?? expect.fail('remote');
    const after = report({
      outbound: [
        outbound({
          remote: {
            ...noRoundTrip,
            roundTripTimeSeconds: undefined,
            totalRoundTripTimeSeconds: 0,
            roundTripTimeMeasurements: 0,
          },
        }),
      ],
      inbound: [],
    });
    const [remote] = ofType(after, 'remote-inbound-rtp');
    expect(remote).toMatchObject({ totalRoundTripTime: 0, roundTripTimeMeasurements: 0 });
    expect(remote).not.toHaveProperty('roundTripTime');
    expect(ofType(after, 'outbound-rtp')[0]?.remoteId).toBe(remote?.id);
  });

  it('leaves out what the source has no value for', () => {
    const stats = report({
      outbound: [outbound({ rid: undefined, rtxSsrc: undefined, active: false })],
      inbound: [inbound({ rtxSsrc: undefined, codec: { ...OPUS, sdpFmtpLine: '' } })],
    });
    const [sent] = ofType(stats, 'outbound-rtp');
    expect(sent?.active).toBe(false);
    for (const absent of ['rid', 'rtxSsrc', 'mediaSourceId', 'lastPacketSentTimestamp']) {
      expect(sent).not.toHaveProperty(absent);
    }
    expect(ofType(stats, 'inbound-rtp')[0]).not.toHaveProperty('rtxSsrc');
    const codecs = ofType(stats, 'codec');
    // An empty fmtp line is no fmtp line.
    expect(codecs.map((codec) => codec.sdpFmtpLine)).toEqual([undefined, undefined]);
  });

  it('reports no media without a transport, and none for no streams', () => {
    const base = handMadeSource();
    const media = { outbound: [outbound()], inbound: [inbound()] };
    const noTransport = report(media, { ...base, ice: undefined, dtls: undefined });
    expect(mediaEntries(noTransport)).toEqual([]);
    expect(ofType(noTransport, 'peer-connection')).toHaveLength(1);

    const without = report(undefined, base);
    expect(mediaEntries(without)).toEqual([]);
    const empty = report({ outbound: [], inbound: [] }, base);
    expect([...empty.keys()]).toEqual([...without.keys()]);
  });

  it('keeps ids across snapshots, apart per type, direction and SSRC', () => {
    const base = handMadeSource();
    const media = () => ({
      outbound: [outbound(), outbound({ kind: 'audio', ssrc: 9, codec: OPUS })],
      inbound: [inbound({ ssrc: 0x1234_5678, kind: 'video', codec: VP8 }), inbound()],
    });
    const first = report(media(), base);
    const second = report(media(), base);
    const ids = mediaEntries(first).map((entry) => entry.id);
    expect(mediaEntries(second).map((entry) => entry.id)).toEqual(ids);
    // 2 codecs; 2 outbound and their 2 remote-inbound; 2 inbound and their 2 remote-outbound.
    expect(new Set(ids).size).toBe(10);
    expect(mediaEntries(first)).toHaveLength(10);
    // The same SSRC both ways (another sender's) is two streams, with their own remote objects.
    const same = mediaEntries(first).filter(
      (entry) => 'ssrc' in entry && entry.ssrc === 0x1234_5678,
    );
    expect(same.map((entry) => entry.type).sort()).toEqual([
      'inbound-rtp',
      'outbound-rtp',
      'remote-inbound-rtp',
      'remote-outbound-rtp',
    ]);
    // No media id is taken by another object: the report holds all of them besides the rest.
    expect(first.size).toBe(report(undefined, base).size + 10);

    // Another transport, other objects.
    const otherTransport = report(media(), handMadeSource());
    const otherIds = mediaEntries(otherTransport).map((entry) => entry.id);
    expect(otherIds.filter((id) => ids.includes(id))).toEqual([]);
  });

  it('reports a stream listed twice once, as first listed', () => {
    const stats = report({
      outbound: [outbound(), outbound({ packetsSent: 999 })],
      inbound: [inbound(), inbound({ packetsReceived: 999 })],
    });
    expect(ofType(stats, 'outbound-rtp').map((entry) => entry.packetsSent)).toEqual([101]);
    expect(ofType(stats, 'inbound-rtp').map((entry) => entry.packetsReceived)).toEqual([201]);
    expect(ofType(stats, 'remote-inbound-rtp')).toHaveLength(1);
    expect(ofType(stats, 'remote-outbound-rtp')).toHaveLength(1);
  });
});
