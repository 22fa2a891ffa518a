/**
 * What the stats tests build reports from: hand-made sources with known values, and two real
 * transport stacks connected over UDP loopback, as two peer connections make them.
 */

import { createLocalCandidate, type IceCandidate, type IceTransportStats } from '@typertc/ice';
import { DataChannelManager, type RTCDataChannel } from '@typertc/sctp';
import {
  type AnyRTCStats,
  RTCCertificate,
  type RTCStatsReport,
  type StatsSource,
} from '../src/index.js';
import { TransportStack } from '../src/transport/transport-stack.js';
import { messages } from './pair-helpers.js';

export const certificate = await RTCCertificate.generate({ name: 'ECDSA', namedCurve: 'P-256' });
export const peerCertificate = await RTCCertificate.generate({
  name: 'ECDSA',
  namedCurve: 'P-256',
});

export function ofType<T extends AnyRTCStats['type']>(
  report: RTCStatsReport,
  type: T,
): Extract<AnyRTCStats, { type: T }>[] {
  return [...report.values()].filter(
    (entry): entry is Extract<AnyRTCStats, { type: T }> => entry.type === type,
  );
}

export const NO_CHANNELS = {
  stats: { dataChannelsOpened: 0, dataChannelsClosed: 0 },
  channels: [],
};

export const host = createLocalCandidate({ type: 'host', address: '192.168.1.2', port: 5000 });
const relay = createLocalCandidate({
  type: 'relay',
  address: '198.51.100.2',
  port: 7000,
  serverAddress: '198.51.100.2',
  relatedAddress: '203.0.113.4',
  relatedPort: 6000,
});
const remoteHost: IceCandidate = {
  foundation: '77',
  component: 1,
  transport: 'udp',
  priority: 2130706431,
  address: '192.168.1.9',
  port: 9000,
  family: 'IPv4',
  type: 'host',
  ufrag: 'peerufrag',
};

function iceSnapshot(now: number): IceTransportStats {
  const counters = {
    requestsSent: 2,
    consentRequestsSent: 3,
    requestsReceived: 4,
    responsesSent: 4,
    responsesReceived: 5,
    totalRoundTripTimeMs: 50,
    currentRoundTripTimeMs: 8,
    packetsSent: 6,
    bytesSent: 600,
    packetsReceived: 7,
    bytesReceived: 700,
    lastPacketSentAt: now - 250,
    lastPacketReceivedAt: now - 100,
  };
  return {
    now,
    role: 'controlled',
    state: 'connected',
    localUfrag: 'localufrag',
    remoteUfrag: 'remoteufrag',
    packetsSent: 6,
    bytesSent: 600,
    packetsReceived: 7,
    bytesReceived: 700,
    selectedCandidatePairChanges: 1,
    localCandidates: [
      { candidate: host },
      { candidate: relay, url: 'turn:198.51.100.2?transport=tcp', relayProtocol: 'tcp' },
    ],
    remoteCandidates: [remoteHost],
    pairs: [
      {
        ...counters,
        local: host,
        remote: remoteHost,
        state: 'succeeded',
        nominated: true,
        selected: true,
        priority: 1n,
      },
      {
        requestsSent: 0,
        consentRequestsSent: 0,
        requestsReceived: 0,
        responsesSent: 0,
        responsesReceived: 0,
        totalRoundTripTimeMs: 0,
        packetsSent: 0,
        bytesSent: 0,
        packetsReceived: 0,
        bytesReceived: 0,
        local: relay,
        remote: remoteHost,
        state: 'frozen',
        nominated: false,
        selected: false,
        priority: 0n,
      },
    ],
  };
}

/** A source as a connected peer connection would give it, from made-up values. */
export function handMadeSource(): StatsSource {
  const ice = { getStats: () => iceSnapshot(1_000) };
  return {
    ice,
    dtls: {
      state: 'connected',
      connection: {
        role: 'server',
        cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
        protocolVersion: 0xfefd,
        srtpProfile: 0x0007,
        remoteCertificate: peerCertificate.dtlsCertificate.der,
      },
    },
    dataChannels: {
      stats: { dataChannelsOpened: 3, dataChannelsClosed: 1 },
      channels: [
        {
          label: 'chat',
          protocol: 'json',
          id: 1,
          readyState: 'open',
          stats: { messagesSent: 1, bytesSent: 2, messagesReceived: 3, bytesReceived: 4 },
        },
        {
          label: 'later',
          protocol: '',
          id: null,
          readyState: 'connecting',
          stats: { messagesSent: 0, bytesSent: 0, messagesReceived: 0, bytesReceived: 0 },
        },
      ],
    },
    certificate,
  };
}

/** Sends three strings and a binary message one way, one string back; the bytes each way. */
export async function exchange(local: RTCDataChannel, remote: RTCDataChannel) {
  const arrived = messages(remote, 4);
  for (const text of ['one', 'two', 'thrée']) local.send(text);
  local.send(new Uint8Array(1000));
  await arrived;
  const back = messages(local, 1);
  remote.send('ack');
  await back;
  return { local: { sent: 4, bytes: 3 + 3 + 6 + 1000 }, remote: { sent: 1, bytes: 3 } };
}

/**
 * Two transport stacks connected to each other, as two peer connections would make them; each
 * is added to `opened` for the caller to close.
 */
export function connectedStacks(opened: TransportStack[]) {
  const side = (role: 'controlling' | 'controlled', ufrag: string) => {
    const credentials = { ufrag, password: `${ufrag}password0123456789ab` };
    const stack = new TransportStack({
      role,
      credentials,
      iceServers: [],
      iceTransportPolicy: 'all',
      udpMux: undefined,
      gatherer: undefined,
    });
    opened.push(stack);
    return { stack, credentials, channels: new DataChannelManager() };
  };
  const a = side('controlling', 'stacka');
  const b = side('controlled', 'stackb');
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    from.stack.ice.on('candidate', ({ candidateString }) =>
      to.stack.addRemoteCandidate(candidateString),
    );
    to.stack.setRemoteCredentials(from.credentials, false);
  }
  a.stack.startDtls('client', certificate.dtlsCertificate, peerCertificate.getFingerprints());
  b.stack.startDtls('server', peerCertificate.dtlsCertificate, certificate.getFingerprints());
  for (const { stack, channels } of [a, b]) {
    stack.configureSctp({
      channels,
      localPort: 5000,
      remotePort: 5000,
      maxMessageSize: 262_144,
      remoteMaxMessageSize: 262_144,
    });
  }
  return { a, b };
}
