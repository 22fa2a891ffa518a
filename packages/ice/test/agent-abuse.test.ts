import { type SocketAddress, sameSocketAddress } from '@typertc/common';
import { SeededRandom } from '@typertc/common/testing';
import {
  ICE_CONTROLLING,
  PRIORITY,
  StunMessage,
  StunMethod,
  shortTermKey,
  USERNAME,
} from '@typertc/stun';
import { describe, expect, it } from 'vitest';
import { MAX_REMOTE_PRFLX } from '../src/agent/agent-types.js';
import { IceAgent } from '../src/agent/ice-agent.js';
import { createLocalCandidate } from '../src/candidate.js';

const VICTIM: SocketAddress = { address: '203.0.113.1', port: 50000, family: 'IPv4' };
const PEER: SocketAddress = { address: '198.51.100.9', port: 40000, family: 'IPv4' };
const PEER_HOST = createLocalCandidate({ type: 'host', address: PEER.address, port: PEER.port });
const VICTIM_PASSWORD = 'victim-password-0123456789';
const PEER_PASSWORD = 'peer-password-0123456789ab';
const MAX_PAIRS = 16;
const FLOOD_SIZE = 5000;
/** Lower than any host candidate's priority, so the flood never outranks the real peer. */
const FLOOD_PRIORITY = 1000;

/** The `index`-th of the flood's sources: all different, none of them the peer. */
function floodSource(index: number): SocketAddress {
  return {
    address: `10.${(index >> 8) & 0xff}.${index & 0xff}.${1 + (index % 200)}`,
    port: 1024 + index,
    family: 'IPv4',
  };
}

function bindingRequest(username: string, password: string): Uint8Array {
  const message = new StunMessage('request', StunMethod.Binding);
  message.add(USERNAME, username);
  message.add(PRIORITY, FLOOD_PRIORITY);
  message.add(ICE_CONTROLLING, 7n);
  return message.encode({ integrity: shortTermKey(password), fingerprint: true });
}

function victim(): IceAgent {
  const agent = new IceAgent({
    controlling: false,
    localUfrag: 'vict',
    localPassword: VICTIM_PASSWORD,
    maxPairs: MAX_PAIRS,
    random: () => 0.5,
  });
  agent.addLocalCandidate(
    createLocalCandidate({ type: 'host', address: VICTIM.address, port: VICTIM.port }),
  );
  agent.setRemoteCredentials('peer', PEER_PASSWORD);
  return agent;
}

/** Drains what the agent queued, keeping only what goes to `to` (the flood's sources are gone). */
function transmitsTo(agent: IceAgent, to: SocketAddress): Uint8Array[] {
  const kept: Uint8Array[] = [];
  for (let t = agent.pollTransmit(); t; t = agent.pollTransmit()) {
    if (sameSocketAddress(t.to, to)) kept.push(t.data);
  }
  return kept;
}

/** Remote prflx candidates the victim learns at most: half its pair budget (under the cap). */
const PRFLX_CAP = Math.min(MAX_REMOTE_PRFLX, MAX_PAIRS / 2);

/** At most the prflx cap plus the `signalled` candidates, and at most `MAX_PAIRS` pairs. */
function expectBounded(agent: IceAgent, signalled = 0): void {
  expect(agent.remoteCandidates.length).toBeLessThanOrEqual(PRFLX_CAP + signalled);
  expect(agent.remoteCandidates.filter((c) => c.type === 'prflx').length).toBeLessThanOrEqual(
    PRFLX_CAP,
  );
  expect(agent.pairs.length).toBeLessThanOrEqual(MAX_PAIRS);
}

/**
 * Runs the victim and a real peer against each other, delivering directly, for `durationMs`;
 * the victim's checks and answers to the flood's sources are lost.
 */
function connect(target: IceAgent, peer: IceAgent, startMs: number, durationMs: number): void {
  for (let now = startMs; now < startMs + durationMs; now += 5) {
    target.handleTimeout(now);
    peer.handleTimeout(now);
    for (const data of transmitsTo(peer, VICTIM)) target.handleDatagram(data, VICTIM, PEER, now);
    for (const data of transmitsTo(target, PEER)) peer.handleDatagram(data, PEER, VICTIM, now);
    expectBounded(target, 1);
  }
}

