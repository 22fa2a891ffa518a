import type { SocketAddress } from '@typertc/common';
import {
  ERROR_CODE,
  ICE_CONTROLLED,
  ICE_CONTROLLING,
  PRIORITY,
  StunMessage,
  StunMethod,
  shortTermKey,
  USE_CANDIDATE,
  USERNAME,
  XOR_MAPPED_ADDRESS,
} from '@typertc/stun';
import { describe, expect, it } from 'vitest';
import { IceAgent } from '../src/agent/ice-agent.js';
import { createLocalCandidate } from '../src/candidate.js';
import { IceError } from '../src/errors.js';

const LOCAL: SocketAddress = { address: '203.0.113.1', port: 50000, family: 'IPv4' };
const PEER: SocketAddress = { address: '198.51.100.9', port: 40000, family: 'IPv4' };

function agent(controlling = false): IceAgent {
  const ice = new IceAgent({
    controlling,
    localUfrag: 'locl',
    localPassword: 'local-password-0123456789',
    tieBreaker: 100n,
  });
  ice.addLocalCandidate(
    createLocalCandidate({ type: 'host', address: LOCAL.address, port: LOCAL.port }),
  );
  return ice;
}

interface RequestInit {
  readonly username?: string;
  readonly password?: string;
  readonly role?: { controlling: boolean; tieBreaker: bigint };
  readonly useCandidate?: boolean;
}

function request(init: RequestInit = {}): Uint8Array {
  const message = new StunMessage('request', StunMethod.Binding);
  message.add(USERNAME, init.username ?? 'locl:peer');
  message.add(PRIORITY, 1853824767);
  const role = init.role ?? { controlling: true, tieBreaker: 1n };
  if (role.controlling) message.add(ICE_CONTROLLING, role.tieBreaker);
  else message.add(ICE_CONTROLLED, role.tieBreaker);
  if (init.useCandidate === true) message.add(USE_CANDIDATE, true);
  const key = shortTermKey(init.password ?? 'local-password-0123456789');
  return message.encode({ integrity: key, fingerprint: true });
}

function answer(ice: IceAgent): StunMessage {
  const transmit = ice.pollTransmit();
  expect(transmit?.from).toEqual(LOCAL);
  expect(transmit?.to).toEqual(PEER);
  return StunMessage.decode(transmit?.data as Uint8Array);
}

