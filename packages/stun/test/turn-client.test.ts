import { fuzzIterations, fuzzParser } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import {
  ERROR_CODE,
  LIFETIME,
  NONCE,
  PASSWORD_ALGORITHM,
  PASSWORD_ALGORITHMS,
  REALM,
  REQUESTED_ADDRESS_FAMILY,
  REQUESTED_TRANSPORT,
  SOFTWARE,
  USERNAME,
  XOR_MAPPED_ADDRESS,
} from '../src/attributes.js';
import { PasswordAlgorithm, StunMethod } from '../src/constants.js';
import { StunErrorResponse, StunTimeoutError } from '../src/errors.js';
import { StunMessage } from '../src/message.js';
import { StunIntegrityError, TurnStateError } from '../src/turn/turn-errors.js';
import {
  allocated,
  channelData,
  dataIndication,
  drainEvents,
  exchange,
  FakeTurnServer,
  MAPPED,
  newClient,
  PEER,
  RELAYED,
  runUntil,
  USER,
} from './turn-test-server.js';

/**
 * The same response signed under another key: a MESSAGE-INTEGRITY that does not verify, under
 * a FINGERPRINT that does (so only the integrity check can catch it).
 */
function forgeIntegrity(bytes: Uint8Array): Uint8Array {
  const genuine = StunMessage.decode(bytes);
  const forged = new StunMessage(genuine.messageClass, genuine.method, genuine.transactionId);
  for (const { type, value } of genuine.attributes) forged.addRaw(type, value);
  return forged.encode({ integrity: new Uint8Array(16).fill(7), fingerprint: true });
}

/** Flips a bit of the FINGERPRINT (the last 4 bytes). */
function corruptFingerprint(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy[copy.length - 1] = (copy[copy.length - 1] as number) ^ 0x80;
  return copy;
}

