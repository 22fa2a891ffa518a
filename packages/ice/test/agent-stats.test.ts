/**
 * The per-pair counters behind webrtc-stats RTCIceCandidatePairStats: requests and responses
 * both ways, consent apart, and round-trip times from our requests' last transmissions.
 */

import { ManualClock, type SocketAddress, toHex } from '@typertc/common';
import { SeededRandom, VirtualNetwork } from '@typertc/common/testing';
import {
  PRIORITY,
  StunMessage,
  StunMethod,
  shortTermKey,
  USERNAME,
  XOR_MAPPED_ADDRESS,
} from '@typertc/stun';
import { describe, expect, it } from 'vitest';
import { IceAgent } from '../src/agent/ice-agent.js';
import { createLocalCandidate } from '../src/candidate.js';
import { type AgentNode, introduce, AgentNode as Node, type SentMessage } from './agent-harness.js';

const LOCAL: SocketAddress = { address: '192.168.1.2', port: 50000, family: 'IPv4' };
const MAPPED: SocketAddress = { address: '203.0.113.7', port: 61000, family: 'IPv4' };
const PEER: SocketAddress = { address: '198.51.100.9', port: 40000, family: 'IPv4' };
const LOCAL_PASSWORD = 'local-password-0123456789';
const PEER_PASSWORD = 'peer-password-0123456789';

const requests = (sent: readonly SentMessage[]) =>
  sent.filter(({ message }) => message.messageClass === 'request');
const responses = (sent: readonly SentMessage[]) =>
  sent.filter(({ message }) => message.messageClass === 'success');
const transactions = (sent: readonly SentMessage[]) =>
  new Set(requests(sent).map(({ message }) => toHex(message.transactionId))).size;

function connectedPair(): { clock: ManualClock; a: AgentNode; b: AgentNode } {
  const clock = new ManualClock();
  const net = new VirtualNetwork(clock, { seed: 7 });
  const random = new SeededRandom(7);
  const node = (controlling: boolean, label: string) =>
    new Node(clock, { controlling, random: () => random.fork(label).next() });
  const a = node(true, 'a');
  const b = node(false, 'b');
  a.bind(net.addHost({ name: 'a', addresses: ['203.0.113.1'], link: { delayMs: 1 } }));
  b.bind(net.addHost({ name: 'b', addresses: ['203.0.113.2'], link: { delayMs: 1 } }));
  introduce(a, b);
  return { clock, a, b };
}

/** A controlling agent with one host candidate that knows the peer, its check not yet sent. */
function checkingAgent(): IceAgent {
  const ice = new IceAgent({
    controlling: true,
    localUfrag: 'locl',
    localPassword: LOCAL_PASSWORD,
    tieBreaker: 100n,
  });
  ice.addLocalCandidate(
    createLocalCandidate({ type: 'host', address: LOCAL.address, port: LOCAL.port }),
  );
  ice.setRemoteCredentials('peer', PEER_PASSWORD);
  ice.addRemoteCandidate({
    foundation: '9',
    component: 1,
    transport: 'udp',
    priority: 2130706431,
    address: PEER.address,
    port: PEER.port,
    family: 'IPv4',
    type: 'host',
  });
  return ice;
}

function drain(ice: IceAgent): StunMessage[] {
  const out: StunMessage[] = [];
  for (let t = ice.pollTransmit(); t; t = ice.pollTransmit()) out.push(StunMessage.decode(t.data));
  return out;
}

