import { ManualClock, type SocketAddress } from '@typertc/common';
import {
  type EndpointDependence,
  type NatBehavior,
  type NatPreset,
  natPresets,
  SeededRandom,
  type VirtualHost,
  VirtualNetwork,
} from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { formatLocalCandidate } from '../src/candidate.js';
import {
  addSignalledCandidates,
  exchange,
  GatheringNode,
  gatherBoth,
  startStunServer,
} from './nat-harness.js';

type NatKind = 'none' | NatPreset;

const NAT_KINDS: readonly NatKind[] = [
  'none',
  'full-cone',
  'restricted-cone',
  'port-restricted-cone',
  'symmetric',
];

/** A public host neither translates nor filters: the most open behaviour there is. */
const NO_NAT: NatBehavior = { mapping: 'endpoint-independent', filtering: 'endpoint-independent' };

function behaviourOf(kind: NatKind): NatBehavior {
  return kind === 'none' ? NO_NAT : natPresets[kind];
}

/**
 * Whether a connectivity check from `sender` to the address `receiver` advertised (its srflx
 * candidate, or its host one without a NAT) is let in, and its answer let back, when both keep
 * sending checks to each other's advertised addresses (RFC 8445 §2.2 hole punching):
 *
 * - The request leaves the sender's NAT through the mapping for the receiver's address. With
 *   endpoint-independent mapping (RFC 4787 §4.1) that is the mapping the STUN server saw, so its
 *   source is the sender's advertised address; with address-and-port-dependent mapping it is a new
 *   port the receiver has never heard of.
 * - It reaches the receiver's advertised mapping, whose filter (RFC 4787 §5) admits it if
 *   filtering is endpoint-independent; if address-dependent, once the receiver sent to the
 *   sender's IP through that mapping, which its own checks do only when its mapping is
 *   endpoint-independent; if address-and-port-dependent, only when, in addition, the source port
 *   is the advertised one the receiver's checks went to (so the sender's mapping is
 *   endpoint-independent too).
 * - The answer goes back from the receiver's base to the source seen (RFC 8445 §7.3.1), through the
 *   receiver's mapping for that source: the advertised one when endpoint-independent, which is
 *   where the request went, so the sender's mapping admits it under any filtering; otherwise a new
 *   port, which only an address-dependent or open filter at the sender admits.
 */
function checkTraverses(sender: NatBehavior, receiver: NatBehavior): boolean {
  const senderKeepsAdvertisedPort = sender.mapping === 'endpoint-independent';
  const receiverSendsFromAdvertised = receiver.mapping === 'endpoint-independent';
  const requestAdmitted = filterAdmits(receiver.filtering, {
    receiverSentToSenderIp: receiverSendsFromAdvertised,
    receiverSentToSourcePort: receiverSendsFromAdvertised && senderKeepsAdvertisedPort,
  });
  const answerAdmitted =
    receiverSendsFromAdvertised || sender.filtering !== 'address-and-port-dependent';
  return requestAdmitted && answerAdmitted;
}

function filterAdmits(
  filtering: EndpointDependence,
  history: { receiverSentToSenderIp: boolean; receiverSentToSourcePort: boolean },
): boolean {
  switch (filtering) {
    case 'endpoint-independent':
      return true;
    case 'address-dependent':
      return history.receiverSentToSenderIp;
    case 'address-and-port-dependent':
      return history.receiverSentToSourcePort;
  }
}

/**
 * A direct path exists when a check gets through in either direction: the receiver then learns
 * the sender's source (peer-reflexive when it was a new port, RFC 8445 §7.3.1.3) and its
 * triggered check back goes where the sender's NAT already has a mapping open.
 */
function expectedToConnect(a: NatKind, b: NatKind): boolean {
  return (
    checkTraverses(behaviourOf(a), behaviourOf(b)) || checkTraverses(behaviourOf(b), behaviourOf(a))
  );
}

const STUN_SERVER_ADDRESS = '203.0.113.10';
const MAX_PAIRS = 16;
/**
 * A check that is never answered fails after 7 transmissions, 39.5 s after it started
 * (RFC 8489 §6.2.1 with RTO 500 ms, RFC 8445 §14.3); with a handful of pairs paced at Ta, every
 * pair has failed well inside this.
 */
const FAILURE_BOUND_MS = 45_000;
const LINK = { delayMs: 5 };

interface Side {
  readonly node: GatheringNode;
  /** The address the peer reaches this side at: the NAT's public IP, or the host's own. */
  readonly publicAddress: string;
}

