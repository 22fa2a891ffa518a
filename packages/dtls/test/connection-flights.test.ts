/**
 * How `DtlsConnection` moves its flights over a lossy datagram path: the stateless cookie
 * exchange (RFC 6347 §4.2.1), retransmission with a doubling timer (§4.2.4, §4.2.4.1),
 * duplicates, and fragmentation to the MTU (§4.1.1.1, §4.2.3).
 */

import { getCryptoBackend } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import { type DtlsConnection, handshakeContextOf } from '../src/connection/dtls-connection.js';
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_INITIAL_RETRANSMIT_MS,
} from '../src/connection/options.js';
import { HelloCookies } from '../src/crypto/cookie.js';
import { DtlsTimeoutError } from '../src/errors.js';
import {
  fragmentMessage,
  HandshakeType,
  readHandshakeFragments,
} from '../src/handshake/handshake-header.js';
import {
  type ClientHello,
  encodeClientHello,
  parseClientHello,
  parseHelloVerifyRequest,
} from '../src/handshake/hello.js';
import { CipherSuite, ProtocolVersion } from '../src/handshake/ids.js';
import { ContentType, DTLS_1_0 } from '../src/record/index.js';
import { certificates } from './certificate-fixtures.js';
import { capturing, connectionPair, deliver, drain, type Link } from './connection-pair.js';
import {
  flipBit,
  handshakeFragments,
  handshakeMessage,
  readRecords,
  writeRecords,
} from './record-helpers.js';

const { ecdsa, rsa } = await certificates();

/**
 * One plaintext handshake record holding one whole message, in the DTLS 1.0 record version a
 * first ClientHello may carry (RFC 6347 §4.1).
 */
function handshakeDatagram(
  msgType: number,
  messageSeq: number,
  body: Uint8Array,
  seq = 0,
): Uint8Array {
  const fragment = handshakeMessage(msgType, messageSeq, body);
  return writeRecords([
    { contentType: ContentType.handshake, version: DTLS_1_0, sequenceNumber: seq, fragment },
  ]);
}

/** A ClientHello such as a client that never answers would send: fresh random each time. */
function fakeClientHello(overrides: Partial<ClientHello> = {}): Uint8Array {
  return encodeClientHello({
    clientVersion: ProtocolVersion.dtls1_2,
    random: getCryptoBackend().randomBytes(32),
    sessionId: new Uint8Array(0),
    cookie: new Uint8Array(0),
    cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256],
    compressionMethods: [0],
    extensions: [],
    ...overrides,
  });
}

function isHelloVerifyRequest(datagram: Uint8Array): boolean {
  return handshakeFragments([datagram]).some((f) => f.msgType === HandshakeType.helloVerifyRequest);
}

function isClientHello(datagram: Uint8Array): boolean {
  return handshakeFragments([datagram]).some((f) => f.msgType === HandshakeType.clientHello);
}

/** Fires `connection`'s timer each time it is due, up to `until`: when, and what it sent. */
function fireTimers(connection: DtlsConnection, until: number): { at: number; sent: number }[] {
  const fired: { at: number; sent: number }[] = [];
  for (let at = connection.pollTimeout(); at !== undefined && at <= until; ) {
    connection.handleTimeout(at);
    fired.push({ at, sent: drain(connection).length });
    const next = connection.pollTimeout();
    if (next !== undefined && next <= at) throw new Error(`timer stuck at ${at}`);
    at = next;
  }
  return fired;
}

/** What a server that has kept no state for anyone shows through its public API. */
function expectNoHandshakeState(server: DtlsConnection, startedAt: number): void {
  expect(server.state).toBe('connecting');
  expect(server.pollEvent()).toBeUndefined();
  expect(handshakeContextOf(server).transcript()).toHaveLength(0);
  expect(handshakeContextOf(server).suite).toBeUndefined();
  expect(handshakeContextOf(server).ephemeral).toBeUndefined();
  // No flight to re-send: the only deadline is the handshake's own.
  expect(server.pollTimeout()).toBe(startedAt + DEFAULT_HANDSHAKE_TIMEOUT_MS);
  server.handleTimeout(startedAt + 10_000);
  expect(server.pollTransmit()).toBeUndefined();
}

