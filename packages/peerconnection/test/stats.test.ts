/**
 * `getStats()` reports (webrtc-stats): the builder over hand-made sources, then two real
 * transport stacks over UDP loopback carrying data channel messages, read through the stacks'
 * public getters, and the same checks through `RTCPeerConnection.getStats()`.
 */

import type { RTCDataChannel } from '@typertc/sctp';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildStatsReport,
  type RTCCertificate,
  type RTCCertificateStats,
  type RTCIceCandidatePairStats,
  type RTCIceCandidateStats,
  type RTCStatsReport,
  type RTCTransportStats,
} from '../src/index.js';
import type { TransportStack } from '../src/transport/transport-stack.js';
import { negotiate, nextChannel, opened, type Pair, pair } from './pair-helpers.js';
import {
  certificate,
  connectedStacks,
  exchange,
  handMadeSource,
  host,
  NO_CHANNELS,
  ofType,
  peerCertificate,
} from './stats-helpers.js';

describe('buildStatsReport', () => {
  it('reports the peer connection and its channels before any transport exists', () => {
    const channels = handMadeSource().dataChannels;
    const report = buildStatsReport(
      { ice: undefined, dtls: undefined, dataChannels: channels, certificate },
      42,
    );
    expect(ofType(report, 'peer-connection')).toEqual([
      {
        id: 'P',
        type: 'peer-connection',
        timestamp: 42,
        dataChannelsOpened: 3,
        dataChannelsClosed: 1,
      },
    ]);
    const [chat, later] = ofType(report, 'data-channel');
    expect(chat).toEqual({
      id: chat?.id,
      type: 'data-channel',
      timestamp: 42,
      label: 'chat',
      protocol: 'json',
      dataChannelIdentifier: 1,
      state: 'open',
      messagesSent: 1,
      bytesSent: 2,
      messagesReceived: 3,
      bytesReceived: 4,
    });
    // W3C §6.2: an in-band channel has no id before the DTLS role is known.
    expect(later).not.toHaveProperty('dataChannelIdentifier');
    expect(report.size).toBe(3);
    expect(ofType(report, 'transport')).toEqual([]);
    expect(ofType(report, 'certificate')).toEqual([]);
  });

  it('reports the transport, its certificates, candidates and pairs, cross-referenced', () => {
    const source = handMadeSource();
    const timestamp = 5_000_000;
    const report = buildStatsReport(source, timestamp);
    const [transport] = ofType(report, 'transport');
    const [local, remote] = ofType(report, 'certificate');
    const pairs = ofType(report, 'candidate-pair');
    const [selected] = pairs;
    expect(transport).toEqual({
      id: transport?.id,
      type: 'transport',
      timestamp,
      packetsSent: 6,
      packetsReceived: 7,
      bytesSent: 600,
      bytesReceived: 700,
      iceRole: 'controlled',
      iceLocalUsernameFragment: 'localufrag',
      dtlsState: 'connected',
      iceState: 'connected',
      selectedCandidatePairId: selected?.id,
      localCertificateId: local?.id,
      remoteCertificateId: remote?.id,
      tlsVersion: 'FEFD',
      dtlsCipher: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
      srtpCipher: 'SRTP_AEAD_AES_128_GCM',
      dtlsRole: 'server',
      selectedCandidatePairChanges: 1,
    });
    expect(local).toMatchObject({
      fingerprint: certificate.getFingerprints()[0]?.value,
      fingerprintAlgorithm: 'sha-256',
      base64Certificate: Buffer.from(certificate.dtlsCertificate.der).toString('base64'),
    });
    expect(remote?.fingerprint).toBe(peerCertificate.getFingerprints()[0]?.value);
    expect(Buffer.from(remote?.base64Certificate ?? '', 'base64')).toEqual(
      Buffer.from(peerCertificate.dtlsCertificate.der),
    );

    expect(selected).toEqual({
      id: selected?.id,
      type: 'candidate-pair',
      timestamp,
      transportId: transport?.id,
      localCandidateId: selected?.localCandidateId,
      remoteCandidateId: selected?.remoteCandidateId,
      state: 'succeeded',
      nominated: true,
      packetsSent: 6,
      packetsReceived: 7,
      bytesSent: 600,
      bytesReceived: 700,
      // The snapshot's times are moved onto the report's timeline, ms; round trips in seconds.
      lastPacketSentTimestamp: timestamp - 250,
      lastPacketReceivedTimestamp: timestamp - 100,
      totalRoundTripTime: 0.05,
      currentRoundTripTime: 0.008,
      requestsReceived: 4,
      requestsSent: 2,
      responsesReceived: 5,
      responsesSent: 4,
      consentRequestsSent: 3,
    });
    const idle = pairs[1];
    expect(idle).toMatchObject({ state: 'frozen', nominated: false, totalRoundTripTime: 0 });
    for (const absent of ['currentRoundTripTime', 'lastPacketSentTimestamp']) {
      expect(idle).not.toHaveProperty(absent);
    }

    const candidate = (id: string | undefined) => report.get(id ?? '') as RTCIceCandidateStats;
    expect(candidate(selected?.localCandidateId)).toEqual({
      id: selected?.localCandidateId,
      type: 'local-candidate',
      timestamp,
      transportId: transport?.id,
      address: '192.168.1.2',
      port: 5000,
      protocol: 'udp',
      candidateType: 'host',
      priority: host.priority,
      foundation: host.foundation,
      usernameFragment: 'localufrag',
    });
    expect(candidate(idle?.localCandidateId)).toMatchObject({
      type: 'local-candidate',
      candidateType: 'relay',
      url: 'turn:198.51.100.2?transport=tcp',
      relayProtocol: 'tcp',
      relatedAddress: '203.0.113.4',
      relatedPort: 6000,
    });
    // A remote candidate's own ufrag (RFC 8838 §9) wins over the current one.
    expect(candidate(selected?.remoteCandidateId)).toMatchObject({
      type: 'remote-candidate',
      candidateType: 'host',
      address: '192.168.1.9',
      usernameFragment: 'peerufrag',
    });
    expect(idle?.remoteCandidateId).toBe(selected?.remoteCandidateId);
    expect(ofType(report, 'local-candidate')).toHaveLength(2);
    expect(ofType(report, 'remote-candidate')).toHaveLength(1);
  });

  it('keeps ids across reports, and never gives a new object an old id', () => {
    const source = handMadeSource();
    const first = [...buildStatsReport(source, 1).keys()];
    const second = [...buildStatsReport(source, 2).keys()];
    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
    const reopened = {
      ...source,
      dataChannels: {
        ...source.dataChannels,
        channels: source.dataChannels.channels.map((channel) => ({ ...channel })),
      },
    };
    const channelIds = (report: RTCStatsReport) => ofType(report, 'data-channel').map((c) => c.id);
    const before = channelIds(buildStatsReport(source, 3));
    const after = channelIds(buildStatsReport(reopened, 4));
    expect(after.some((id) => before.includes(id))).toBe(false);
  });

  it('reports an unknown DTLS role and a new DTLS state before DTLS starts, one shared certificate once', () => {
    const source = handMadeSource();
    const report = buildStatsReport({ ...source, dtls: undefined }, 7);
    const [transport] = ofType(report, 'transport');
    expect(transport).toMatchObject({ dtlsState: 'new', dtlsRole: 'unknown' });
    for (const absent of ['tlsVersion', 'dtlsCipher', 'srtpCipher', 'remoteCertificateId']) {
      expect(transport).not.toHaveProperty(absent);
    }
    const same = buildStatsReport(
      {
        ...source,
        dtls: {
          state: 'connected',
          connection: {
            role: 'client',
            cipherSuite: undefined,
            protocolVersion: undefined,
            srtpProfile: undefined,
            remoteCertificate: certificate.dtlsCertificate.der,
          },
        },
      },
      8,
    );
    const [both] = ofType(same, 'transport');
    expect(ofType(same, 'certificate')).toHaveLength(1);
    expect(both?.remoteCertificateId).toBe(both?.localCertificateId);
  });

  it('is a read-only maplike, as RTCStatsReport is', () => {
    const report = buildStatsReport(
      { ice: undefined, dtls: undefined, dataChannels: NO_CHANNELS, certificate },
      1,
    );
    expect(Object.prototype.toString.call(report)).toBe('[object RTCStatsReport]');
    expect(report.has('P')).toBe(true);
    expect(report.get('P')?.type).toBe('peer-connection');
    expect([...report].map(([id]) => id)).toEqual(['P']);
    const seen: string[] = [];
    report.forEach((value, key, map) => {
      expect(map).toBe(report);
      seen.push(`${key}:${value.type}`);
    });
    expect(seen).toEqual(['P:peer-connection']);
    expect('set' in report).toBe(false);
    expect('delete' in report).toBe(false);
  });
});

