import { ManualClock, type SocketAddress } from '@typertc/common';
import { SeededRandom, VirtualNetwork } from '@typertc/common/testing';
import {
  ERROR_CODE,
  PRIORITY,
  StunMessage,
  StunMethod,
  shortTermKey,
  USERNAME,
} from '@typertc/stun';
import { describe, expect, it } from 'vitest';
import { IceError } from '../src/errors.js';
import { AgentNode, introduce, restartIce } from './agent-harness.js';

function connectedPair(seed: number, addressesB = ['203.0.113.2']) {
  const clock = new ManualClock();
  const net = new VirtualNetwork(clock, { seed });
  const random = new SeededRandom(seed);
  const a = new AgentNode(clock, { controlling: true, random: () => random.fork('a').next() });
  const b = new AgentNode(clock, { controlling: false, random: () => random.fork('b').next() });
  const hostA = net.addHost({ name: 'a', addresses: ['203.0.113.1'], link: { delayMs: 1 } });
  const hostB = net.addHost({ name: 'b', addresses: addressesB, link: { delayMs: 1 } });
  a.bind(hostA);
  b.bind(hostB, addressesB[0]);
  introduce(a, b);
  clock.advance(1000);
  expect(a.agent.state).toBe('completed');
  expect(b.agent.state).toBe('completed');
  return { clock, a, b, hostA, hostB };
}

/** A check as the peer would send it, addressed to `ufrag` and signed with `password`. */
function checkFor(ufrag: string, password: string): Uint8Array {
  return new StunMessage('request', StunMethod.Binding)
    .add(USERNAME, `${ufrag}:peer`)
    .add(PRIORITY, 1853824767)
    .encode({ integrity: shortTermKey(password), fingerprint: true });
}