describe('TurnClient allocation (RFC 8656 §7)', () => {
  it('answers the 401 challenge and reports the relayed and mapped addresses', () => {
    const server = new FakeTurnServer();
    const client = newClient({ software: 'typertc-test' });
    expect(client.state).toBe('new');
    client.start(0);
    expect(client.state).toBe('allocating');
    exchange(client, server, 0);

    const [first, second] = server.messages(StunMethod.Allocate);
    // The first Allocate carries no credentials (RFC 8656 §7.1, RFC 8489 §9.2.3.1).
    expect(first?.has(USERNAME)).toBe(false);
    expect(first?.integrityAt).toBe(-1);
    expect(first?.get(REQUESTED_TRANSPORT)).toBe(17);
    expect(first?.get(LIFETIME)).toBe(600);
    expect(first?.has(REQUESTED_ADDRESS_FAMILY)).toBe(false);
    expect(first?.fingerprint).toBe('valid');
    // The retry, in a new transaction, is signed with the long-term key.
    expect(second?.transactionId).not.toEqual(first?.transactionId);
    expect(second?.get(USERNAME)).toBe(USER);
    expect(second?.get(REALM)).toBe('example.org');
    expect(second?.get(NONCE)).toBe('nonce-1');
    expect(second?.get(SOFTWARE)).toBe('typertc-test');
    expect(second?.verifyIntegrity(server.key())).toBe(true);
    expect(second?.fingerprint).toBe('valid');

    expect(client.state).toBe('allocated');
    expect(client.relayedAddress).toEqual(RELAYED);
    expect(client.mappedAddress).toEqual(MAPPED);
    expect(drainEvents(client)).toEqual([
      { type: 'allocated', relayed: RELAYED, mapped: MAPPED, lifetime: 600 },
    ]);
  });

  it('asks for the address family and lifetime it was given', () => {
    const server = new FakeTurnServer();
    const client = newClient({ requestedFamily: 'IPv6', lifetime: 1200 });
    client.start(0);
    exchange(client, server, 0);
    const [request] = server.messages(StunMethod.Allocate);
    expect(request?.get(REQUESTED_ADDRESS_FAMILY)).toBe('IPv6');
    expect(request?.get(LIFETIME)).toBe(1200);
  });

  it('uses SHA-256 when PASSWORD-ALGORITHMS offers it, echoing the list (RFC 8489 §9.2.5)', () => {
    const server = new FakeTurnServer();
    server.algorithms = [
      { algorithm: PasswordAlgorithm.Md5, parameters: new Uint8Array(0) },
      { algorithm: PasswordAlgorithm.Sha256, parameters: new Uint8Array(0) },
    ];
    const { client } = allocated(server);
    const signed = server.messages(StunMethod.Allocate)[1] as StunMessage;
    expect(signed.get(PASSWORD_ALGORITHMS)).toEqual(server.algorithms);
    expect(signed.get(PASSWORD_ALGORITHM)?.algorithm).toBe(PasswordAlgorithm.Sha256);
    // MESSAGE-INTEGRITY-SHA256 only, under the SHA-256 key.
    expect(signed.integrityAt).toBe(-1);
    expect(signed.verifySha256Integrity(server.key(signed))).toBe(true);
    // Later requests are signed the same way, and their responses verified with it.
    client.refresh(1000);
    exchange(client, server, 1000);
    expect(drainEvents(client)).toEqual([{ type: 'refreshed', lifetime: 600 }]);
    const refresh = server.messages(StunMethod.Refresh)[0] as StunMessage;
    expect(refresh.verifySha256Integrity(server.key(refresh))).toBe(true);
  });

  it('uses MD5 when that is all PASSWORD-ALGORITHMS offers', () => {
    const server = new FakeTurnServer();
    server.algorithms = [{ algorithm: PasswordAlgorithm.Md5, parameters: new Uint8Array(0) }];
    allocated(server);
    const signed = server.messages(StunMethod.Allocate)[1] as StunMessage;
    expect(signed.get(PASSWORD_ALGORITHM)?.algorithm).toBe(PasswordAlgorithm.Md5);
    expect(signed.verifySha256Integrity(server.key(signed))).toBe(true);
  });

  it('refuses a challenge whose nonce announces password algorithms it does not carry', () => {
    // "obMatJos2" then base64 of the 24 security feature bits: AAAB sets the lowest bit, the
    // "Password algorithms" feature as verified erratum 6290 numbers it.
    const server = new FakeTurnServer();
    server.nonce = 'obMatJos2AAABnonce';
    const client = newClient();
    client.start(0);
    exchange(client, server, 0);
    expect(server.messages(StunMethod.Allocate)).toHaveLength(1);
    const [event] = drainEvents(client);
    expect(event?.type).toBe('failed');
    expect(event?.type === 'failed' && event.error).toBeInstanceOf(StunErrorResponse);
    expect(client.state).toBe('failed');
  });

  it('fails with a 401 StunErrorResponse on a wrong password, after one signed attempt', () => {
    const server = new FakeTurnServer('another password');
    const client = newClient();
    client.start(0);
    exchange(client, server, 0);
    expect(server.messages(StunMethod.Allocate)).toHaveLength(2);
    const events = drainEvents(client);
    expect(events).toHaveLength(1);
    const event = events[0];
    if (event?.type !== 'failed') throw new Error(`expected failed, got ${event?.type}`);
    expect(event.error).toBeInstanceOf(StunErrorResponse);
    expect((event.error as StunErrorResponse).errorCode).toBe(401);
    expect(client.state).toBe('failed');
    expect(client.pollTimeout()).toBeUndefined();
    expect(() => client.sendTo(new Uint8Array(1), PEER, 0)).toThrow(TurnStateError);
  });

  it.each([
    [300, 'Try Alternate'],
    [403, 'Forbidden'],
    [437, 'Allocation Mismatch'],
    [441, 'Wrong Credentials'],
    [486, 'Allocation Quota Reached'],
    [508, 'Insufficient Capacity'],
  ])('fails the allocation on %i %s', (code, reason) => {
    const server = new FakeTurnServer();
    server.override = (request, self) =>
      request.integrityAt >= 0 ? self.error(request, code, reason) : self.answer(request);
    const client = newClient();
    client.start(0);
    exchange(client, server, 0);
    const [event] = drainEvents(client);
    if (event?.type !== 'failed') throw new Error(`expected failed, got ${event?.type}`);
    expect(event.error).toBeInstanceOf(StunErrorResponse);
    expect((event.error as StunErrorResponse).errorCode).toBe(code);
    expect((event.error as StunErrorResponse).reason).toBe(reason);
    expect(server.messages(StunMethod.Allocate)).toHaveLength(2);
  });

  it('drops an Allocate success lacking XOR-RELAYED-ADDRESS and keeps waiting', () => {
    const server = new FakeTurnServer();
    server.override = (request, self) => {
      if (request.integrityAt < 0) return self.answer(request);
      const response = new StunMessage('success', request.method, request.transactionId)
        .add(XOR_MAPPED_ADDRESS, MAPPED)
        .add(LIFETIME, 600);
      return self.sign(request, response);
    };
    const client = newClient();
    client.start(0);
    exchange(client, server, 0);
    expect(client.counters.droppedParse).toBe(1);
    expect(client.state).toBe('allocating');
    server.override = undefined;
    runUntil(client, server, 600);
    expect(client.state).toBe('allocated');
  });
});

