/**
 * `DtlsTransport` over the in-memory network, on a `ManualClock`: handshakes through loss,
 * reordering and duplication (RFC 6347 §4.2.4 retransmission, §4.1.2.6 replay detection), a
 * path MTU that forces fragmented flights (§4.1.1.1, §4.2.3), a peer that never answers
 * (§4.2.4.1's doubling timer, then the handshake timeout), and close_notify (RFC 5246 §7.2.1).
 */

import { ManualClock, type SocketAddress } from '@typertc/common';
import { type LinkConditions, VirtualNetwork } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_INITIAL_RETRANSMIT_MS,
} from '../src/connection/options.js';
import { DtlsTimeoutError } from '../src/errors.js';
import { HandshakeType } from '../src/handshake/handshake-header.js';
import { DtlsTransport } from '../src/node/dtls-transport.js';
import { ContentType } from '../src/record/index.js';
import { certificates, fingerprintsOf } from './certificate-fixtures.js';
import {
  dtlsOverNetwork,
  handshakeSettled,
  type NetworkPair,
  runUntil,
  type SideOptions,
} from './network-harness.js';
import { handshakeFragments, readRecords } from './record-helpers.js';

const { ecdsa, rsa } = await certificates();

/** Datagrams the network handed to the socket at `to`, with the time they arrived. */
function arrivals(pair: NetworkPair, to: SocketAddress): { time: number; data: Uint8Array }[] {
  const seen: { time: number; data: Uint8Array }[] = [];
  pair.network.on('deliver', ({ time, to: where, data }) => {
    if (where.port === to.port && where.address === to.address) seen.push({ time, data });
  });
  return seen;
}

// Only the client host's link is impaired, in both directions; the server's is clean, so each
// direction of the path loses 30% of its packets, and reorders and duplicates 10%.
const LOSSY: LinkConditions = {
  loss: 0.3,
  delayMs: 20,
  jitterMs: 10,
  reorder: 0.1,
  duplicate: 0.1,
};

/**
 * The bound: the handshake must complete before the connection gives up on it, at the default
 * handshake timeout of 30 s. Each flight is re-sent on a timer starting at 250 ms and doubling
 * (sends at 0, 0.25, 0.75, 1.75, 3.75, 7.75 and 15.75 s; the 8th would be at 31.75 s), so within
 * the bound each of the handshake's three exchanges (ClientHello / HelloVerifyRequest, ClientHello
 * / server flight, client flight / server Finished) has seven tries, plus the re-sends its peer's
 * retransmissions trigger. At 30% loss each way a try of an exchange succeeds about a third of
 * the time (more as fragments of earlier tries are kept); these seeds take 0.4 s to 16.2 s.
 */
const HANDSHAKE_BOUND_MS = DEFAULT_HANDSHAKE_TIMEOUT_MS;
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

/** A data record: who sent it, its index, and bytes that depend on both, to spot corruption. */
function payload(sender: number, index: number): Uint8Array {
  const bytes = new Uint8Array(64);
  bytes[0] = sender;
  bytes[1] = index >>> 8;
  bytes[2] = index & 0xff;
  for (let i = 3; i < bytes.length; i++) bytes[i] = (index * 7 + i * 13 + sender) & 0xff;
  return bytes;
}

const DATA_RECORDS = 200;