/** A controlling peer on `PEER` that knows the victim's host candidate and credentials. */
function realPeer(): IceAgent {
  const peer = new IceAgent({
    controlling: true,
    localUfrag: 'peer',
    localPassword: PEER_PASSWORD,
    random: () => 0.5,
  });
  peer.addLocalCandidate(PEER_HOST);
  peer.setRemoteCredentials('vict', VICTIM_PASSWORD);
  peer.addRemoteCandidate(
    createLocalCandidate({ type: 'host', address: VICTIM.address, port: VICTIM.port }),
  );
  peer.endOfRemoteCandidates();
  return peer;
}

describe('IceAgent under a flood of Binding requests', () => {
  it('learns nothing from requests that fail MESSAGE-INTEGRITY, and still connects a real peer', () => {
    const agent = victim();
    const random = new SeededRandom(7);
    let now = 0;
    // Random usernames and a wrong key: rejected by MESSAGE-INTEGRITY, nothing learnt (§7.3).
    for (let i = 0; i < FLOOD_SIZE; i++) {
      const username = `${Math.floor(random.next() * 1e9).toString(36)}:x`;
      const data = bindingRequest(username, `wrong-password-${i}-0123456789`);
      expect(() => agent.handleDatagram(data, VICTIM, floodSource(i), now)).not.toThrow();
      transmitsTo(agent, PEER);
      now += 1;
    }
    expect(agent.remoteCandidates).toEqual([]);
    expect(agent.pairs).toEqual([]);

    const peer = realPeer();
    agent.addRemoteCandidate(PEER_HOST);
    agent.endOfRemoteCandidates();
    connect(agent, peer, now, 5000);

    expect(peer.state).toBe('completed');
    expect(agent.state).toBe('completed');
    expect(agent.selectedPair?.remote).toMatchObject({ address: PEER.address, port: PEER.port });
    expect(peer.selectedPair?.remote).toMatchObject({ address: VICTIM.address, port: VICTIM.port });
  });

  /** Floods the victim with correctly signed requests from FLOOD_SIZE sources; returns `now`. */
  function signedFlood(agent: IceAgent): number {
    let now = 0;
    // Signed with the right credentials from as many sources: each a would-be prflx (§7.3.1.3).
    for (let i = 0; i < FLOOD_SIZE; i++) {
      const data = bindingRequest('vict:peer', VICTIM_PASSWORD);
      expect(() => agent.handleDatagram(data, VICTIM, floodSource(i), now)).not.toThrow();
      agent.handleTimeout(now);
      transmitsTo(agent, PEER);
      expectBounded(agent);
      now += 1;
    }
    return now;
  }

  it('keeps room for the real peer after a correctly signed flood', () => {
    const agent = victim();
    const now = signedFlood(agent);
    const peer = realPeer();
    agent.addRemoteCandidate(PEER_HOST);
    agent.endOfRemoteCandidates();
    connect(agent, peer, now, 5000);
    expect(peer.state).toBe('completed');
    expect(agent.state).toBe('completed');
    expect(agent.selectedPair?.remote).toMatchObject({ address: PEER.address, port: PEER.port });
  });

  it('caps the prflx candidates and pairs that correctly signed requests create', () => {
    const agent = victim();
    let now = signedFlood(agent);
    expect(agent.remoteCandidates.length).toBe(PRFLX_CAP);
    expect(agent.pairs.length).toBe(PRFLX_CAP);
    // The checks to the flood's sources go unanswered and fail; with no more candidates coming
    // (RFC 8838 §13) the agent then gives up cleanly.
    agent.endOfRemoteCandidates();
    for (const end = now + 60_000; now < end; now += 50) agent.handleTimeout(now);
    expect(agent.state).toBe('failed');
    expect(agent.pairs.every((pair) => pair.state === 'failed')).toBe(true);
    expectBounded(agent);
  });
});