describe('HelloVerifyRequest (RFC 6347 §4.2.1)', () => {
  it("is the server's first answer; the second ClientHello echoes its cookie", () => {
    const pair = connectionPair(ecdsa, ecdsa);
    pair.client.start(0);
    const [hello] = drain(pair.client);
    pair.server.handleDatagram(hello as Uint8Array, 0);
    const answer = drain(pair.server);
    expect(answer).toHaveLength(1);
    const [request, ...others] = handshakeFragments(answer);
    expect(others).toEqual([]);
    // §4.2.2: it takes the ClientHello's message_seq; §4.2.1: it says DTLS 1.0.
    expect(request).toMatchObject({ msgType: HandshakeType.helloVerifyRequest, messageSeq: 0 });
    const { serverVersion, cookie } = parseHelloVerifyRequest(request?.body as Uint8Array);
    expect(serverVersion).toBe(ProtocolVersion.dtls1_0);
    expect(cookie.length).toBeGreaterThan(0);

    pair.client.handleDatagram(answer[0] as Uint8Array, 0);
    const retry = drain(pair.client);
    const [first] = handshakeFragments([hello as Uint8Array]);
    const [second] = handshakeFragments(retry);
    expect(second?.messageSeq).toBe(1);
    const secondHello = parseClientHello(second?.body as Uint8Array);
    expect(secondHello.cookie).toEqual(cookie);
    expect(secondHello.random).toEqual(parseClientHello(first?.body as Uint8Array).random);

    deliver(pair.server, retry);
    pair.pump();
    expect([pair.client.state, pair.server.state]).toEqual(['connected', 'connected']);
  });

  it("carries the ClientHello's record sequence number, and is not retransmitted", () => {
    const pair = connectionPair(ecdsa, ecdsa);
    pair.client.start(0);
    const [hello] = drain(pair.client);
    for (const seq of [0x12_3456_789a, 7]) {
      const renumbered = readRecords(hello as Uint8Array).map((r) => ({
        ...r,
        sequenceNumber: seq,
      }));
      pair.server.handleDatagram(writeRecords(renumbered), 0);
      const answer = drain(pair.server);
      expect(answer.flatMap(readRecords)).toMatchObject([{ epoch: 0, sequenceNumber: seq }]);
      expect(isHelloVerifyRequest(answer[0] as Uint8Array)).toBe(true);
    }
    expectNoHandshakeState(pair.server, 0);
  });

  it('a ClientHello with a forged or stale cookie gets a new HelloVerifyRequest and no state', () => {
    const cookies = new HelloCookies({ rotationMs: 1000 });
    const pair = connectionPair(ecdsa, ecdsa, {}, { cookies });
    pair.client.start(0);
    pair.server.handleDatagram(drain(pair.client)[0] as Uint8Array, 0);
    pair.client.handleDatagram(drain(pair.server)[0] as Uint8Array, 0);
    const [retry] = drain(pair.client);
    const [fragment] = handshakeFragments([retry as Uint8Array]);
    const hello = parseClientHello(fragment?.body as Uint8Array);

    const forged = handshakeDatagram(
      HandshakeType.clientHello,
      1,
      encodeClientHello({ ...hello, cookie: flipBit(hello.cookie, 0) }),
    );
    pair.server.handleDatagram(forged, 10);
    const answer = drain(pair.server);
    expect(answer).toHaveLength(1);
    expect(isHelloVerifyRequest(answer[0] as Uint8Array)).toBe(true);
    expectNoHandshakeState(pair.server, 0);

    // The genuine cookie, two rotations of the secret later, is stale.
    pair.server.handleDatagram(retry as Uint8Array, 2500);
    const stale = drain(pair.server);
    expect(stale).toHaveLength(1);
    expect(isHelloVerifyRequest(stale[0] as Uint8Array)).toBe(true);
    expectNoHandshakeState(pair.server, 0);

    // The client answers that HelloVerifyRequest with the fresh cookie and gets through.
    pair.client.handleDatagram(stale[0] as Uint8Array, 2500);
    pair.pump(2500);
    expect([pair.client.state, pair.server.state]).toEqual(['connected', 'connected']);
  });

  it('1,000 ClientHellos from a client that never answers leave the server untouched', () => {
    const pair = connectionPair(ecdsa, ecdsa);
    const { server } = pair;
    for (let i = 0; i < 1000; i++) {
      // Every other one carries a made-up cookie.
      const cookie = i % 2 === 0 ? new Uint8Array(0) : getCryptoBackend().randomBytes(20);
      server.handleDatagram(
        handshakeDatagram(HandshakeType.clientHello, 0, fakeClientHello({ cookie }), i),
        i,
      );
      const answer = drain(server);
      expect(answer).toHaveLength(1);
      expect(answer.flatMap(readRecords)).toMatchObject([{ sequenceNumber: i }]);
      expect(isHelloVerifyRequest(answer[0] as Uint8Array)).toBe(true);
    }
    expectNoHandshakeState(server, 0);
    expect(server.stats).toEqual({ droppedRecords: 0, malformedDatagrams: 0 });
    // The real client still gets through.
    pair.handshake(undefined, 1000);
    expect([pair.client.state, server.state]).toEqual(['connected', 'connected']);
  });

  it.each([
    ['a ClientHello that does not parse', Uint8Array.of(0xfe, 0xfd, 1, 2, 3)],
    ['a DTLS 1.0 ClientHello', fakeClientHello({ clientVersion: DTLS_1_0 })],
  ])('%s from a spoofed address does not end the server', (_, body) => {
    const pair = connectionPair(ecdsa, ecdsa);
    pair.server.handleDatagram(handshakeDatagram(HandshakeType.clientHello, 0, body), 0);
    drain(pair.server);
    expect(pair.server.state).toBe('connecting');
    pair.handshake();
    expect([pair.client.state, pair.server.state]).toEqual(['connected', 'connected']);
  });
});