describe('IceAgent ICE restart (RFC 8445 §9)', () => {
  it('keeps the old pair until a new one is selected, then refuses the old ufrag', () => {
    const { clock, a, b } = connectedPair(31);
    const old = {
      a: { ufrag: a.agent.localUfrag, password: a.agent.localPassword },
      b: { ufrag: b.agent.localUfrag, password: b.agent.localPassword },
    };
    const oldPair = a.agent.selectedPair;
    const statesBefore = a.states().length;
    const restartAt = clock.now();
    for (const node of [a, b]) {
      node.agent.restart();
      for (const candidate of node.candidates) node.agent.addLocalCandidate(candidate);
      node.pump();
    }
    expect(a.agent.localUfrag).not.toBe(old.a.ufrag);
    expect(a.agent.restarting).toBe(true);
    // The answer with the new credentials takes 20 s to arrive: consent keeps the old pair.
    clock.advance(20_000);
    expect(a.agent.selectedPair).toEqual(oldPair);
    expect(a.agent.state).toBe('connected');
    expect(b.agent.state).toBe('connected');
    const oldConsent = a.sent.filter(
      ({ time, message }) => time > restartAt && message.messageClass === 'request',
    );
    // Consent every 4-6 s, on the old credentials both ways (RFC 7675 over the old session).
    expect(oldConsent.length).toBeGreaterThanOrEqual(3);
    for (const { message, to } of oldConsent) {
      expect(message.get(USERNAME)).toBe(`${old.b.ufrag}:${old.a.ufrag}`);
      expect(to.port).toBe(oldPair?.remote.port);
    }
    const sinceRestart = b.sent.filter(({ time }) => time > restartAt);
    const answers = sinceRestart.filter(({ message }) => message.messageClass !== 'request');
    expect(answers.length).toBeGreaterThanOrEqual(oldConsent.length);
    // B's own consent requests on the old pair, too.
    for (const { message } of sinceRestart.filter((sent) => !answers.includes(sent))) {
      expect(message.get(USERNAME)).toBe(`${old.a.ufrag}:${old.b.ufrag}`);
    }
    for (const { message } of answers) {
      expect(message.messageClass).toBe('success');
      expect(message.verifyIntegrity(shortTermKey(old.b.password))).toBe(true);
    }

    introduce(a, b);
    clock.advance(2000);
    // W3C: `checking` is not re-entered while a pair has consent; completed waits for the checks.
    expect(a.states().slice(statesBefore)).toEqual(['connected', 'completed']);
    expect(b.agent.state).toBe('completed');
    expect(a.selections()).toHaveLength(2);
    expect(b.selections()).toHaveLength(2);
    expect(a.agent.restarting).toBe(false);
    expect(a.agent.selectedPair?.remote.port).toBe(oldPair?.remote.port);
    // Consent now runs on the new credentials.
    clock.advance(10_000);
    const consent = a.sent.filter(({ message }) => message.messageClass === 'request').at(-1);
    expect(consent?.message.get(USERNAME)).toBe(`${b.agent.localUfrag}:${a.agent.localUfrag}`);
    expect(a.agent.state).toBe('completed');

    const base = a.candidates[0] as SocketAddress;
    const peer: SocketAddress = { address: '198.51.100.9', port: 4000, family: 'IPv4' };
    a.agent.handleDatagram(checkFor(old.a.ufrag, old.a.password), base, peer, clock.now());
    const rejected = StunMessage.decode(a.agent.pollTransmit()?.data as Uint8Array);
    expect(rejected.get(ERROR_CODE)?.code).toBe(401);
    a.agent.handleDatagram(
      checkFor(a.agent.localUfrag, a.agent.localPassword),
      base,
      peer,
      clock.now(),
    );
    expect(StunMessage.decode(a.agent.pollTransmit()?.data as Uint8Array).messageClass).toBe(
      'success',
    );
  });

  it("during the restart, the old ufrag is answered on the old pair's path only", () => {
    const { clock, a } = connectedPair(32);
    const old = { ufrag: a.agent.localUfrag, password: a.agent.localPassword };
    const oldPair = a.agent.selectedPair;
    a.agent.restart();
    for (const candidate of a.candidates) a.agent.addLocalCandidate(candidate);
    expect(a.agent.restarting).toBe(true);
    while (a.agent.pollTransmit() !== undefined);
    const base = a.candidates[0] as SocketAddress;
    const oldPeer = oldPair?.remote as SocketAddress;

    // Consent on the old pair: answered under the old credentials.
    a.agent.handleDatagram(checkFor(old.ufrag, old.password), base, oldPeer, clock.now());
    const consent = StunMessage.decode(a.agent.pollTransmit()?.data as Uint8Array);
    expect(consent.messageClass).toBe('success');
    expect(consent.verifyIntegrity(shortTermKey(old.password))).toBe(true);

    // A peer restarting itself checks its new candidates against our old ufrag (Chromium does,
    // until our answer arrives): such a pair belongs to no generation we keep, so 401.
    const newPeer: SocketAddress = { ...oldPeer, port: oldPeer.port + 1 };
    a.agent.handleDatagram(checkFor(old.ufrag, old.password), base, newPeer, clock.now());
    const refused = StunMessage.decode(a.agent.pollTransmit()?.data as Uint8Array);
    expect(refused.messageClass).toBe('error');
    expect(refused.get(ERROR_CODE)?.code).toBe(401);
    expect(a.agent.selectedPair).toEqual(oldPair);
  });

  it('takes data on any valid pair, the old one during a restart included (RFC 8445 §12.2)', () => {
    const { a } = connectedPair(33);
    const base = a.candidates[0] as SocketAddress;
    const peer = a.agent.selectedPair?.remote as SocketAddress;
    const stranger: SocketAddress = { address: '198.51.100.9', port: 4000, family: 'IPv4' };
    expect(a.agent.validPairOnPath(base, peer)?.remote.port).toBe(peer.port);
    expect(a.agent.validPairOnPath(base, stranger)).toBeUndefined();
    // The new checklist has no valid pair yet; the old pair's path still takes data.
    a.agent.restart();
    for (const candidate of a.candidates) a.agent.addLocalCandidate(candidate);
    expect(a.agent.validPairOnPath(base, peer)?.remote.port).toBe(peer.port);
    expect(a.agent.validPairOnPath(base, stranger)).toBeUndefined();
  });

  it('cancelRestart returns to the old generation: credentials, session and pair', () => {
    const { clock, a } = connectedPair(34);
    expect(a.agent.cancelRestart()).toBe(false); // no restart under way
    const old = { ufrag: a.agent.localUfrag, password: a.agent.localPassword };
    const oldPair = a.agent.selectedPair;
    a.agent.restart();
    const fresh = { ufrag: a.agent.localUfrag, password: a.agent.localPassword };
    for (const candidate of a.candidates) a.agent.addLocalCandidate(candidate);
    clock.advance(100);
    expect(a.agent.cancelRestart()).toBe(true);
    expect(a.agent.restarting).toBe(false);
    expect([a.agent.localUfrag, a.agent.localPassword]).toEqual([old.ufrag, old.password]);
    expect(a.agent.selectedPair).toEqual(oldPair);
    expect(a.agent.state).toBe('completed');
    while (a.agent.pollTransmit() !== undefined);
    // Checks for the old ufrag are answered again as the current generation's; the abandoned
    // ufrag is unknown.
    const base = a.candidates[0] as SocketAddress;
    const peer = oldPair?.remote as SocketAddress;
    a.agent.handleDatagram(checkFor(old.ufrag, old.password), base, peer, clock.now());
    expect(StunMessage.decode(a.agent.pollTransmit()?.data as Uint8Array).messageClass).toBe(
      'success',
    );
    a.agent.handleDatagram(checkFor(fresh.ufrag, fresh.password), base, peer, clock.now());
    const refused = StunMessage.decode(a.agent.pollTransmit()?.data as Uint8Array);
    expect(refused.get(ERROR_CODE)?.code).toBe(401);
  });

  it('moves to a new path when the peer changed its address', () => {
    const { clock, a, b, hostB } = connectedPair(32, ['203.0.113.2', '203.0.113.3']);
    expect(a.agent.selectedPair?.remote.address).toBe('203.0.113.2');
    for (const node of [a, b]) node.agent.restart();
    // B regathers on its new address only; A re-adds what it had.
    b.candidates.length = 0;
    b.bind(hostB, '203.0.113.3');
    for (const candidate of a.candidates) a.agent.addLocalCandidate(candidate);
    introduce(a, b);
    clock.advance(2000);

    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
    expect(a.agent.selectedPair?.remote.address).toBe('203.0.113.3');
    expect(b.agent.selectedPair?.local.address).toBe('203.0.113.3');
    const switchedAt = a.events.filter(({ event }) => event.type === 'selected-pair').at(-1)?.time;
    expect(switchedAt).toBeDefined();
    // From the switch on, consent goes to the new address only.
    clock.advance(20_000);
    const later = a.sent.filter(({ time }) => time > (switchedAt as number));
    expect(later.length).toBeGreaterThan(0);
    for (const { to } of later) expect(to.address).toBe('203.0.113.3');
    expect(a.agent.state).toBe('completed');
  });

  it('recovers from failed', () => {
    const { clock, a, b, hostB } = connectedPair(33);
    hostB.uplink.setConditions({ delayMs: 1, loss: 1 });
    clock.advance(40_000);
    expect(a.agent.state).toBe('failed');
    hostB.uplink.setConditions({ delayMs: 1 });
    restartIce(a, b);
    clock.advance(3000);
    expect(a.states().slice(-4)).toEqual(['new', 'checking', 'connected', 'completed']);
    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
  });

  it('insists on new credentials of RFC 8445 §5.3 length', () => {
    const { a } = connectedPair(34);
    expect(() => a.agent.restart({ localUfrag: a.agent.localUfrag })).toThrow(IceError);
    expect(() => a.agent.restart({ localPassword: 'short' })).toThrow(IceError);
    a.agent.restart({ localUfrag: 'next', localPassword: 'next-password-0123456789' });
    expect(a.agent.localUfrag).toBe('next');
    expect(a.agent.localPassword).toBe('next-password-0123456789');
  });
});