function setup(seed: number) {
  const clock = new ManualClock();
  const net = new VirtualNetwork(clock, { seed });
  const random = new SeededRandom(seed);
  const stun = startStunServer(
    net.addHost({ name: 'stun', addresses: [STUN_SERVER_ADDRESS], link: LINK }),
  );
  const side = (label: string, index: number, kind: NatKind, controlling: boolean): Side => {
    const publicAddress = `198.51.100.${index}`;
    let host: VirtualHost;
    if (kind === 'none') {
      host = net.addHost({ name: label, addresses: [publicAddress], link: LINK });
    } else {
      const nat = net.addNat({ name: `${label} nat`, publicAddress, ...natPresets[kind] });
      host = nat.addHost({ name: label, addresses: [`192.168.${index}.2`], link: LINK });
    }
    const node = new GatheringNode(clock, host, [stun], {
      controlling,
      maxPairs: MAX_PAIRS,
      random: () => random.fork(label).next(),
    });
    return { node, publicAddress };
  };
  return { clock, net, side };
}

/** Everything the network has carried or dropped so far. */
function packetCount(net: VirtualNetwork): number {
  return net.stats.delivered + Object.values(net.stats.dropped).reduce((sum, n) => sum + n, 0);
}

function expectSrflx(side: Side, kind: NatKind): void {
  if (kind === 'none') {
    // The STUN server sees the host's own address: redundant, so no srflx (RFC 8445 §5.1.3).
    expect(side.node.srflx).toBeUndefined();
  } else {
    expect(side.node.srflx?.address).toBe(side.publicAddress);
    expect(side.node.srflx?.base).toEqual(side.node.socket.localAddress);
  }
}

/** What `observer` should have selected as the remote candidate of `peer`, given its NAT kind. */
function expectRemoteIsPeer(observer: Side, peer: Side, peerKind: NatKind): void {
  const remote = observer.node.agent.selectedPair?.remote;
  expect(remote?.address).toBe(peer.publicAddress);
  if (peerKind === 'none') {
    expect(remote?.type).toBe('host');
  } else if (behaviourOf(peerKind).mapping === 'endpoint-independent') {
    // The peer's checks leave through the mapping its STUN server saw: its srflx candidate.
    expect(remote?.type).toBe('srflx');
    expect(remote?.port).toBe(peer.node.srflx?.port);
  } else {
    // A symmetric NAT gave the peer's checks a port of their own, learnt from them (§7.3.1.3).
    expect(remote?.type).toBe('prflx');
    expect(remote?.port).not.toBe(peer.node.srflx?.port);
  }
}

function sameAddress(a: SocketAddress | undefined, b: SocketAddress | undefined): boolean {
  return a !== undefined && b !== undefined && a.address === b.address && a.port === b.port;
}