describe('TurnClient nonces and re-authentication (RFC 8489 §9.2.5)', () => {
  it('retries a request answered 438 Stale Nonce with the new nonce', () => {
    const { client, server } = allocated();
    server.nonce = 'nonce-2';
    client.refresh(1000);
    exchange(client, server, 1000);
    const refreshes = server.messages(StunMethod.Refresh);
    expect(refreshes.map((r) => r.get(NONCE))).toEqual(['nonce-1', 'nonce-2']);
    expect(drainEvents(client)).toEqual([{ type: 'refreshed', lifetime: 600 }]);
    // Later requests use the new nonce directly.
    client.createPermission(PEER, 2000);
    exchange(client, server, 2000);
    expect(server.messages(StunMethod.CreatePermission).map((r) => r.get(NONCE))).toEqual([
      'nonce-2',
    ]);
  });

  it('gives up after repeated 438s instead of looping', () => {
    const { client, server } = allocated();
    let count = 0;
    server.override = (request, self) => {
      self.nonce = `nonce-stale-${++count}`;
      return self.challenge(request, 438);
    };
    client.refresh(1000);
    exchange(client, server, 1000);
    expect(server.messages(StunMethod.Refresh)).toHaveLength(4);
    const [event] = drainEvents(client);
    if (event?.type !== 'failed') throw new Error(`expected failed, got ${event?.type}`);
    expect((event.error as StunErrorResponse).errorCode).toBe(438);
  });

  it('retries once when a later request gets a 401 with a new nonce, and fails on a second', () => {
    const { client, server } = allocated();
    // A server that forgot its nonces answers 401 with a fresh one: retried once.
    server.override = (request, self) => {
      self.nonce = request.get(NONCE) === 'nonce-1' ? 'nonce-2' : 'nonce-1';
      return self.challenge(request, 401);
    };
    client.refresh(1000);
    exchange(client, server, 1000);
    expect(server.messages(StunMethod.Refresh).map((r) => r.get(NONCE))).toEqual([
      'nonce-1',
      'nonce-2',
    ]);
    const [event] = drainEvents(client);
    if (event?.type !== 'failed') throw new Error(`expected failed, got ${event?.type}`);
    expect((event.error as StunErrorResponse).errorCode).toBe(401);
  });

  it('succeeds when the re-authenticated retry is accepted', () => {
    const { client, server } = allocated();
    server.override = (request, self) => {
      self.nonce = 'nonce-2';
      self.override = undefined;
      return self.challenge(request, 401);
    };
    client.refresh(1000);
    exchange(client, server, 1000);
    expect(drainEvents(client)).toEqual([{ type: 'refreshed', lifetime: 600 }]);
  });
});

