/**
 * What a connected `DtlsConnection` does with records that are not what its peer sealed: bit
 * flips, replays, other epochs, its own records reflected back, and alerts. Anyone can forge a
 * datagram, so whatever does not authenticate is dropped and counted, never fatal (RFC 6347
 * §4.1.2.7); an alert counts only under the peer's keys once they are in use.
 */

import { describe, expect, it } from 'vitest';
import { AlertDescription, AlertLevel } from '../src/alert.js';
import { DtlsAlert, DtlsError } from '../src/errors.js';
import { ContentType } from '../src/record/index.js';
import { certificates } from './certificate-fixtures.js';
import { connectionPair, drain, type Pair, sealedBy } from './connection-pair.js';
import { flipBit, readRecords, type WireRecord, writeRecords } from './record-helpers.js';

const { ecdsa } = await certificates();

function connected(): Pair {
  const pair = connectionPair(ecdsa, ecdsa);
  pair.handshake();
  expect([pair.client.state, pair.server.state]).toEqual(['connected', 'connected']);
  return pair;
}

/** One application data record from the client, as it left. */
function clientRecord(pair: Pair, data = Uint8Array.of(1, 2, 3)): WireRecord {
  pair.client.send(data);
  const [datagram, ...rest] = drain(pair.client);
  expect(rest).toEqual([]);
  const [record] = readRecords(datagram as Uint8Array);
  return record as WireRecord;
}

/** The server dropped `count` more records and is still connected with nothing to deliver. */
function expectDropped(pair: Pair, before: number, count = 1): void {
  expect(pair.server.stats.droppedRecords).toBe(before + count);
  expect(pair.server.pollApplicationData()).toBeUndefined();
  expect(pair.server.state).toBe('connected');
  expect(pair.server.pollEvent()).toBeUndefined();
  expect(pair.server.pollTransmit()).toBeUndefined();
}