describe('IceAgent answering checks (RFC 8445 §7.3)', () => {
  it('answers an authenticated check with XOR-MAPPED-ADDRESS and learns a prflx candidate', () => {
    const ice = agent();
    ice.handleDatagram(request(), LOCAL, PEER, 0);
    const response = answer(ice);
    expect(response.messageClass).toBe('success');
    expect(response.get(XOR_MAPPED_ADDRESS)).toEqual(PEER);
    expect(response.verifyIntegrity(shortTermKey('local-password-0123456789'))).toBe(true);
    expect(response.fingerprint).toBe('valid');
    expect(ice.remoteCandidates).toEqual([
      expect.objectContaining({
        type: 'prflx',
        address: PEER.address,
        port: PEER.port,
        priority: 1853824767,
      }),
    ]);
    // §7.3.1.4: the new pair waits for its triggered check (sent once remote credentials are known).
    expect(ice.pairs.map((pair) => pair.state)).toEqual(['waiting']);
  });

  it('answers a wrong password with an unsigned 401 and keeps no state', () => {
    const ice = agent();
    ice.handleDatagram(request({ password: 'wrong-password-0123456789' }), LOCAL, PEER, 0);
    const response = answer(ice);
    expect(response.messageClass).toBe('error');
    expect(response.get(ERROR_CODE)?.code).toBe(401);
    expect(response.integrityAt).toBe(-1);
    expect(ice.remoteCandidates).toHaveLength(0);
    expect(ice.pairs).toHaveLength(0);
    expect(ice.pollEvent()).toBeUndefined();
  });

  it('answers a check for another ufrag with 401 and one without USERNAME with 400', () => {
    const ice = agent();
    ice.handleDatagram(request({ username: 'othr:peer' }), LOCAL, PEER, 0);
    expect(answer(ice).get(ERROR_CODE)?.code).toBe(401);
    const noUsername = new StunMessage('request', StunMethod.Binding)
      .add(PRIORITY, 1)
      .encode({ integrity: shortTermKey('local-password-0123456789'), fingerprint: true });
    ice.handleDatagram(noUsername, LOCAL, PEER, 0);
    expect(answer(ice).get(ERROR_CODE)?.code).toBe(400);
    expect(ice.remoteCandidates).toHaveLength(0);
  });

  it('drops what is not a Binding message or has a bad FINGERPRINT', () => {
    const ice = agent();
    ice.handleDatagram(new Uint8Array([0x80, 1, 2, 3]), LOCAL, PEER, 0);
    const corrupted = request();
    corrupted[corrupted.length - 1] = (corrupted[corrupted.length - 1] as number) ^ 1;
    ice.handleDatagram(corrupted, LOCAL, PEER, 0);
    expect(ice.pollTransmit()).toBeUndefined();
    expect(ice.remoteCandidates).toHaveLength(0);
  });

  it('resolves a role conflict by tie-breaker (§7.3.1.1)', () => {
    // Controlling with the larger tie-breaker: 487, and the role stays.
    const keeps = agent(true);
    keeps.handleDatagram(request({ role: { controlling: true, tieBreaker: 5n } }), LOCAL, PEER, 0);
    const conflict = answer(keeps);
    expect(conflict.get(ERROR_CODE)?.code).toBe(487);
    expect(conflict.verifyIntegrity(shortTermKey('local-password-0123456789'))).toBe(true);
    expect(keeps.controlling).toBe(true);
    expect(keeps.remoteCandidates).toHaveLength(0);
    // Controlling with the smaller one: switches to controlled and answers.
    const yields = agent(true);
    yields.handleDatagram(
      request({ role: { controlling: true, tieBreaker: 500n } }),
      LOCAL,
      PEER,
      0,
    );
    expect(answer(yields).messageClass).toBe('success');
    expect(yields.controlling).toBe(false);
    expect(yields.pollEvent()).toEqual({ type: 'role-changed', controlling: false });
    // Controlled facing a controlled peer with a smaller tie-breaker: takes control.
    const takes = agent(false);
    takes.handleDatagram(request({ role: { controlling: false, tieBreaker: 5n } }), LOCAL, PEER, 0);
    expect(answer(takes).messageClass).toBe('success');
    expect(takes.controlling).toBe(true);
  });

  it('as controlled, selects a pair nominated before its own check succeeded (§7.3.1.5)', () => {
    const ice = agent(false);
    ice.setRemoteCredentials('peer', 'peer-password-0123456789');
    ice.handleDatagram(request({ useCandidate: true }), LOCAL, PEER, 0);
    expect(answer(ice).messageClass).toBe('success');
    expect(ice.selectedPair).toBeUndefined();
    // The triggered check goes out at once (Ta allows it), signed with the peer's password.
    const check = ice.pollTransmit();
    expect(check?.to).toEqual(PEER);
    const sent = StunMessage.decode(check?.data as Uint8Array);
    expect(sent.get(USERNAME)).toBe('peer:locl');
    expect(sent.get(ICE_CONTROLLED)).toBe(100n);
    expect(sent.verifyIntegrity(shortTermKey('peer-password-0123456789'))).toBe(true);
    const success = StunMessage.responseTo(sent, 'success')
      .add(XOR_MAPPED_ADDRESS, LOCAL)
      .encode({ integrity: shortTermKey('peer-password-0123456789'), fingerprint: true });
    // A response signed with another password is dropped (RFC 8489 §9.1.4).
    const forged = StunMessage.responseTo(sent, 'success')
      .add(XOR_MAPPED_ADDRESS, LOCAL)
      .encode({ integrity: shortTermKey('wrong-password-0123456789'), fingerprint: true });
    ice.handleDatagram(forged, LOCAL, PEER, 3);
    expect(ice.selectedPair).toBeUndefined();
    ice.handleDatagram(success, LOCAL, PEER, 4);
    expect(ice.selectedPair?.remote).toEqual(
      expect.objectContaining({ type: 'prflx', port: PEER.port }),
    );
    expect(ice.selectedPair?.local.type).toBe('host');
    expect(ice.state).toBe('connected');
  });

  it('keeps waiting without remote candidates, and fails once told there are none', () => {
    const ice = agent(true);
    ice.setRemoteCredentials('peer', 'peer-password-0123456789');
    ice.handleTimeout(0);
    ice.handleTimeout(60_000);
    expect(ice.state).toBe('new');
    expect(ice.pollTransmit()).toBeUndefined();
    // RFC 8838 §8: end-of-candidates with nothing to check is failure.
    ice.endOfRemoteCandidates();
    expect(ice.state).toBe('failed');
    expect(ice.pollEvent()).toEqual({ type: 'state', state: 'failed' });
    ice.close();
    expect(ice.state).toBe('closed');
  });

  it('rejects credentials shorter than RFC 8445 §5.3 allows, and makes long enough ones', () => {
    expect(() => new IceAgent({ controlling: true, localUfrag: 'abc' })).toThrow(IceError);
    expect(() => new IceAgent({ controlling: true, localPassword: 'short' })).toThrow(IceError);
    expect(() => new IceAgent({ controlling: true, taMs: 1 })).toThrow(IceError);
    const ice = new IceAgent({ controlling: true });
    expect(ice.localUfrag).toMatch(/^[A-Za-z0-9+/]{8}$/);
    expect(ice.localPassword).toMatch(/^[A-Za-z0-9+/]{24}$/);
  });
});