describe('TurnClient response verification', () => {
  it('drops a response with a bad MESSAGE-INTEGRITY, keeps retransmitting, takes the good one', () => {
    const server = new FakeTurnServer();
    let tampered = 0;
    server.override = (request, self) => {
      const answer = self.answer(request);
      if (request.integrityAt < 0 || tampered > 0) return answer;
      tampered++;
      return forgeIntegrity(answer);
    };
    const client = newClient();
    client.start(0);
    exchange(client, server, 0);
    expect(client.counters.droppedIntegrity).toBe(1);
    expect(client.state).toBe('allocating');
    expect(drainEvents(client)).toEqual([]);
    // The retransmission at RTO (500 ms) is answered properly.
    runUntil(client, server, 500);
    const signed = server.messages(StunMethod.Allocate).slice(1);
    expect(signed).toHaveLength(2);
    expect(signed[1]?.transactionId).toEqual(signed[0]?.transactionId);
    expect(client.state).toBe('allocated');
  });

  it('drops a response with a bad FINGERPRINT and keeps waiting', () => {
    const server = new FakeTurnServer();
    let tampered = false;
    server.override = (request, self) => {
      const answer = self.answer(request);
      if (request.integrityAt < 0 || tampered) return answer;
      tampered = true;
      return corruptFingerprint(answer);
    };
    const client = newClient();
    client.start(0);
    exchange(client, server, 0);
    expect(client.counters.droppedFingerprint).toBe(1);
    expect(client.state).toBe('allocating');
    runUntil(client, server, 500);
    expect(client.state).toBe('allocated');
  });

  it('drops an unsigned error response to a signed request', () => {
    const server = new FakeTurnServer();
    server.override = (request, self) => {
      if (request.integrityAt < 0) return self.answer(request);
      return new StunMessage('error', request.method, request.transactionId)
        .add(ERROR_CODE, { code: 400, reason: 'Bad Request' })
        .encode();
    };
    const client = newClient();
    client.start(0);
    exchange(client, server, 0);
    expect(client.counters.droppedIntegrity).toBe(1);
    expect(client.state).toBe('allocating');
  });

  it('reports an integrity violation, not a plain timeout, when every response was forged', () => {
    const server = new FakeTurnServer();
    server.override = (request, self) => {
      const answer = self.answer(request);
      return request.integrityAt < 0 ? answer : forgeIntegrity(answer);
    };
    const client = newClient();
    client.start(0);
    exchange(client, server, 0);
    runUntil(client, server, 60_000);
    expect(client.counters.droppedIntegrity).toBe(7);
    const [event] = drainEvents(client);
    if (event?.type !== 'failed') throw new Error(`expected failed, got ${event?.type}`);
    expect(event.error).toBeInstanceOf(StunIntegrityError);
    expect(event.error).toBeInstanceOf(StunTimeoutError);
    expect(event.error.code).toBe('STUN_INTEGRITY');
  });

  it('drops responses to no outstanding request', () => {
    const { client, server } = allocated();
    const stray = server.success(server.messages(StunMethod.Allocate)[1] as StunMessage);
    client.handleMessage(stray, 10);
    expect(client.counters.droppedUnmatched).toBe(1);
    expect(drainEvents(client)).toEqual([]);
  });
});

describe('TurnClient transactions', () => {
  it('retransmits an unanswered Allocate over UDP, then fails with StunTimeoutError', () => {
    const server = new FakeTurnServer();
    server.override = () => undefined;
    const client = newClient();
    client.start(0);
    exchange(client, server, 0);
    runUntil(client, server, 100_000);
    expect(server.times(StunMethod.Allocate)).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    const [event] = drainEvents(client);
    if (event?.type !== 'failed') throw new Error(`expected failed, got ${event?.type}`);
    expect(event.error).toBeInstanceOf(StunTimeoutError);
    expect(event.error).not.toBeInstanceOf(StunIntegrityError);
    expect((event.error as StunTimeoutError).elapsedMs).toBe(39_500);
    expect(client.state).toBe('failed');
  });

  it('sends once over TCP and fails after Ti (RFC 8489 §6.2.2)', () => {
    const server = new FakeTurnServer();
    server.override = () => undefined;
    const client = newClient({ transport: 'tcp' });
    client.start(0);
    exchange(client, server, 0);
    runUntil(client, server, 100_000);
    expect(server.times(StunMethod.Allocate)).toEqual([0]);
    const [event] = drainEvents(client);
    expect(event?.type === 'failed' && event.error).toBeInstanceOf(StunTimeoutError);
  });

  it('follows the RTO it is given', () => {
    const server = new FakeTurnServer();
    server.override = () => undefined;
    const client = newClient({ rto: 100 });
    client.start(0);
    exchange(client, server, 0);
    runUntil(client, server, 1000);
    expect(server.times(StunMethod.Allocate)).toEqual([0, 100, 300, 700]);
  });

  it('rejects bad options and calls out of order', () => {
    expect(() => newClient({ lifetime: 0 })).toThrow();
    expect(() => newClient({ maxQueuedPerPeer: -1 })).toThrow();
    const client = newClient();
    expect(() => client.refresh(0)).toThrow(TurnStateError);
    client.start(0);
    expect(() => client.start(0)).toThrow(TurnStateError);
    expect(() => client.bindChannel(PEER, 0)).toThrow(TurnStateError);
  });
});