describe('application data records that do not authenticate', () => {
  it.each([
    ['the header (sequence number)', 6],
    ['the ciphertext', 13 + 10],
    ['the tag', -1],
  ])('a bit flipped in %s: dropped and counted; the record itself still arrives', (_, at) => {
    const pair = connected();
    const record = clientRecord(pair);
    const datagram = writeRecords([record]);
    const forged = flipBit(datagram, at);
    const dropped = pair.server.stats.droppedRecords;
    pair.server.handleDatagram(forged, 0);
    expectDropped(pair, dropped);
    // The forgery did not move the replay window: the real record is still accepted.
    pair.server.handleDatagram(datagram, 0);
    expect(pair.server.pollApplicationData()).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('a replayed record: dropped and counted, every time', () => {
    const pair = connected();
    const datagram = writeRecords([clientRecord(pair)]);
    pair.server.handleDatagram(datagram, 0);
    expect(pair.server.pollApplicationData()).toEqual(Uint8Array.of(1, 2, 3));
    const dropped = pair.server.stats.droppedRecords;
    pair.server.handleDatagram(datagram, 0);
    pair.server.handleDatagram(datagram, 0);
    expectDropped(pair, dropped, 2);
  });

  it.each([2, 0xffff])('a record claiming epoch %i: dropped and counted', (epoch) => {
    const pair = connected();
    const record = clientRecord(pair);
    const dropped = pair.server.stats.droppedRecords;
    pair.server.handleDatagram(writeRecords([{ ...record, epoch }]), 0);
    expectDropped(pair, dropped);
  });

  it('application data in the clear (epoch 0): dropped and counted', () => {
    const pair = connected();
    const dropped = pair.server.stats.droppedRecords;
    const plaintext = writeRecords([
      {
        contentType: ContentType.applicationData,
        sequenceNumber: 100,
        fragment: Uint8Array.of(1, 2, 3),
      },
    ]);
    pair.server.handleDatagram(plaintext, 0);
    expectDropped(pair, dropped);
  });

  it("a connection's own record reflected back to it: dropped (each direction has its keys)", () => {
    const pair = connected();
    const datagram = writeRecords([clientRecord(pair)]);
    const dropped = pair.client.stats.droppedRecords;
    pair.client.handleDatagram(datagram, 0);
    expect(pair.client.stats.droppedRecords).toBe(dropped + 1);
    expect(pair.client.pollApplicationData()).toBeUndefined();
    expect(pair.client.state).toBe('connected');
  });

  it('an authentic record of an unknown content type: dropped and counted', () => {
    const pair = connected();
    const dropped = pair.server.stats.droppedRecords;
    pair.server.handleDatagram(sealedBy(pair, 'client', 99, Uint8Array.of(1), 1000), 0);
    expectDropped(pair, dropped);
  });

  it('bytes that are not a record: the datagram is counted as malformed', () => {
    const pair = connected();
    pair.server.handleDatagram(Uint8Array.of(23, 0xfe, 0xfd, 0, 1), 0);
    expect(pair.server.stats.malformedDatagrams).toBe(1);
    expect(pair.server.state).toBe('connected');
  });

  it('data after a dropped record still flows both ways', () => {
    const pair = connected();
    pair.server.handleDatagram(Uint8Array.of(1, 2, 3), 0);
    pair.client.send(Uint8Array.of(4));
    pair.server.send(Uint8Array.of(5));
    pair.pump();
    expect(pair.server.pollApplicationData()).toEqual(Uint8Array.of(4));
    expect(pair.client.pollApplicationData()).toEqual(Uint8Array.of(5));
  });
});

describe('owned datagrams', () => {
  const suites = [
    'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
    'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  ] as const;

  it.each(suites)(
    '%s: a datagram handed over is opened in place; one lent is left alone',
    (suite) => {
      const pair = connectionPair(ecdsa, ecdsa, { cipherSuites: [suite] });
      pair.handshake();
      const message = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);

      pair.client.send(message);
      const [lent] = drain(pair.client) as [Uint8Array];
      const lentCopy = lent.slice();
      pair.server.handleDatagram(lent, 0);
      const fromLent = pair.server.pollApplicationData() as Uint8Array;
      expect(fromLent).toEqual(message);
      expect(lent).toEqual(lentCopy);
      expect(fromLent.buffer).not.toBe(lent.buffer);

      pair.client.send(message);
      const [owned] = drain(pair.client) as [Uint8Array];
      const ownedCopy = owned.slice();
      pair.server.handleDatagram(owned, 0, true);
      const fromOwned = pair.server.pollApplicationData() as Uint8Array;
      expect(fromOwned).toEqual(message);
      // AEAD suites decrypt where the ciphertext was; CBC copies out of its workspace. Either
      // way the plaintext is not the bytes that were on the wire.
      expect(owned).not.toEqual(ownedCopy);
      if (suite !== 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA')
        expect(fromOwned.buffer).toBe(owned.buffer);
    },
  );

  it('a forged record in an owned datagram is dropped and the real one still opens', () => {
    const pair = connected();
    const datagram = writeRecords([clientRecord(pair)]);
    const forged = flipBit(datagram, -1);
    const dropped = pair.server.stats.droppedRecords;
    pair.server.handleDatagram(forged, 0, true);
    expectDropped(pair, dropped);
    pair.server.handleDatagram(datagram, 0, true);
    expect(pair.server.pollApplicationData()).toEqual(Uint8Array.of(1, 2, 3));
  });
});

describe('alerts (RFC 5246 §7.2)', () => {
  it('a fatal alert from the peer: failed with DtlsAlert, sent false, and no answer', () => {
    const pair = connected();
    const alert = Uint8Array.of(AlertLevel.fatal, AlertDescription.internalError);
    pair.server.handleDatagram(sealedBy(pair, 'client', ContentType.alert, alert, 1000), 0);
    expect(pair.server.state).toBe('failed');
    expect(pair.server.error).toBeInstanceOf(DtlsAlert);
    expect(pair.server.error).toMatchObject({
      description: AlertDescription.internalError,
      sent: false,
    });
    expect(pair.server.pollEvent()).toEqual({ type: 'failed', error: pair.server.error });
    expect(pair.server.pollTransmit()).toBeUndefined();
    expect(() => pair.server.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60)).toThrow(DtlsError);
    expect(() => pair.server.send(Uint8Array.of(1))).toThrow(DtlsError);
  });

  it('a warning alert from the peer changes nothing', () => {
    const pair = connected();
    const warning = Uint8Array.of(AlertLevel.warning, AlertDescription.noRenegotiation);
    pair.server.handleDatagram(sealedBy(pair, 'client', ContentType.alert, warning, 1000), 0);
    expect(pair.server.state).toBe('connected');
    expect(pair.server.pollEvent()).toBeUndefined();
    expect(pair.server.pollTransmit()).toBeUndefined();
  });

  it.each([
    ['a fatal alert', AlertLevel.fatal, AlertDescription.handshakeFailure],
    ['close_notify', AlertLevel.warning, AlertDescription.closeNotify],
  ])('%s in the clear (epoch 0) once connected is forged: dropped', (_, level, description) => {
    const pair = connected();
    const dropped = pair.server.stats.droppedRecords;
    const forged = writeRecords([
      {
        contentType: ContentType.alert,
        sequenceNumber: 50,
        fragment: Uint8Array.of(level, description),
      },
    ]);
    pair.server.handleDatagram(forged, 0);
    expectDropped(pair, dropped);
    pair.client.send(Uint8Array.of(9));
    pair.pump();
    expect(pair.server.pollApplicationData()).toEqual(Uint8Array.of(9));
  });
});
