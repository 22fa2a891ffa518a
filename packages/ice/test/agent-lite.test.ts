import { ManualClock } from '@typertc/common';
import { SeededRandom, VirtualNetwork } from '@typertc/common/testing';
import { ICE_CONTROLLED, ICE_CONTROLLING, shortTermKey, USE_CANDIDATE } from '@typertc/stun';
import { describe, expect, it } from 'vitest';
import { IceAgent } from '../src/agent/ice-agent.js';
import { createLocalCandidate } from '../src/candidate.js';
import { IceError } from '../src/errors.js';
import { AgentNode, introduce } from './agent-harness.js';

/** A full agent `a` and a lite agent `b` on two hosts 1 ms from the network. */
function fullAndLite(seed: number, controlling: boolean) {
  const clock = new ManualClock();
  const net = new VirtualNetwork(clock, { seed });
  const random = new SeededRandom(seed);
  const a = new AgentNode(clock, { controlling, random: () => random.fork('a').next() });
  const b = new AgentNode(clock, { lite: true, random: () => random.fork('b').next() });
  const hostA = net.addHost({ name: 'a', addresses: ['203.0.113.1'], link: { delayMs: 1 } });
  const hostB = net.addHost({ name: 'b', addresses: ['203.0.113.2'], link: { delayMs: 1 } });
  a.bind(hostA);
  b.bind(hostB);
  return { clock, a, b, hostB };
}

describe('IceAgent ICE-lite (RFC 8445 §2.5)', () => {
  it('answers a full agent, selects the pair it nominates, and never sends a request', () => {
    const { clock, a, b } = fullAndLite(41, true);
    a.agent.setRemoteLite(true);
    introduce(a, b);
    clock.advance(1000);

    expect(b.agent.controlling).toBe(false);
    expect(a.agent.state).toBe('completed');
    expect(b.states()).toEqual(['checking', 'connected', 'completed']);
    expect(b.selections()).toHaveLength(1);
    expect(b.agent.selectedPair?.local.address).toBe('203.0.113.2');
    expect(b.agent.selectedPair?.remote.port).toBe(a.agent.selectedPair?.local.port);
    // The full agent nominated (§8.1.1); the lite one only answered.
    expect(a.sent.some(({ message }) => message.has(USE_CANDIDATE))).toBe(true);
    // A minute of consent: the full agent asks (RFC 7675), the lite one answers and stays up.
    clock.advance(60_000);
    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
    expect(b.sent.length).toBeGreaterThan(10);
    // Besides answers, only keepalives (RFC 8445 §11): a Binding indication every Tr = 15 s.
    const indications = b.sent.filter(({ message }) => message.messageClass === 'indication');
    for (const { message } of b.sent)
      expect(['success', 'indication']).toContain(message.messageClass);
    expect(indications).toHaveLength(4);
    const selectedAt = b.events.find(({ event }) => event.type === 'selected-pair')?.time ?? 0;
    indications.forEach(({ time, to, message }, i) => {
      expect(time - selectedAt).toBe(15_000 * (i + 1));
      expect(to.port).toBe(a.agent.selectedPair?.local.port);
      expect(message.fingerprint).toBe('valid');
    });
    // The full agent discards them and keeps its state.
    expect(a.states().at(-1)).toBe('completed');
  });

  it('makes a full agent created controlled take control against a lite peer (§6.1.1)', () => {
    const { clock, a, b } = fullAndLite(42, false);
    a.agent.setRemoteLite(true);
    expect(a.agent.controlling).toBe(true);
    expect(a.agent.remoteLite).toBe(true);
    expect(a.agent.pollEvent()).toEqual({ type: 'role-changed', controlling: true });
    introduce(a, b);
    clock.advance(1000);

    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
    const requests = a.sent.filter(({ message }) => message.messageClass === 'request');
    for (const { message } of requests) {
      expect(message.has(ICE_CONTROLLING)).toBe(true);
      expect(message.has(ICE_CONTROLLED)).toBe(false);
    }
    expect(requests.some(({ message }) => message.has(USE_CANDIDATE))).toBe(true);
  });

  it('answers a full agent that claims controlled with 487, so it takes control', () => {
    const { clock, a, b } = fullAndLite(43, false);
    introduce(a, b);
    clock.advance(2000);

    expect(a.agent.controlling).toBe(true);
    expect(b.agent.controlling).toBe(false);
    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
    expect(b.sent.some(({ message }) => message.messageClass === 'error')).toBe(true);
    for (const { message } of b.sent) expect(message.messageClass).not.toBe('request');
  });

  it('fails 30 s after the full peer stops checking, and then sends nothing', () => {
    const { clock, a, b, hostB } = fullAndLite(44, true);
    a.agent.setRemoteLite(true);
    introduce(a, b);
    clock.advance(1000);
    expect(b.agent.state).toBe('completed');
    const cutAt = clock.now();
    hostB.downlink.setConditions({ delayMs: 1, loss: 1 });
    clock.advance(40_000);

    const failedAt = b.timeOf('failed');
    expect(failedAt).toBeDefined();
    // The last check heard came before the cut, at most one consent interval (6 s) before it.
    expect((failedAt as number) - cutAt).toBeLessThanOrEqual(30_000);
    expect((failedAt as number) - cutAt).toBeGreaterThan(24_000);
    expect(b.states()).not.toContain('disconnected');
    expect(b.agent.pollTimeout()).toBeUndefined();
  });

  it('restarts: answers on the old credentials until the full agent nominates a new pair', () => {
    const { clock, a, b } = fullAndLite(45, true);
    a.agent.setRemoteLite(true);
    introduce(a, b);
    clock.advance(1000);
    const oldPassword = b.agent.localPassword;
    const restartAt = clock.now();
    for (const node of [a, b]) {
      node.agent.restart();
      for (const candidate of node.candidates) node.agent.addLocalCandidate(candidate);
      node.pump();
    }
    clock.advance(20_000);
    // The full agent's consent on the old pair is answered under the old password.
    const answered = b.sent.filter(
      ({ time, message }) => time > restartAt && message.messageClass !== 'indication',
    );
    expect(answered.length).toBeGreaterThanOrEqual(3);
    for (const { message } of answered) {
      expect(message.messageClass).toBe('success');
      expect(message.verifyIntegrity(shortTermKey(oldPassword))).toBe(true);
    }
    expect(b.agent.selectedPair).toBeDefined();
    expect(b.agent.state).toBe('connected');
    expect(a.agent.state).toBe('connected');

    introduce(a, b);
    clock.advance(2000);
    expect(a.selections()).toHaveLength(2);
    expect(b.selections()).toHaveLength(2);
    expect(b.agent.restarting).toBe(false);
    expect(b.agent.state).toBe('completed');
    expect(a.agent.state).toBe('completed');
    for (const { message } of b.sent) {
      expect(['success', 'indication']).toContain(message.messageClass);
    }
  });

  it('rejects what a lite agent cannot do', () => {
    const lite = new IceAgent({ lite: true });
    expect(lite.lite).toBe(true);
    expect(lite.controlling).toBe(false);
    expect(() =>
      lite.addLocalCandidate(
        createLocalCandidate({
          type: 'srflx',
          address: '198.51.100.7',
          port: 4000,
          base: { address: '192.168.1.2', port: 4000, family: 'IPv4' },
        }),
      ),
    ).toThrow(IceError);
    // Two lite agents have no one to check (§6.1.1).
    expect(() => lite.setRemoteLite(true)).toThrow(IceError);
  });
});