describe('TurnClient input handling', () => {
  it('drops what is not STUN or ChannelData, and input before start', () => {
    const idle = newClient();
    idle.handleMessage(new Uint8Array(20), 0);
    expect(idle.counters.droppedUnmatched).toBe(1);
    const { client } = allocated();
    client.handleMessage(new Uint8Array(0), 0);
    client.handleMessage(Uint8Array.of(0x80, 1, 2, 3), 0);
    client.handleMessage(Uint8Array.of(0x00, 1, 0, 0), 0);
    client.handleMessage(Uint8Array.of(0x40, 0x00, 0x00, 0x08, 1), 0);
    expect(client.counters.droppedParse).toBe(4);
  });

  it('fuzz: handleMessage never throws', () => {
    const { client, server } = allocated();
    client.createPermission(PEER, 0);
    client.bindChannel(PEER, 0);
    exchange(client, server, 0);
    drainEvents(client);
    client.refresh(0);
    const refresh = client.pollTransmit() as Uint8Array;
    const request = StunMessage.decode(refresh);
    const seeds = [
      server.success(request),
      server.error(request, 437),
      server.challenge(request, 438),
      dataIndication(PEER, Uint8Array.of(1, 2, 3, 4, 5)),
      channelData(0x4000, Uint8Array.of(9, 8, 7)),
      channelData(0x4000, Uint8Array.of(9, 8, 7), true),
    ];
    class NeverThrown extends Error {}
    const stats = fuzzParser({
      seeds,
      parse: (bytes) => {
        client.handleMessage(bytes, 1);
        drainEvents(client);
      },
      expectedError: NeverThrown,
      iterations: fuzzIterations(3000),
    });
    expect(stats.rejected).toBe(0);
    const { counters } = client;
    expect(
      counters.droppedParse + counters.droppedFingerprint + counters.droppedData,
    ).toBeGreaterThan(0);
  });

  it('fuzz: answers to the unauthenticated Allocate never make handleMessage throw', () => {
    // The first Allocate is unsigned, so its answers are read without an integrity check: the
    // deepest path for forged input (challenge parsing, key derivation, the signed retry). Each
    // mutant goes to a fresh client, with the transaction id set to that client's request.
    const server = new FakeTurnServer();
    server.algorithms = [
      { algorithm: PasswordAlgorithm.Sha256, parameters: Uint8Array.of(1, 2) },
      { algorithm: PasswordAlgorithm.Md5, parameters: new Uint8Array(0) },
    ];
    const probe = newClient();
    probe.start(0);
    const request = StunMessage.decode(probe.pollTransmit() as Uint8Array);
    const seeds = [
      server.challenge(request, 401),
      server.challenge(request, 438),
      server.success(request),
      server.error(request, 300, 'Try Alternate'),
    ];
    const outcomes = new Set<string>();
    class NeverThrown extends Error {}
    fuzzParser({
      seeds,
      parse: (bytes) => {
        const client = newClient();
        client.start(0);
        const pending = StunMessage.decode(client.pollTransmit() as Uint8Array);
        const input = bytes.slice();
        if (input.length >= 20) input.set(pending.transactionId, 8);
        client.handleMessage(input, 1);
        exchange(client, new FakeTurnServer(), 2);
        outcomes.add(client.state);
      },
      expectedError: NeverThrown,
      iterations: fuzzIterations(3000),
    });
    // The run reached every kind of outcome, not only drops.
    expect([...outcomes].sort()).toEqual(['allocated', 'allocating', 'failed']);
  });
});
