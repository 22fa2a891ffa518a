import { ManualClock } from '@typertc/common';
import { natPresets, SeededRandom, VirtualNetwork } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { AgentNode, introduce } from './agent-harness.js';

function setup(seed = 1) {
  const clock = new ManualClock();
  const net = new VirtualNetwork(clock, { seed });
  const random = new SeededRandom(seed);
  const node = (controlling: boolean, label: string): AgentNode =>
    new AgentNode(clock, { controlling, random: () => random.fork(label).next() });
  return { clock, net, node };
}

describe('IceAgent connectivity', () => {
  it('connects two hosts in a few simulated milliseconds and agrees on the pair', () => {
    const { clock, net, node } = setup();
    const a = node(true, 'a');
    const b = node(false, 'b');
    a.bind(net.addHost({ name: 'a', addresses: ['203.0.113.1'], link: { delayMs: 1 } }));
    b.bind(net.addHost({ name: 'b', addresses: ['203.0.113.2'], link: { delayMs: 1 } }));
    introduce(a, b);
    clock.advance(1000);

    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
    expect(a.states()).toEqual(['checking', 'connected', 'completed']);
    expect(b.states().at(-1)).toBe('completed');
    // The first check and its answer take 4 ms; the nomination waits its turn, Ta (5 ms), and
    // takes 4 ms more.
    expect(a.timeOf('connected')).toBe(9);
    const selectedA = a.agent.selectedPair;
    const selectedB = b.agent.selectedPair;
    expect(selectedA?.local.address).toBe('203.0.113.1');
    expect(selectedA?.remote.address).toBe('203.0.113.2');
    expect(selectedB?.local.address).toBe('203.0.113.2');
    expect(selectedB?.remote.port).toBe(selectedA?.local.port);
    expect(a.events.filter(({ event }) => event.type === 'selected-pair')).toHaveLength(1);
  });

  it('selects the highest-priority pair when each side has several candidates', () => {
    const { clock, net, node } = setup(2);
    const a = node(true, 'a');
    const b = node(false, 'b');
    const hostA = net.addHost({ name: 'a', addresses: ['198.51.100.1', '198.51.100.2'] });
    const hostB = net.addHost({ name: 'b', addresses: ['198.51.100.3', '198.51.100.4'] });
    // The second address of each host is preferred.
    a.bind(hostA, '198.51.100.1', 65000);
    const bestA = a.bind(hostA, '198.51.100.2', 65535);
    b.bind(hostB, '198.51.100.3', 65000);
    const bestB = b.bind(hostB, '198.51.100.4', 65535);
    introduce(a, b);
    clock.advance(3000);

    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
    expect(a.agent.selectedPair?.local.address).toBe(bestA.address);
    expect(a.agent.selectedPair?.remote.address).toBe(bestB.address);
    expect(b.agent.selectedPair?.local.address).toBe(bestB.address);
    expect(b.agent.selectedPair?.remote.address).toBe(bestA.address);
  });

  it('connects when the remote candidates trickle in after checks started', () => {
    const { clock, net, node } = setup(3);
    const a = node(true, 'a');
    const b = node(false, 'b');
    a.bind(net.addHost({ name: 'a', addresses: ['203.0.113.1'] }));
    b.bind(net.addHost({ name: 'b', addresses: ['203.0.113.2'] }));
    a.agent.setRemoteCredentials(b.agent.localUfrag, b.agent.localPassword);
    b.agent.setRemoteCredentials(a.agent.localUfrag, a.agent.localPassword);
    // A first hears of a candidate nobody answers at; B hears of none of A's.
    a.agent.addRemoteCandidate({
      foundation: '1',
      component: 1,
      transport: 'udp',
      priority: 2130706431,
      address: '203.0.113.99',
      port: 5000,
      family: 'IPv4',
      type: 'host',
    });
    a.pump();
    b.pump();
    clock.advance(300);
    expect(a.agent.state).toBe('checking');
    expect(b.agent.state).toBe('new');
    for (const c of b.candidates) a.agent.addRemoteCandidate(c);
    a.agent.endOfRemoteCandidates();
    a.pump();
    clock.advance(2000);

    // A's first candidate is still being checked (completed waits for it), B expects more.
    expect(a.agent.state).toBe('connected');
    expect(b.agent.state).toBe('connected');
    expect(a.agent.selectedPair?.remote.address).toBe('203.0.113.2');
    expect(a.agent.selectedPair?.remote.type).toBe('host');
    // B learned A only from A's checks (§7.3.1.3).
    expect(b.agent.selectedPair?.remote.type).toBe('prflx');
  });

  it('resolves a role conflict when both sides start controlling', () => {
    const { clock, net } = setup(4);
    const a = new AgentNode(clock, { controlling: true, tieBreaker: 5n });
    const b = new AgentNode(clock, { controlling: true, tieBreaker: 9n });
    a.bind(net.addHost({ name: 'a', addresses: ['203.0.113.1'] }));
    b.bind(net.addHost({ name: 'b', addresses: ['203.0.113.2'] }));
    introduce(a, b);
    clock.advance(3000);

    // §7.3.1.1: the larger tie-breaker stays controlling; the other switches.
    expect(a.agent.controlling).toBe(false);
    expect(b.agent.controlling).toBe(true);
    expect(a.events.map(({ event }) => event)).toContainEqual({
      type: 'role-changed',
      controlling: false,
    });
    // A switched once, on B's request; B's 487 to A's request then found A already switched.
    expect(a.events.filter(({ event }) => event.type === 'role-changed')).toHaveLength(1);
    expect(b.events.some(({ event }) => event.type === 'role-changed')).toBe(false);
    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
  });

  it('setRole before the checks: the answerer after a JSEP rollback goes controlled, no conflict', () => {
    const { clock, net } = setup(4);
    // Both started as offerers (glare); A rolled its offer back and answers B's.
    const a = new AgentNode(clock, { controlling: true, tieBreaker: 9n });
    const b = new AgentNode(clock, { controlling: true, tieBreaker: 5n });
    a.agent.setRole(false);
    expect(a.agent.controlling).toBe(false);
    expect(a.agent.pollEvent()).toEqual({ type: 'role-changed', controlling: false });
    a.agent.setRole(false); // already controlled: nothing happens
    expect(a.agent.pollEvent()).toBeUndefined();
    a.bind(net.addHost({ name: 'a', addresses: ['203.0.113.1'] }));
    b.bind(net.addHost({ name: 'b', addresses: ['203.0.113.2'] }));
    introduce(a, b);
    clock.advance(3000);

    // A's larger tie-breaker would have taken control in a conflict; there was none.
    expect(a.agent.controlling).toBe(false);
    expect(b.agent.controlling).toBe(true);
    expect(a.events.some(({ event }) => event.type === 'role-changed')).toBe(false);
    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
  });

  it('never connects with a wrong password, and learns nothing from such checks', () => {
    const { clock, net, node } = setup(5);
    const a = node(true, 'a');
    const b = node(false, 'b');
    a.bind(net.addHost({ name: 'a', addresses: ['203.0.113.1'] }));
    b.bind(net.addHost({ name: 'b', addresses: ['203.0.113.2'] }));
    // B signs its checks with a password A never issued; A has no candidates of B's at all.
    b.agent.setRemoteCredentials(a.agent.localUfrag, 'not-the-password-of-a-000');
    for (const c of a.candidates) b.agent.addRemoteCandidate(c);
    b.agent.endOfRemoteCandidates();
    a.agent.setRemoteCredentials(b.agent.localUfrag, b.agent.localPassword);
    a.pump();
    b.pump();
    clock.advance(60_000);

    expect(a.agent.remoteCandidates).toHaveLength(0);
    expect(a.agent.pairs).toHaveLength(0);
    expect(a.agent.state).toBe('new');
    expect(a.agent.selectedPair).toBeUndefined();
    // B's checks time out (RFC 8489 §6.2.1: 39.5 s) and, with no candidate left, it fails.
    expect(b.agent.state).toBe('failed');
    expect(b.states()).not.toContain('connected');
  });

  it('discovers peer-reflexive candidates through a port-restricted NAT', () => {
    const { clock, net, node } = setup(6);
    const a = node(true, 'a');
    const b = node(false, 'b');
    const nat = net.addNat({
      name: 'home',
      publicAddress: '198.51.100.7',
      ...natPresets['port-restricted-cone'],
    });
    a.bind(nat.addHost({ name: 'a', addresses: ['192.168.1.2'] }));
    b.bind(net.addHost({ name: 'b', addresses: ['203.0.113.2'] }));
    introduce(a, b);
    clock.advance(45_000);

    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
    // A's mapped address came back in XOR-MAPPED-ADDRESS: a local prflx candidate (§7.2.5.3.1).
    expect(a.agent.selectedPair?.local.type).toBe('prflx');
    expect(a.agent.selectedPair?.local.address).toBe('198.51.100.7');
    expect(a.agent.selectedPair?.local.base.address).toBe('192.168.1.2');
    // B saw A's checks from the NAT: a remote prflx candidate (§7.3.1.3).
    expect(b.agent.selectedPair?.remote.type).toBe('prflx');
    expect(b.agent.selectedPair?.remote.address).toBe('198.51.100.7');
  });

  it('connects over links that lose 30% of packets', () => {
    for (const seed of [11, 12, 13, 14, 15]) {
      const { clock, net, node } = setup(seed);
      const a = node(true, 'a');
      const b = node(false, 'b');
      // Loss on the uplinks only, so each direction loses 30%.
      const link = { up: { loss: 0.3, delayMs: 20 }, down: { delayMs: 0 } };
      a.bind(net.addHost({ name: 'a', addresses: ['203.0.113.1'], link }));
      b.bind(net.addHost({ name: 'b', addresses: ['203.0.113.2'], link }));
      introduce(a, b);
      clock.advance(20_000);

      expect(net.stats.dropped.loss).toBeGreaterThan(0);
      expect(a.agent.selectedPair).toBeDefined();
      expect(b.agent.selectedPair).toBeDefined();
      expect(a.states()).toContain('connected');
      expect(b.states()).toContain('connected');
    }
  });
});