// --- end to end, over UDP loopback ---

/** What every report of a connected pair that exchanged `sent` and `received` must say. */
function checkConnectedReport(
  report: RTCStatsReport,
  expected: {
    readonly fingerprints: { readonly local: string; readonly remote: string };
    readonly channel: {
      messagesSent: number;
      bytesSent: number;
      messagesReceived: number;
      bytesReceived: number;
    };
  },
): void {
  const ids = [...report.keys()];
  expect(new Set(ids).size).toBe(ids.length);
  for (const [id, entry] of report) {
    expect(entry.id).toBe(id);
    expect(Number.isFinite(entry.timestamp)).toBe(true);
  }
  const now = performance.timeOrigin + performance.now();
  const [transport] = ofType(report, 'transport') as RTCTransportStats[];
  expect(transport).toMatchObject({ dtlsState: 'connected', tlsVersion: 'FEFD' });
  expect(transport?.timestamp).toBeLessThanOrEqual(now);
  expect(transport?.timestamp).toBeGreaterThan(now - 60_000);
  expect(transport?.dtlsCipher).toMatch(/^TLS_ECDHE_/);
  // use_srtp is negotiated even without media (RFC 5764 §4.1.2): our first preference.
  expect(transport?.srtpCipher).toBe('SRTP_AEAD_AES_128_GCM');
  expect(['connected', 'completed']).toContain(transport?.iceState);
  expect(transport?.selectedCandidatePairChanges).toBeGreaterThanOrEqual(1);

  const selected = report.get(transport?.selectedCandidatePairId ?? '') as RTCIceCandidatePairStats;
  expect(selected?.type).toBe('candidate-pair');
  expect(selected.transportId).toBe(transport?.id);
  expect(report.get(selected.localCandidateId)?.type).toBe('local-candidate');
  expect(report.get(selected.remoteCandidateId)?.type).toBe('remote-candidate');
  expect(selected).toMatchObject({ state: 'succeeded', nominated: true });
  expect(selected.requestsSent).toBeGreaterThan(0);
  expect(selected.requestsReceived).toBeGreaterThan(0);
  expect(selected.responsesReceived).toBeGreaterThan(0);
  expect(Number.isFinite(selected.totalRoundTripTime)).toBe(true);
  expect(selected.totalRoundTripTime).toBeGreaterThanOrEqual(0);
  expect(selected.currentRoundTripTime).toBeGreaterThanOrEqual(0);
  expect(selected.currentRoundTripTime).toBeLessThan(1);
  // Every data packet went over the selected pair: DTLS handshake, SCTP, the messages.
  expect(selected.packetsSent).toBe(transport?.packetsSent);
  expect(selected.bytesReceived).toBe(transport?.bytesReceived);
  expect(selected.bytesSent).toBeGreaterThan(expected.channel.bytesSent);
  expect(selected.lastPacketSentTimestamp).toBeLessThanOrEqual(transport?.timestamp ?? 0);
  expect(selected.lastPacketReceivedTimestamp).toBeGreaterThan(now - 60_000);
  for (const pairStats of ofType(report, 'candidate-pair')) {
    expect(report.get(pairStats.localCandidateId)?.type).toBe('local-candidate');
    expect(report.get(pairStats.remoteCandidateId)?.type).toBe('remote-candidate');
  }

  const local = report.get(transport?.localCertificateId ?? '') as RTCCertificateStats;
  const remote = report.get(transport?.remoteCertificateId ?? '') as RTCCertificateStats;
  expect(local?.type).toBe('certificate');
  expect(remote?.type).toBe('certificate');
  expect(local.fingerprint).toBe(expected.fingerprints.local);
  expect(remote.fingerprint).toBe(expected.fingerprints.remote);

  expect(ofType(report, 'peer-connection')[0]).toMatchObject({
    dataChannelsOpened: 1,
    dataChannelsClosed: 0,
  });
  expect(ofType(report, 'data-channel')).toEqual([
    expect.objectContaining({ label: 'stats', state: 'open', ...expected.channel }),
  ]);
}