describe('retransmission (RFC 6347 §4.2.4)', () => {
  it(`re-sends after ${DEFAULT_INITIAL_RETRANSMIT_MS} ms, doubling up to 60 s, then times out`, () => {
    const pair = connectionPair(ecdsa, ecdsa, { handshakeTimeoutMs: 600_000 });
    pair.client.start(0);
    expect(drain(pair.client)).toHaveLength(1);
    const fired = fireTimers(pair.client, Number.POSITIVE_INFINITY);
    const retransmissions = fired.filter((f) => f.sent > 0);
    expect(retransmissions.every((f) => f.sent === 1)).toBe(true);
    const gaps = retransmissions.map((f, i) => f.at - (retransmissions[i - 1]?.at ?? 0));
    expect(gaps.slice(0, 9)).toEqual([250, 500, 1000, 2000, 4000, 8000, 16000, 32000, 60000]);
    expect(gaps.slice(9).every((gap) => gap === 60_000)).toBe(true);
    // The last firing is the give-up, which sends nothing.
    expect(fired.at(-1)).toEqual({ at: 600_000, sent: 0 });
    expect(pair.client.state).toBe('failed');
    expect(pair.client.error).toBeInstanceOf(DtlsTimeoutError);
    expect(pair.client.pollEvent()).toEqual({ type: 'failed', error: pair.client.error });
    expect(pair.client.pollTimeout()).toBeUndefined();
  });

  it('starts from initialRetransmitMs', () => {
    const pair = connectionPair(ecdsa, ecdsa, {
      initialRetransmitMs: 7000,
      handshakeTimeoutMs: 200_000,
    });
    pair.client.start(0);
    drain(pair.client);
    const times = fireTimers(pair.client, 200_000).map((f) => f.at);
    expect(times).toEqual([7000, 21_000, 49_000, 105_000, 165_000, 200_000]);
  });

  it('a dead client fails at handshakeTimeoutMs; so does a server whose client went quiet', () => {
    const pair = connectionPair(ecdsa, ecdsa, { handshakeTimeoutMs: 5000 });
    pair.client.start(0);
    expect(fireTimers(pair.client, 10_000).at(-1)).toEqual({ at: 5000, sent: 0 });
    expect(pair.client.error).toBeInstanceOf(DtlsTimeoutError);

    const quiet = connectionPair(ecdsa, ecdsa);
    quiet.client.start(100);
    // The client's last flight never arrives: the server's flight 4 is unanswered.
    quiet.pump(100, (d, from) => (from === 'client' && !isClientHello(d) ? [] : [d]));
    expect(quiet.server.state).toBe('connecting');
    const fired = fireTimers(quiet.server, 100_000);
    expect(fired.at(-1)).toEqual({ at: 100 + DEFAULT_HANDSHAKE_TIMEOUT_MS, sent: 0 });
    expect(fired[0]?.at).toBe(100 + DEFAULT_INITIAL_RETRANSMIT_MS);
    expect(fired[0]?.sent).toBeGreaterThan(0);
    expect(quiet.server.state).toBe('failed');
    expect(quiet.server.error).toBeInstanceOf(DtlsTimeoutError);
  });

  it("completes after the server's flight is lost once: the client re-sends at 250 ms", () => {
    let now = 0;
    const link: Link = (d, from) =>
      from === 'server' && now < DEFAULT_INITIAL_RETRANSMIT_MS && !isHelloVerifyRequest(d)
        ? []
        : [d];
    const pair = connectionPair(ecdsa, ecdsa);
    pair.handshake(link);
    expect(pair.client.state).toBe('connecting');
    expect(pair.client.pollTimeout()).toBe(250);
    pair.client.handleTimeout(249);
    expect(pair.client.pollTransmit()).toBeUndefined();
    now = 250;
    pair.client.handleTimeout(now);
    const resent = drain(pair.client);
    expect(resent).toHaveLength(1);
    expect(isClientHello(resent[0] as Uint8Array)).toBe(true);
    pair.server.handleDatagram(resent[0] as Uint8Array, now);
    pair.pump(now, link);
    expect([pair.client.state, pair.server.state]).toEqual(['connected', 'connected']);
  });

  it("a peer's re-sent flight gets one re-send of ours each time, not a storm", () => {
    const pair = connectionPair(ecdsa, ecdsa);
    const { client, server } = pair;
    client.start(0);
    server.handleDatagram(drain(client)[0] as Uint8Array, 0);
    client.handleDatagram(drain(server)[0] as Uint8Array, 0);
    server.handleDatagram(drain(client)[0] as Uint8Array, 0);
    const flight4 = drain(server);

    // The server's timer re-sends flight 4 (fresh record numbers): one flight 5 for each.
    deliver(client, flight4);
    const flight5 = drain(client);
    expect(flight5.length).toBeGreaterThan(0);
    for (const at of [250, 750]) {
      server.handleTimeout(at);
      deliver(client, drain(server));
      expect(drain(client)).toHaveLength(flight5.length);
    }
    deliver(server, flight5);
    const flight6 = drain(server);
    expect(server.state).toBe('connected');
    // The client's timer re-sends flight 5: the server re-sends its final flight, once each.
    for (let copy = 0; copy < 3; copy++) {
      client.handleTimeout(client.pollTimeout() as number);
      deliver(server, drain(client));
      expect(drain(server)).toHaveLength(flight6.length);
    }
    // The server's Finished, received once and then again, asks nothing more of the client.
    deliver(client, flight6);
    expect(client.state).toBe('connected');
    expect(drain(client)).toHaveLength(0);
    deliver(client, flight6);
    expect(drain(client)).toHaveLength(0);
    // §4.2.4: once FINISHED, only the side that sent the last flight answers re-sends; a
    // flight 4 replayed now (epoch 0: anyone can) is stale.
    deliver(client, flight4);
    expect(drain(client)).toHaveLength(0);
    expect(client.pollTimeout()).toBeUndefined();
    expect(server.pollTimeout()).toBeUndefined();
  });

  it('every datagram delivered twice: the handshake completes and data arrives once', () => {
    const pair = connectionPair(ecdsa, rsa);
    const twice: Link = (d) => [d, d.slice()];
    pair.handshake(twice);
    expect([pair.client.state, pair.server.state]).toEqual(['connected', 'connected']);
    const dropped = pair.server.stats.droppedRecords;
    pair.client.send(Uint8Array.of(1, 2, 3));
    pair.pump(0, twice);
    expect(pair.server.pollApplicationData()).toEqual(Uint8Array.of(1, 2, 3));
    expect(pair.server.pollApplicationData()).toBeUndefined();
    expect(pair.server.stats.droppedRecords).toBe(dropped + 1);
  });
});