describe('IceAgent pair stats', () => {
  it('count checks, answers and round trips on the pair two agents selected', () => {
    const { clock, a, b } = connectedPair();
    clock.advance(1000);
    expect(a.agent.state).toBe('completed');

    for (const [self, peer] of [
      [a, b],
      [b, a],
    ] as const) {
      const pairs = self.agent.pairStats();
      expect(pairs).toHaveLength(1);
      const pair = pairs[0];
      expect(pair).toMatchObject({ state: 'succeeded', nominated: true, selected: true });
      expect(pair?.local).toBe(self.agent.selectedPair?.local);
      expect(pair?.remote).toBe(self.agent.selectedPair?.remote);
      expect((pair?.requestsSent ?? 0) + (pair?.consentRequestsSent ?? 0)).toBe(
        transactions(self.sent),
      );
      expect(pair?.requestsReceived).toBe(requests(peer.sent).length);
      expect(pair?.responsesSent).toBe(responses(self.sent).length);
      expect(pair?.responsesReceived).toBe(responses(peer.sent).length);
      // Two links of 1 ms each way: every answer comes 4 ms after its request.
      expect(pair?.totalRoundTripTimeMs).toBe(4 * (pair?.responsesReceived ?? 0));
      expect(pair?.currentRoundTripTimeMs).toBe(4);
      // The agent carries no data: that is its adapter's to count.
      expect([pair?.packetsSent, pair?.bytesReceived, pair?.lastPacketSentAt]).toEqual([
        0,
        0,
        undefined,
      ]);
    }
    const controlling = a.agent.pairStats()[0];
    // The check and the nomination; consent has not started yet.
    expect(controlling?.requestsSent).toBe(2);
    expect(controlling?.consentRequestsSent).toBe(0);

    clock.advance(20_000);
    const later = a.agent.pairStats()[0];
    expect(later?.requestsSent).toBe(2);
    expect(later?.consentRequestsSent).toBeGreaterThanOrEqual(3);
    expect((later?.requestsSent ?? 0) + (later?.consentRequestsSent ?? 0)).toBe(
      transactions(a.sent),
    );
    expect(later?.responsesReceived).toBe(responses(b.sent).length);
    expect(later?.totalRoundTripTimeMs).toBe(4 * (later?.responsesReceived ?? 0));
  });

  it('time a retransmitted request from its last transmission', () => {
    const ice = checkingAgent();
    ice.handleTimeout(0);
    const [first] = drain(ice);
    expect(first?.messageClass).toBe('request');
    ice.handleTimeout(500);
    const [again] = drain(ice);
    expect(again?.transactionId).toEqual(first?.transactionId);
    expect(ice.pairStats()[0]).toMatchObject({ state: 'in-progress', requestsSent: 1 });

    const response = StunMessage.responseTo(first as StunMessage, 'success')
      .add(XOR_MAPPED_ADDRESS, MAPPED)
      .encode({ integrity: shortTermKey(PEER_PASSWORD), fingerprint: true });
    ice.handleDatagram(response, LOCAL, PEER, 530);
    const [pair] = ice.pairStats();
    expect(pair).toMatchObject({
      state: 'succeeded',
      selected: false,
      // No better pair is pending, so the nomination (§8.1.1) went out at once.
      requestsSent: 2,
      responsesReceived: 1,
      totalRoundTripTimeMs: 30,
      currentRoundTripTimeMs: 30,
    });
    // §7.2.5.3.1: the mapped address is a prflx candidate on the check's base; the valid pair
    // is reported with it, and the agent lists it among its local candidates.
    expect(pair?.local).toMatchObject({ type: 'prflx', address: MAPPED.address, base: LOCAL });
    expect(ice.localCandidates).toContain(pair?.local);
    // A repeated response is not counted twice.
    ice.handleDatagram(response, LOCAL, PEER, 540);
    expect(ice.pairStats()[0]?.responsesReceived).toBe(1);
  });

  it('count every request on a pair, answered with success or refused', () => {
    const ice = checkingAgent();
    const check = (password: string): Uint8Array =>
      new StunMessage('request', StunMethod.Binding)
        .add(USERNAME, 'locl:peer')
        .add(PRIORITY, 1853824767)
        .encode({ integrity: shortTermKey(password), fingerprint: true });
    ice.handleDatagram(check(LOCAL_PASSWORD), LOCAL, PEER, 0);
    ice.handleDatagram(check('not-the-password-0123456'), LOCAL, PEER, 1);
    const replies = drain(ice).filter((message) => message.messageClass !== 'request');
    expect(replies.map((message) => message.messageClass)).toEqual(['success', 'error']);
    expect(ice.pairStats()[0]).toMatchObject({ requestsReceived: 2, responsesSent: 2 });
    // From an address no pair has, a refused request counts nowhere.
    ice.handleDatagram(check('not-the-password-0123456'), LOCAL, MAPPED, 2);
    expect(ice.pairStats()).toHaveLength(1);
  });
});
