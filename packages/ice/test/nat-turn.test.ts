import { ManualClock } from '@typertc/common';
import { type NatPreset, natPresets, SeededRandom, VirtualNetwork } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { startStunServer } from './nat-harness.js';
import { RelayingNode, TurnRelayServer } from './turn-relay-harness.js';

const LINK = { delayMs: 5 };
const MAX_PAIRS = 16;

function setup(seed: number) {
  const clock = new ManualClock();
  const net = new VirtualNetwork(clock, { seed });
  const random = new SeededRandom(seed);
  const stun = startStunServer(
    net.addHost({ name: 'stun', addresses: ['203.0.113.10'], link: LINK }),
  );
  const turnServer = new TurnRelayServer(
    net.addHost({ name: 'turn', addresses: ['203.0.113.20'], link: LINK }),
    clock,
  );
  const side = (label: string, index: number, kind: NatPreset, controlling: boolean) => {
    const nat = net.addNat({
      name: `${label} nat`,
      publicAddress: `198.51.100.${index}`,
      ...natPresets[kind],
    });
    const host = nat.addHost({ name: label, addresses: [`192.168.${index}.2`], link: LINK });
    return new RelayingNode(
      clock,
      host,
      { stun, turn: turnServer.address },
      { controlling, maxPairs: MAX_PAIRS, random: () => random.fork(label).next() },
    );
  };
  return { clock, net, turnServer, side };
}

function gatherBoth(a: RelayingNode, b: RelayingNode): void {
  a.gather();
  b.gather();
  const deadline = a.clock.now() + 60_000;
  while (!(a.gatheringDone && b.gatheringDone) && a.clock.now() < deadline) a.clock.advance(10);
}

function exchange(a: RelayingNode, b: RelayingNode): void {
  const hand = (from: RelayingNode, to: RelayingNode): void => {
    to.agent.setRemoteCredentials(from.agent.localUfrag, from.agent.localPassword);
    for (const candidate of from.candidates) to.agent.addRemoteCandidate(candidate);
    to.agent.endOfRemoteCandidates();
  };
  hand(a, b);
  hand(b, a);
  a.pump();
  b.pump();
}

describe('ICE across NATs that defeat hole punching, through TURN (RFC 8656)', () => {
  const cases: readonly (readonly [NatPreset, NatPreset])[] = [
    ['symmetric', 'symmetric'],
    ['symmetric', 'port-restricted-cone'],
    ['port-restricted-cone', 'symmetric'],
  ];
  it.each(cases)('%s (controlling) with %s connects over a relay candidate', (kindA, kindB) => {
    const { clock, net, turnServer, side } = setup(kindA.length * 7 + kindB.length);
    const a = side('a', 1, kindA, true);
    const b = side('b', 2, kindB, false);

    gatherBoth(a, b);
    for (const node of [a, b]) {
      expect(node.candidates.map((c) => c.type)).toEqual(['host', 'srflx', 'relay']);
      expect(node.relay?.address).toBe(turnServer.address.address);
      expect(node.relay?.base).toEqual({
        address: node.relay?.address,
        port: node.relay?.port,
        family: 'IPv4',
      });
    }
    exchange(a, b);
    clock.advance(45_000);

    for (const node of [a, b]) {
      expect(node.agent.state).toBe('completed');
      expect(node.states()).not.toContain('failed');
      expect(node.maxPairsSeen).toBeLessThanOrEqual(MAX_PAIRS);
    }
    const selectedA = a.agent.selectedPair;
    const selectedB = b.agent.selectedPair;
    // The path runs through the relay: a relayed address at one end or the other (or both).
    const relayed = [selectedA?.local, selectedA?.remote, selectedB?.local, selectedB?.remote];
    expect(relayed.some((c) => c?.type === 'relay')).toBe(true);
    expect(relayed.some((c) => c?.address === turnServer.address.address)).toBe(true);
    // Both ends agree on the path.
    expect(selectedA?.local.address).toBe(selectedB?.remote.address);
    expect(selectedA?.local.port).toBe(selectedB?.remote.port);
    expect(selectedB?.local.address).toBe(selectedA?.remote.address);
    expect(selectedB?.local.port).toBe(selectedA?.remote.port);
    // The server really carried checks both ways.
    expect(turnServer.relayedOut).toBeGreaterThan(0);
    expect(turnServer.relayedIn).toBeGreaterThan(0);

    // And the path stays up: consent (RFC 7675) keeps flowing through the relay.
    const relayedBefore = turnServer.relayedOut;
    clock.advance(30_000);
    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
    expect(turnServer.relayedOut).toBeGreaterThan(relayedBefore);

    // Permissions hold (RFC 8656 §9): a stranger's datagram to a relayed address is not relayed.
    const stranger = net
      .addHost({ name: 'stranger', addresses: ['192.0.2.99'], link: LINK })
      .bind({});
    const refusedBefore = turnServer.refused;
    stranger.send(new Uint8Array([1, 2, 3]), a.relay?.base ?? turnServer.address);
    clock.advance(20);
    expect(turnServer.refused).toBe(refusedBefore + 1);
    a.close();
    b.close();
    turnServer.close();
  });
});