describe.each([
  ['ECDSA', ecdsa],
  ['RSA', rsa],
] as const)('%s certificates, 30% loss both ways', (_, cert) => {
  it.each(SEEDS)('seed %i: connects within 30 s; data arrives intact, at most once', (seed) => {
    const pair = dtlsOverNetwork({
      seed,
      clientCertificate: cert,
      serverCertificate: cert,
      clientLink: LOSSY,
    });
    expect(runUntil(pair.clock, () => handshakeSettled(pair), HANDSHAKE_BOUND_MS)).toBe(true);
    expect(pair.client.state).toBe('connected');
    expect(pair.server.state).toBe('connected');
    expect(pair.log.client.errors).toEqual([]);
    expect(pair.log.server.errors).toEqual([]);
    expect(pair.network.stats.dropped.loss, 'the handshake met losses').toBeGreaterThan(0);
    pair.clock.runUntilIdle(); // what is still in flight (a re-sent flight) arrives

    // Data both ways, one record per side every 2 ms, so the link's 30 ms reordering stays
    // within the 64-record replay window.
    const sides = [
      { sender: pair.client, receiver: pair.server, log: pair.log.server, id: 1 },
      { sender: pair.server, receiver: pair.client, log: pair.log.client, id: 2 },
    ];
    const delivered = sides.map(({ receiver }) => {
      const seen = arrivals(pair, receiver.localAddress);
      return { seen, droppedBefore: receiver.connection.stats.droppedRecords };
    });
    for (let index = 0; index < DATA_RECORDS; index++) {
      for (const { sender, id } of sides) sender.send(payload(id, index));
      pair.clock.advance(2);
    }
    pair.clock.runUntilIdle();

    let duplicatesDropped = 0;
    for (const [i, { receiver, log, id }] of sides.entries()) {
      const indexes = log.received.map((data) => ((data[1] as number) << 8) | (data[2] as number));
      for (const [n, data] of log.received.entries()) {
        expect(data, `record ${n} arrives intact`).toEqual(payload(id, indexes[n] as number));
      }
      expect(new Set(indexes).size, 'no record delivered twice').toBe(indexes.length);
      // DTLS is unreliable: with 30% loss, some never arrive.
      expect(indexes.length).toBeGreaterThan(DATA_RECORDS * 0.5);
      expect(indexes.length).toBeLessThan(DATA_RECORDS);
      // Every copy that arrived but was not delivered is a duplicate the replay window dropped.
      const { seen, droppedBefore } = delivered[i] as (typeof delivered)[number];
      const dataCopies = seen.filter(({ data }) => data[0] === ContentType.applicationData);
      const dropped = receiver.connection.stats.droppedRecords - droppedBefore;
      expect(dropped).toBe(dataCopies.length - indexes.length);
      duplicatesDropped += dropped;
    }
    expect(duplicatesDropped, 'the link duplicated some records').toBeGreaterThan(0);
  });
});

describe('a 600-byte path MTU', () => {
  const PATH: LinkConditions = { mtu: 600, delayMs: 10 };
  /** RSA certificates both ways, each host's link the 600-byte path, `options` on both sides. */
  const overPath = (options: SideOptions): NetworkPair =>
    dtlsOverNetwork({
      seed: 1,
      clientCertificate: rsa,
      serverCertificate: rsa,
      clientLink: PATH,
      serverLink: PATH,
      client: options,
      server: options,
    });

  it('with mtu 576 on both sides, RSA flights go fragmented and the handshake completes', () => {
    const pair = overPath({ mtu: 576 });
    const toClient = arrivals(pair, pair.clientSocket.localAddress);
    const toServer = arrivals(pair, pair.serverSocket.localAddress);
    expect(runUntil(pair.clock, () => handshakeSettled(pair), 5000)).toBe(true);
    expect(pair.client.state).toBe('connected');
    expect(pair.server.state).toBe('connected');
    expect(pair.network.stats.dropped.mtu).toBe(0);
    const datagrams = [...toClient, ...toServer].map(({ data }) => data);
    expect(Math.max(...datagrams.map((d) => d.length))).toBeLessThanOrEqual(576);
    // RFC 6347 §4.2.3: each RSA Certificate (~800 bytes) travels in more than one fragment.
    const certificateFragments = (arrived: typeof toClient): number =>
      handshakeFragments(arrived.map(({ data }) => data)).filter(
        (f) => f.msgType === HandshakeType.certificate,
      ).length;
    expect(certificateFragments(toClient)).toBeGreaterThan(1);
    expect(certificateFragments(toServer)).toBeGreaterThan(1);
  });

  it('with the default mtu (1200) the flights are lost to it and the handshake times out', () => {
    const pair = overPath({ handshakeTimeoutMs: 5000 });
    expect(runUntil(pair.clock, () => handshakeSettled(pair), 6000)).toBe(true);
    expect(pair.client.state).toBe('failed');
    expect(pair.client.connection.error).toBeInstanceOf(DtlsTimeoutError);
    expect(pair.network.stats.dropped.mtu).toBeGreaterThan(0);
  });
});