const stacks: TransportStack[] = [];
const pairs: Pair[] = [];
afterEach(() => {
  for (const stack of stacks.splice(0)) stack.close();
  for (const p of pairs.splice(0)) p.close();
});

describe('stats of two connected transport stacks', () => {
  it('report the messages, the selected pair, its candidates and both certificates', async () => {
    const { a, b } = connectedStacks(stacks);
    const channel = a.channels.createDataChannel('stats');
    const remote = await new Promise<RTCDataChannel>((resolve) =>
      b.channels.on('datachannel', resolve),
    );
    await opened(channel);
    const sent = await exchange(channel, remote);

    // The adapter the peer connection's getStats() stands for, over public getters only.
    const statsOf = (side: typeof a, own: RTCCertificate) =>
      buildStatsReport(
        {
          ice: side.stack.ice,
          dtls: side.stack.dtls,
          dataChannels: side.channels,
          certificate: own,
        },
        performance.timeOrigin + performance.now(),
      );
    const fingerprintOf = (c: RTCCertificate) => c.getFingerprints()[0]?.value ?? '';
    checkConnectedReport(statsOf(a, certificate), {
      fingerprints: { local: fingerprintOf(certificate), remote: fingerprintOf(peerCertificate) },
      channel: {
        messagesSent: sent.local.sent,
        bytesSent: sent.local.bytes,
        messagesReceived: sent.remote.sent,
        bytesReceived: sent.remote.bytes,
      },
    });
    checkConnectedReport(statsOf(b, peerCertificate), {
      fingerprints: { local: fingerprintOf(peerCertificate), remote: fingerprintOf(certificate) },
      channel: {
        messagesSent: sent.remote.sent,
        bytesSent: sent.remote.bytes,
        messagesReceived: sent.local.sent,
        bytesReceived: sent.local.bytes,
      },
    });
  });
});

describe('RTCPeerConnection.getStats', () => {
  it('reports what two peer connections exchanged, matching their SDP', async () => {
    const p = pair();
    pairs.push(p);
    const { a, b } = p;
    const channel = a.createDataChannel('stats');
    const incoming = nextChannel(b);
    await negotiate(a, b);
    const remote = await incoming;
    await opened(channel);
    const sent = await exchange(channel, remote);

    const sdpFingerprint = (sdp: string | undefined) =>
      /a=fingerprint:sha-256 ([0-9A-F:]+)/i.exec(sdp ?? '')?.[1] ?? 'missing';
    for (const [self, count] of [
      [a, sent.local],
      [b, sent.remote],
    ] as const) {
      const other = count === sent.local ? sent.remote : sent.local;
      checkConnectedReport(await self.getStats(), {
        fingerprints: {
          local: sdpFingerprint(self.localDescription?.sdp),
          remote: sdpFingerprint(self.remoteDescription?.sdp),
        },
        channel: {
          messagesSent: count.sent,
          bytesSent: count.bytes,
          messagesReceived: other.sent,
          bytesReceived: other.bytes,
        },
      });
    }
  });
});