describe('ICE across RFC 4787 NATs, without TURN', () => {
  it('derives the expected outcome from the behaviours, as the hole-punching folklore says', () => {
    // A sanity check of the reasoning against RFC 5128 §3.3 / RFC 4787 §4.1: only a symmetric NAT
    // facing one that filters by port (or another symmetric one) defeats hole punching.
    const failing = NAT_KINDS.flatMap((a) =>
      NAT_KINDS.filter((b) => !expectedToConnect(a, b)).map((b) => `${a}/${b}`),
    );
    expect(failing.sort()).toEqual([
      'port-restricted-cone/symmetric',
      'symmetric/port-restricted-cone',
      'symmetric/symmetric',
    ]);
  });

  const combinations = NAT_KINDS.flatMap((a) => NAT_KINDS.map((b) => [a, b] as const));
  it.each(combinations)('%s (controlling) with %s', (kindA, kindB) => {
    const seed = NAT_KINDS.indexOf(kindA) * 5 + NAT_KINDS.indexOf(kindB) + 1;
    const { clock, net, side } = setup(seed);
    const a = side('a', 1, kindA, true);
    const b = side('b', 2, kindB, false);

    gatherBoth(a.node, b.node);
    expectSrflx(a, kindA);
    expectSrflx(b, kindB);
    exchange(a.node, b.node);
    const startedAt = clock.now();
    clock.advance(FAILURE_BOUND_MS);

    for (const node of [a.node, b.node]) {
      expect(node.maxPairsSeen).toBeGreaterThan(0);
      expect(node.maxPairsSeen).toBeLessThanOrEqual(MAX_PAIRS);
    }
    if (expectedToConnect(kindA, kindB)) {
      for (const node of [a.node, b.node]) {
        expect(['connected', 'completed']).toContain(node.agent.state);
        expect(node.states()).toContain('connected');
        expect(node.states()).not.toContain('failed');
      }
      expectRemoteIsPeer(a, b, kindB);
      expectRemoteIsPeer(b, a, kindA);
      // Both ends agree on the path: each one's local, as the peer sees it, is the peer's remote.
      const selectedA = a.node.agent.selectedPair;
      const selectedB = b.node.agent.selectedPair;
      expect(sameAddress(selectedA?.local, selectedB?.remote)).toBe(true);
      expect(sameAddress(selectedB?.local, selectedA?.remote)).toBe(true);
    } else {
      for (const node of [a.node, b.node]) {
        expect(node.agent.state).toBe('failed');
        expect(node.states()).toEqual(['checking', 'failed']);
        expect(node.agent.selectedPair).toBeUndefined();
        // Failed is final: nothing is left to wake the agent for.
        expect(node.agent.pollTimeout()).toBeUndefined();
      }
      for (const node of [a.node, b.node]) {
        expect((node.timeOf('failed') ?? Number.POSITIVE_INFINITY) - startedAt).toBeLessThan(
          FAILURE_BOUND_MS,
        );
      }
      // What stopped the checks is a NAT's filter, not a missing route or socket.
      expect(net.stats.dropped['nat-filtered']).toBeGreaterThan(0);
      // And it stays quiet: another simulated minute carries no packet at all.
      const before = packetCount(net);
      clock.advance(60_000);
      expect(packetCount(net)).toBe(before);
    }
    a.node.close();
    b.node.close();
  });

  it('connects two IPv6-only hosts without NAT', () => {
    const clock = new ManualClock();
    const net = new VirtualNetwork(clock, { seed: 40 });
    const random = new SeededRandom(40);
    const stun = startStunServer(net.addHost({ name: 'stun', addresses: ['2001:db8::10'] }));
    const node = (label: string, address: string, controlling: boolean): GatheringNode =>
      new GatheringNode(
        clock,
        net.addHost({ name: label, addresses: [address], link: LINK }),
        [stun],
        { controlling, random: () => random.fork(label).next() },
      );
    const a = node('a', '2001:db8::1', true);
    const b = node('b', '2001:db8::2', false);

    gatherBoth(a, b);
    // The server saw each host's own address: no srflx, only the host candidate.
    expect(a.candidates.map((c) => c.type)).toEqual(['host']);
    exchange(a, b);
    clock.advance(3000);

    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
    expect(a.agent.selectedPair?.local.family).toBe('IPv6');
    expect(a.agent.selectedPair?.remote.address).toBe('2001:db8::2');
    expect(b.agent.selectedPair?.remote.address).toBe('2001:db8::1');
  });

  it('ignores mDNS host candidates it cannot resolve and connects through the srflx ones', () => {
    const { clock, side } = setup(41);
    const a = side('a', 1, 'port-restricted-cone', true);
    const b = side('b', 2, 'port-restricted-cone', false);
    gatherBoth(a.node, b.node);

    // Each side hides its host address behind an mDNS name, as browsers do.
    const signalled = (node: GatheringNode, name: string): string[] =>
      node.candidates.map((c) =>
        formatLocalCandidate(c.type === 'host' ? { ...c, address: name } : c),
      );
    const hand = (from: Side, to: Side, name: string) => {
      to.node.agent.setRemoteCredentials(from.node.agent.localUfrag, from.node.agent.localPassword);
      const ignored = addSignalledCandidates(to.node.agent, signalled(from.node, name));
      to.node.agent.endOfRemoteCandidates();
      return ignored;
    };
    const ignoredByB = hand(a, b, '0b1e6ff2-8c1a-4d4b-9a9a-1f0c2d3e4f5a.local');
    const ignoredByA = hand(b, a, '7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09.local');
    a.node.pump();
    b.node.pump();
    clock.advance(5000);

    expect(ignoredByB.map((c) => [c.mdns, c.type])).toEqual([[true, 'host']]);
    expect(ignoredByA.map((c) => [c.mdns, c.type])).toEqual([[true, 'host']]);
    // Only the srflx candidate of the peer was paired.
    expect(a.node.agent.remoteCandidates.map((c) => c.type)).toEqual(['srflx']);
    expect(a.node.agent.state).toBe('completed');
    expect(b.node.agent.state).toBe('completed');
    expectRemoteIsPeer(a, b, 'port-restricted-cone');
    expectRemoteIsPeer(b, a, 'port-restricted-cone');
  });
});