describe('fragmentation to the MTU (RFC 6347 §4.1.1.1, §4.2.3)', () => {
  it.each([
    [200, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'],
    [200, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
    [300, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  ])('mtu %i, %s: no datagram is larger, and the handshake completes', (mtu, suite) => {
    const link = capturing();
    const pair = connectionPair(rsa, rsa, { mtu, cipherSuites: [suite] }, { mtu });
    pair.handshake(link);
    expect([pair.client.state, pair.server.state]).toEqual(['connected', 'connected']);
    const sizes = [...link.client, ...link.server].map((d) => d.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(mtu);
    // The RSA certificates (~800 bytes) could only have crossed in pieces.
    const certificateFragments = handshakeFragments(link.server).filter(
      (f) => f.msgType === HandshakeType.certificate,
    );
    expect(certificateFragments.length).toBeGreaterThan(2);
    pair.client.send(new Uint8Array(2000).fill(7));
    pair.pump();
    expect(pair.server.pollApplicationData()).toEqual(new Uint8Array(2000).fill(7));
  });

  it("reassembles the server's flights from fragments delivered last first", () => {
    const pair = connectionPair(rsa, rsa, { mtu: 200 }, { mtu: 200 });
    pair.client.start(0);
    for (let round = 0; round < 5; round++) {
      deliver(pair.server, drain(pair.client));
      deliver(pair.client, drain(pair.server).reverse());
    }
    expect([pair.client.state, pair.server.state]).toEqual(['connected', 'connected']);
  });
});

describe('without the cookie exchange (RFC 6347 §4.2.1, a path proved already)', () => {
  it('the first ClientHello gets the server flight, and the handshake completes', () => {
    const link = capturing();
    const pair = connectionPair(ecdsa, ecdsa, {}, { cookieExchange: false });
    pair.handshake(link);
    expect([pair.client.state, pair.server.state]).toEqual(['connected', 'connected']);
    const fromServer = handshakeFragments(link.server).map((f) => f.msgType);
    expect(fromServer).not.toContain(HandshakeType.helloVerifyRequest);
    expect(fromServer[0]).toBe(HandshakeType.serverHello);
    const hellos = handshakeFragments(link.client).filter(
      (f) => f.msgType === HandshakeType.clientHello,
    );
    expect(hellos.map((f) => f.messageSeq)).toEqual([0]);
    pair.client.send(Uint8Array.of(9));
    pair.pump();
    expect(pair.server.pollApplicationData()).toEqual(Uint8Array.of(9));
  });

  it('by default a server insists on the cookie', () => {
    const link = capturing();
    connectionPair(ecdsa, ecdsa).handshake(link);
    expect(handshakeFragments(link.server)[0]?.msgType).toBe(HandshakeType.helloVerifyRequest);
  });
});

describe('a ClientHello in several records (RFC 6347 §4.2.3)', () => {
  /**
   * Re-sends each plaintext ClientHello of the client as fragments of at most `size` bytes, one
   * record per datagram, optionally last first: Chromium's ClientHello, with a post-quantum key
   * share, is about 1.4 KB and comes in two records.
   */
  function splitClientHellos(size: number, reverse: boolean): Link {
    return (datagram, from) => {
      if (from !== 'client') return [datagram];
      const out: Uint8Array[] = [];
      for (const record of readRecords(datagram)) {
        const fragments =
          record.epoch === 0 && record.contentType === ContentType.handshake
            ? readHandshakeFragments(record.fragment)
            : [];
        const hello = fragments[0];
        if (fragments.length !== 1 || hello?.msgType !== HandshakeType.clientHello) {
          out.push(writeRecords([record]));
          continue;
        }
        const pieces = fragmentMessage(hello.msgType, hello.messageSeq, hello.body, size).map(
          (fragment) => writeRecords([{ ...record, fragment }]),
        );
        out.push(...(reverse ? pieces.reverse() : pieces));
      }
      return out;
    };
  }

  it.each([
    ['in order', false],
    ['last first', true],
  ])('the server reassembles it, %s, through the cookie exchange', (_, reverse) => {
    const split = splitClientHellos(60, reverse);
    const sent: Uint8Array[] = [];
    const pair = connectionPair(ecdsa, ecdsa);
    pair.handshake((datagram, from) => {
      const out = split(datagram, from);
      if (from === 'client') sent.push(...out);
      return out;
    });
    expect([pair.client.state, pair.server.state]).toEqual(['connected', 'connected']);
    const hellos = handshakeFragments(sent).filter((f) => f.msgType === HandshakeType.clientHello);
    // Both ClientHellos (without, then with the cookie) crossed in pieces.
    expect(new Set(hellos.map((f) => f.messageSeq))).toEqual(new Set([0, 1]));
    expect(hellos.every((f) => f.fragmentLength < f.length)).toBe(true);
  });

  it('a ClientHello announcing more than 16 KiB is dropped, and nothing is answered', () => {
    const pair = connectionPair(ecdsa, ecdsa);
    const [first] = fragmentMessage(HandshakeType.clientHello, 0, new Uint8Array(16_385), 100) as [
      Uint8Array,
    ];
    deliver(pair.server, [
      writeRecords([{ contentType: ContentType.handshake, version: DTLS_1_0, fragment: first }]),
    ]);
    expect(drain(pair.server)).toHaveLength(0);
    expect(pair.server.stats.droppedRecords).toBe(1);
  });

  it('a retransmitted fragmented ClientHello gets a HelloVerifyRequest each time', () => {
    const pair = connectionPair(ecdsa, ecdsa);
    const body = fakeClientHello();
    const datagrams = fragmentMessage(HandshakeType.clientHello, 0, body, 40).map((fragment) =>
      writeRecords([{ contentType: ContentType.handshake, version: DTLS_1_0, fragment }]),
    );
    expect(datagrams.length).toBeGreaterThan(1);
    for (let round = 0; round < 2; round++) {
      deliver(pair.server, datagrams.slice(0, -1));
      expect(drain(pair.server)).toHaveLength(0);
      deliver(pair.server, datagrams.slice(-1));
      const [reply] = drain(pair.server);
      expect(handshakeFragments([reply as Uint8Array])[0]?.msgType).toBe(
        HandshakeType.helloVerifyRequest,
      );
    }
  });
});