describe('a peer that never answers', () => {
  /** The retransmission schedule (RFC 6347 §4.2.4.1): 250 ms, doubling. */
  function schedule(timeoutMs: number): number[] {
    const sends: number[] = [];
    for (let at = 0, wait = DEFAULT_INITIAL_RETRANSMIT_MS; at < timeoutMs; wait *= 2) {
      sends.push(at);
      at += wait;
    }
    return sends;
  }

  it.each([
    [DEFAULT_HANDSHAKE_TIMEOUT_MS, [0, 250, 750, 1750, 3750, 7750, 15_750]],
    [10_000, [0, 250, 750, 1750, 3750, 7750]],
  ])(
    'handshakeTimeoutMs %i: ClientHellos at %j ms, then DtlsTimeoutError',
    async (timeoutMs, sends) => {
      expect(schedule(timeoutMs)).toEqual(sends);
      const clock = new ManualClock();
      const network = new VirtualNetwork(clock, { seed: 1 });
      const silent = network.addHost({ name: 'silent', addresses: ['203.0.113.30'] }).bind();
      const heard: { time: number; data: Uint8Array }[] = [];
      silent.on('datagram', (data) => heard.push({ time: clock.now(), data }));
      const client = DtlsTransport.create({
        transport: network.addHost({ name: 'client', addresses: ['198.51.100.30'] }).bind(),
        remoteAddress: silent.localAddress,
        role: 'client',
        certificate: ecdsa,
        remoteFingerprints: fingerprintsOf(ecdsa),
        scheduler: clock,
        handshakeTimeoutMs: timeoutMs,
      });
      let failedAt: number | undefined;
      client.on('state', (state) => {
        if (state === 'failed') failedAt = clock.now();
      });
      const outcome = client.connected().then(
        () => 'connected',
        (error: unknown) => error,
      );

      expect(runUntil(clock, () => client.state === 'failed', timeoutMs + 1000)).toBe(true);
      expect(failedAt).toBe(timeoutMs);
      expect(client.connection.error).toBeInstanceOf(DtlsTimeoutError);
      expect(heard.map(({ time }) => time)).toEqual(sends);
      for (const [n, { data }] of heard.entries()) {
        // The same ClientHello (message_seq 0) each time, in a record with a fresh sequence number.
        expect(handshakeFragments([data])[0]).toMatchObject({
          msgType: HandshakeType.clientHello,
          messageSeq: 0,
        });
        expect(readRecords(data)[0]?.sequenceNumber).toBe(n);
      }
      runUntil(clock, () => false, 60_000, 1000);
      expect(heard.length, 'nothing more once failed').toBe(sends.length);
      expect(await outcome).toBeInstanceOf(DtlsTimeoutError);
    },
  );
});

describe('closing', () => {
  it.each(['client', 'server', 'both'] as const)(
    '%s closing: close_notify reaches the peer and both end closed',
    (closer) => {
      const pair = dtlsOverNetwork({
        seed: 3,
        clientCertificate: ecdsa,
        serverCertificate: ecdsa,
        clientLink: { delayMs: 15 },
      });
      expect(runUntil(pair.clock, () => handshakeSettled(pair), 1000)).toBe(true);
      expect(pair.client.state).toBe('connected');
      const alerts = { toClient: 0, toServer: 0 };
      pair.network.on('deliver', ({ to, data }) => {
        const [record] = readRecords(data);
        if (record?.contentType !== ContentType.alert) return;
        expect(record.epoch, 'under the connection keys').toBe(1);
        if (to.port === pair.clientSocket.localAddress.port) alerts.toClient++;
        else alerts.toServer++;
      });

      if (closer !== 'server') pair.client.close();
      if (closer !== 'client') pair.server.close();
      pair.clock.runUntilIdle();

      for (const side of ['client', 'server'] as const) {
        expect(pair[side].state, side).toBe('closed');
        expect(pair[side].closed, `${side} transport`).toBe(true);
        expect(pair.log[side].errors, side).toEqual([]);
        expect(pair.log[side].states, side).toEqual(['connected', 'closed']);
      }
      // One close_notify each way: the closer's, and the peer's answer (RFC 5246 §7.2.1), or
      // both sides' own when both close at once.
      expect(alerts).toEqual({ toClient: 1, toServer: 1 });
    },
  );
});
