import { ManualClock } from '@typertc/common';
import { SeededRandom, VirtualNetwork } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { AgentNode, introduce } from './agent-harness.js';

/** RFC 7675 §5.1: consent expires 30 s after the last answer. */
const CONSENT_EXPIRY_MS = 30_000;
/** Our `disconnected` threshold (libwebrtc's receive timeout). */
const CONSENT_UNANSWERED_MS = 2500;

function connectedPair(seed: number) {
  const clock = new ManualClock();
  const net = new VirtualNetwork(clock, { seed });
  const random = new SeededRandom(seed);
  const a = new AgentNode(clock, { controlling: true, random: () => random.next() });
  const b = new AgentNode(clock, { controlling: false, random: () => random.next() });
  const hostA = net.addHost({ name: 'a', addresses: ['203.0.113.1'], link: { delayMs: 1 } });
  const hostB = net.addHost({ name: 'b', addresses: ['203.0.113.2'], link: { delayMs: 1 } });
  a.bind(hostA);
  b.bind(hostB);
  introduce(a, b);
  clock.advance(1000);
  expect(a.agent.state).toBe('completed');
  expect(b.agent.state).toBe('completed');
  const cut = (loss: number): void => {
    hostB.uplink.setConditions({ delayMs: 1, loss });
    hostB.downlink.setConditions({ delayMs: 1, loss });
  };
  return { clock, a, b, hostA, cut };
}

describe('IceAgent consent freshness (RFC 7675)', () => {
  it('keeps a quiet connection alive with a consent request every 4 to 6 seconds', () => {
    const { clock, a, b, hostA } = connectedPair(21);
    const sentBefore = hostA.uplink.stats.sent;
    clock.advance(60_000);
    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
    // A sends consent requests (§5.1, 5 s ± 20%) and answers B's: between 2×10 and 2×15 packets.
    const sent = hostA.uplink.stats.sent - sentBefore;
    expect(sent).toBeGreaterThanOrEqual(20);
    expect(sent).toBeLessThanOrEqual(30);
  });

  it('goes disconnected when consent goes unanswered, then failed 30 s after the last answer', () => {
    const { clock, a, hostA, cut } = connectedPair(22);
    const cutAt = clock.now();
    cut(1);
    clock.advance(40_000);

    const disconnectedAt = a.timeOf('disconnected');
    const failedAt = a.timeOf('failed');
    expect(disconnectedAt).toBeDefined();
    expect(failedAt).toBeDefined();
    // The next request goes out within 6 s of the cut; 2.5 s without an answer is disconnected.
    expect((disconnectedAt as number) - cutAt).toBeGreaterThanOrEqual(CONSENT_UNANSWERED_MS);
    expect((disconnectedAt as number) - cutAt).toBeLessThanOrEqual(6000 + CONSENT_UNANSWERED_MS);
    // The last answer came before the cut and at most one interval (6 s) before it.
    expect((failedAt as number) - cutAt).toBeLessThanOrEqual(CONSENT_EXPIRY_MS);
    expect((failedAt as number) - cutAt).toBeGreaterThan(CONSENT_EXPIRY_MS - 6000);
    expect(a.states().slice(-2)).toEqual(['disconnected', 'failed']);
    // §5.1: without consent, the agent stops sending.
    const sentAtFailure = hostA.uplink.stats.sent;
    clock.advance(30_000);
    expect(hostA.uplink.stats.sent).toBe(sentAtFailure);
    expect(a.agent.pollTimeout()).toBeUndefined();
  });

  it('returns from disconnected when consent answers resume', () => {
    const { clock, a, b, cut } = connectedPair(23);
    const selected = a.agent.selectedPair;
    cut(1);
    clock.advance(10_000);
    expect(a.agent.state).toBe('disconnected');
    cut(0);
    clock.advance(10_000);

    expect(a.states().slice(-2)).toEqual(['disconnected', 'completed']);
    expect(b.agent.state).toBe('completed');
    expect(a.agent.selectedPair).toEqual(selected);
  });
});
