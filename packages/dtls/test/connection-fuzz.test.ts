/**
 * A `DtlsConnection` fed what an attacker or a broken path can send, at every point of a
 * handshake and once connected: mutants (`mutate`, seeded) of the records a real handshake sent,
 * fully random datagrams, handshake messages whose bodies are mutated and re-wrapped in valid
 * records, and a flood of fragments announcing huge or far-future messages. Whatever arrives,
 * `handleDatagram` never throws; the connection ends connected, or `failed` with one of the
 * package's errors after the fatal alert that names it (RFC 5246 §7.2.2); what it queues to send
 * stays bounded; and once connected it drops unauthenticated bytes and stays connected
 * (RFC 6347 §4.1.2.7: a datagram can be forged by anyone).
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fuzzIterations, mutate, SeededRandom } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { AlertDescription, AlertLevel } from '../src/alert.js';
import type { DtlsCertificate } from '../src/certificate/certificate.js';
import type { DtlsConnection } from '../src/connection/dtls-connection.js';
import { InvalidKeyShareError } from '../src/crypto/key-exchange.js';
import {
  DtlsAlert,
  DtlsParseError,
  DtlsTimeoutError,
  DtlsVerificationError,
} from '../src/errors.js';
import {
  HANDSHAKE_HEADER_LENGTH,
  type HandshakeFragment,
  HandshakeType,
} from '../src/handshake/handshake-header.js';
import { ContentType } from '../src/record/index.js';
import { certificates, fingerprintsOf } from './certificate-fixtures.js';
import { connectionPair, type Flow, RecordWire } from './connection-pair.js';
import {
  handshakeFragments,
  handshakeMessage,
  readRecords,
  type WireRecord,
  writeRecords,
} from './record-helpers.js';

/** Records one input may make a connection send: a whole flight re-sent, or an alert. */
const MAX_ANSWER_RECORDS = 32;

/** The errors a connection may fail with: the package's own, each naming its cause. */
function isTyped(error: Error | undefined): boolean {
  return (
    error instanceof DtlsAlert ||
    error instanceof DtlsVerificationError ||
    error instanceof DtlsParseError ||
    error instanceof DtlsTimeoutError ||
    error instanceof InvalidKeyShareError
  );
}

/** The alert a failure sends (RFC 5246 §7.2.2), for a failure of this side's own. */
function expectedAlert(error: Error): number {
  if (error instanceof DtlsAlert) return error.description;
  if (error instanceof DtlsVerificationError) return error.alert;
  if (error instanceof DtlsParseError) return AlertDescription.decodeError;
  if (error instanceof InvalidKeyShareError) return AlertDescription.illegalParameter;
  throw new Error(`no alert for ${error.name}: ${error.message}`);
}

/**
 * A state a connection may be in after fuzzed input, with its error typed if it failed. `closed`
 * too: before the handshake has keys, a close_notify in the clear is as good as a fatal alert.
 */
function expectSound(connection: DtlsConnection, what: string): void {
  expect(['new', 'connecting', 'connected', 'failed', 'closed'], what).toContain(connection.state);
  if (connection.state === 'failed') {
    expect(isTyped(connection.error), `${what}: ${connection.error?.stack}`).toBe(true);
  }
}

const { ecdsa, rsa } = await certificates();
const KINDS = [
  ['ECDSA', ecdsa],
  ['RSA', rsa],
] as const;

/** The one record of a datagram the `RecordWire` carries. */
function recordOf(datagram: Uint8Array): WireRecord {
  const [record, ...rest] = readRecords(datagram);
  if (record === undefined || rest.length > 0) throw new Error('not a datagram of one record');
  return record;
}

/** A lossless handshake, recorded: every record in the order delivered, and who got it. */
function referenceHandshake(cert: DtlsCertificate): Flow[] {
  const flows: Flow[] = [];
  const wire = new RecordWire(connectionPair(cert, cert));
  wire.runTo((flow) => {
    flows.push(flow);
    return false;
  });
  expect(wire.pair.client.state).toBe('connected');
  expect(wire.pair.server.state).toBe('connected');
  return flows;
}

/** Bytes no peer sent: raw noise, records with random bodies, or random handshake headers. */
function randomDatagram(random: SeededRandom): Uint8Array {
  const kind = random.int(0, 2);
  if (kind === 0) return random.bytes(random.int(0, 120));
  const epoch = random.int(0, 2);
  const seq = random.int(0, 1000);
  if (kind === 1) {
    const contentType = random.int(19, 24);
    const fragment = random.bytes(random.int(0, 80));
    return writeRecords([{ contentType, fragment, epoch, sequenceNumber: seq }]);
  }
  const body = random.bytes(random.int(0, 64));
  const fragment = handshakeMessage(random.int(0, 21), random.int(0, 20), body);
  return writeRecords([
    { contentType: ContentType.handshake, fragment, epoch, sequenceNumber: seq },
  ]);
}

/** Both sides connected: a record each way arrives as sent. */
function expectDataFlows(wire: RecordWire, label: string): void {
  for (const [from, to] of [
    ['client', 'server'],
    ['server', 'client'],
  ] as const) {
    const data = Uint8Array.of(label.length, 1, 2, 3);
    wire.connection(from).send(data);
    wire.settle();
    expect(wire.connection(to).pollApplicationData(), `${label}: ${from} to ${to}`).toEqual(data);
  }
}

describe('fuzz: mutated and random datagrams at every stage of the handshake', () => {
  it.each(KINDS)(
    '%s: never a throw, a hang or an untyped failure; bounded answers',
    (kind, cert) => {
      const reference = referenceHandshake(cert);
      const captured = reference.map((flow) => flow.record);
      const random = new SeededRandom(kind === 'ECDSA' ? 11 : 12);
      const iterations = fuzzIterations(2000, 50_000);
      const outcomes = { connected: 0, failed: 0, inputs: 0 };
      for (let trial = 0; outcomes.inputs < iterations; trial++) {
        // The stage: how many records of the real handshake arrive before the mutants.
        const stage = trial % reference.length;
        const wire = new RecordWire(connectionPair(cert, cert));
        let delivered = 0;
        const next = wire.runTo(() => delivered++ === stage) as Flow;
        const target = wire.connection(next.to);
        const label = `${kind} trial ${trial}, ${next.to} at stage ${stage}`;
        for (let burst = random.int(1, 6); burst > 0; burst--) {
          const roll = random.next();
          const input =
            roll < 0.6
              ? mutate(next.record, random)
              : roll < 0.85
                ? mutate(captured[random.int(0, captured.length - 1)] as Uint8Array, random)
                : randomDatagram(random);
          outcomes.inputs++;
          const answer = wire.deliver(next.to, input);
          expect(answer.length, label).toBeLessThanOrEqual(MAX_ANSWER_RECORDS);
          expectSound(target, label);
        }
        wire.deliver(next.to, next.record);
        expect(wire.settle(), `${label}: settles`).toBe(true);
        expectSound(wire.pair.client, `${label}: client`);
        expectSound(wire.pair.server, `${label}: server`);
        if (wire.pair.client.state === 'connected' && wire.pair.server.state === 'connected') {
          outcomes.connected++;
          expectDataFlows(wire, label);
        } else {
          outcomes.failed++;
        }
      }
      // Not vacuous: some mutants break the handshake, and many leave it intact.
      expect(outcomes.failed).toBeGreaterThan(0);
      expect(outcomes.connected).toBeGreaterThan(0);
    },
    120_000,
  );
});

/** A connected pair, and what its handshake and a record of data each way put on the wire. */
function connected(cert: DtlsCertificate): { wire: RecordWire; captured: Uint8Array[] } {
  const wire = new RecordWire(connectionPair(cert, cert));
  const captured: Uint8Array[] = [];
  const record = (flow: Flow): boolean => {
    captured.push(flow.record);
    return false;
  };
  wire.runTo(record);
  wire.pair.client.send(Uint8Array.of(1, 2, 3));
  wire.pair.server.send(Uint8Array.of(4, 5, 6));
  wire.runTo(record);
  expect(wire.pair.client.pollApplicationData()).toEqual(Uint8Array.of(4, 5, 6));
  expect(wire.pair.server.pollApplicationData()).toEqual(Uint8Array.of(1, 2, 3));
  for (const side of ['client', 'server'] as const) {
    expect(wire.connection(side).pollEvent()).toEqual({ type: 'connected' });
  }
  return { wire, captured };
}

/** A pair whose client expects another certificate than the server's. */
function wrongFingerprintWire(): RecordWire {
  return new RecordWire(connectionPair(ecdsa, ecdsa, { remoteFingerprints: fingerprintsOf(rsa) }));
}

/** The fatal alert (in the clear) a client sends when the server's certificate is unexpected. */
function capturedFatalAlert(): Uint8Array {
  const wire = wrongFingerprintWire();
  const alert = wire.runTo((flow) => recordOf(flow.record).contentType === ContentType.alert);
  expect((wire.pair.client.error as DtlsVerificationError).check).toBe('fingerprint');
  const datagram = (alert as Flow).record;
  expect(recordOf(datagram).epoch).toBe(0);
  return datagram;
}

describe('a connected connection', () => {
  it('fuzz: stays connected whatever unauthenticated bytes arrive, and answers boundedly', () => {
    const { wire, captured } = connected(ecdsa);
    const seeds = [...captured, capturedFatalAlert()];
    const random = new SeededRandom(21);
    for (let i = 0; i < fuzzIterations(); i++) {
      const to = random.chance(0.5) ? 'client' : 'server';
      const input = random.chance(0.85)
        ? mutate(seeds[random.int(0, seeds.length - 1)] as Uint8Array, random)
        : randomDatagram(random);
      const answer = wire.deliver(to, input);
      wire.queue.length = 0;
      expect(answer.length, `input ${i}`).toBeLessThanOrEqual(MAX_ANSWER_RECORDS);
      expect(
        wire.connection(to).state,
        `input ${i} to the ${to}: ${wire.connection(to).error}`,
      ).toBe('connected');
      expect(wire.connection(to).pollApplicationData(), `input ${i}: no forged data`).toBe(
        undefined,
      );
      if (i % 250 === 0) expectDataFlows(wire, `after input ${i}`);
    }
    expectDataFlows(wire, 'at the end');
    expect(wire.pair.client.stats.droppedRecords).toBeGreaterThan(0);
    expect(wire.pair.server.stats.droppedRecords).toBeGreaterThan(0);
  });

  // RFC 6347 §4.1.2.7: once the peer has changed cipher spec its alerts come in epoch 1, so a
  // plaintext one is a forgery, which anyone who can guess the ports can send.
  it.each([
    ['a fatal alert', AlertLevel.fatal, AlertDescription.handshakeFailure],
    ['close_notify', AlertLevel.warning, AlertDescription.closeNotify],
  ])('drops a plaintext (epoch 0) %s', (_name, level, description) => {
    const { wire } = connected(ecdsa);
    for (const side of ['client', 'server'] as const) {
      const connection = wire.connection(side);
      const dropped = connection.stats.droppedRecords;
      const alert = Uint8Array.of(level, description);
      wire.deliver(
        side,
        writeRecords([{ contentType: ContentType.alert, sequenceNumber: 9, fragment: alert }]),
      );
      expect(connection.state).toBe('connected');
      expect(connection.pollEvent()).toBe(undefined);
      expect(connection.stats.droppedRecords).toBe(dropped + 1);
    }
    expectDataFlows(wire, 'after the forged alerts');
  });

  it('but during the handshake a plaintext fatal alert still ends it: the peer has no keys yet', () => {
    const wire = wrongFingerprintWire();
    expect(wire.settle()).toBe(true);
    expect(wire.pair.client.error).toBeInstanceOf(DtlsVerificationError);
    const error = wire.pair.server.error as DtlsAlert;
    expect(error).toBeInstanceOf(DtlsAlert);
    expect(error.sent).toBe(false);
    expect(error.description).toBe(AlertDescription.badCertificate);
  });

  it('keeps at most 1024 datagrams queued for a caller that stops polling', () => {
    const { wire } = connected(ecdsa);
    // Forged plaintext handshake messages get no answer once connected (not even a
    // no_renegotiation warning: that goes only to a request under the keys).
    for (let seq = 0; seq < 5000; seq++) {
      const fragment = handshakeMessage(HandshakeType.clientHello, seq, new Uint8Array(8));
      wire.pair.server.handleDatagram(
        writeRecords([{ contentType: ContentType.handshake, fragment }]),
        0,
      );
    }
    expect(wire.pair.server.pollTransmit()).toBeUndefined();
    // A caller that sends and never polls: the queue stops at 1024 datagrams.
    for (let i = 0; i < 5000; i++) wire.pair.server.send(Uint8Array.of(i & 0xff));
    let queued = 0;
    while (wire.pair.server.pollTransmit() !== undefined) queued++;
    expect(queued).toBe(1024);
    expect(wire.pair.server.state).toBe('connected');
  });
});

/** Each plaintext handshake message, by who receives it; `nth` tells two ClientHellos apart. */
const MESSAGES = [
  ['server', 'ClientHello (first, without cookie)', HandshakeType.clientHello, 0],
  ['client', 'HelloVerifyRequest', HandshakeType.helloVerifyRequest, 0],
  ['server', 'ClientHello (with cookie)', HandshakeType.clientHello, 1],
  ['client', 'ServerHello', HandshakeType.serverHello, 0],
  ['client', 'Certificate', HandshakeType.certificate, 0],
  ['client', 'ServerKeyExchange', HandshakeType.serverKeyExchange, 0],
  ['client', 'CertificateRequest', HandshakeType.certificateRequest, 0],
  ['client', 'ServerHelloDone', HandshakeType.serverHelloDone, 0],
  ['server', 'Certificate', HandshakeType.certificate, 0],
  ['server', 'ClientKeyExchange', HandshakeType.clientKeyExchange, 0],
  ['server', 'CertificateVerify', HandshakeType.certificateVerify, 0],
] as const;

describe.each(KINDS)('fuzz: %s handshake messages with mutated bodies', (kind, cert) => {
  it.each(MESSAGES)(
    'to the %s: %s',
    (receiver, _name, msgType, nth) => {
      const random = new SeededRandom(msgType * 100 + nth + (kind === 'RSA' ? 7 : 0));
      const outcomes = { proceeded: 0, failed: 0 };
      for (let i = 0; i < fuzzIterations(60, 6000); i++) {
        const wire = new RecordWire(connectionPair(cert, cert));
        let seen = 0;
        const flow = wire.runTo(
          (f) =>
            f.to === receiver &&
            handshakeFragments([f.record])[0]?.msgType === msgType &&
            seen++ === nth,
        ) as Flow;
        const real = handshakeFragments([flow.record])[0] as HandshakeFragment;
        expect(real.fragmentLength).toBe(real.length);
        const body = mutate(real.body, random);
        const fragment = handshakeMessage(msgType, real.messageSeq, body);
        const { sequenceNumber } = recordOf(flow.record);
        const record = writeRecords([
          { contentType: ContentType.handshake, fragment, sequenceNumber },
        ]);
        const label = `${kind} mutant ${i}: body ${Buffer.from(body).toString('hex')}`;
        const target = wire.connection(receiver);
        const answer = wire.deliver(receiver, record);
        expect(answer.length, label).toBeLessThanOrEqual(MAX_ANSWER_RECORDS);
        if (target.state === 'failed') {
          outcomes.failed++;
          const error = target.error as Error;
          expect(isTyped(error), `${label}: ${error.stack}`).toBe(true);
          // The fatal alert naming the failure, in the clear (no keys yet): RFC 5246 §7.2.2.
          const alerts = answer.map(recordOf).filter((r) => r.contentType === ContentType.alert);
          expect(alerts.length, label).toBe(1);
          const alert = alerts[0] as WireRecord;
          expect(alert.epoch, label).toBe(0);
          expect(Array.from(alert.fragment), label).toEqual([
            AlertLevel.fatal,
            expectedAlert(error),
          ]);
        } else {
          outcomes.proceeded++;
          expectSound(target, label);
        }
        // Either way the handshake runs out: connected, or both sides failed with typed errors.
        expect(wire.settle(), `${label}: settles`).toBe(true);
        expectSound(wire.pair.client, `${label}: client`);
        expectSound(wire.pair.server, `${label}: server`);
      }
      // A mutated ClientHello no longer matches its cookie and may just get a
      // HelloVerifyRequest (RFC 6347 §4.2.1); of every other message, some mutants are refused.
      if (msgType !== HandshakeType.clientHello) expect(outcomes.failed).toBeGreaterThan(0);
    },
    120_000,
  );
});

/** Bytes in use, JS heap and ArrayBuffers, after a full collection (`--expose-gc` at run time). */
function bytesInUse(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/**
 * Hands a connecting client `count` handshake fragments of 64 bytes announcing messages of 60 KB
 * to 16 MB, a share `near` of them within the reassembler's 16-message window and the rest far
 * past it. Returns how many datagrams the client sent in answer.
 */
function flood(client: DtlsConnection, count: number, random: SeededRandom, near: number): number {
  let answers = 0;
  for (let i = 0; i < count; i++) {
    const messageSeq = random.chance(near) ? random.int(0, 16) : random.int(17, 0xffff);
    const length = random.chance(0.5) ? random.int(60_000, 65_536) : random.int(65_537, 0xff_ffff);
    const fragment = new Uint8Array(HANDSHAKE_HEADER_LENGTH + 64);
    const header = new DataView(fragment.buffer);
    header.setUint32(0, (HandshakeType.certificate << 24) | length);
    header.setUint16(4, messageSeq);
    header.setUint32(6, random.int(0, 60_000 - 64) << 8); // fragment_offset, then
    header.setUint16(10, 64); // fragment_length (its top byte is the one written above)
    fragment.set(random.bytes(64), HANDSHAKE_HEADER_LENGTH);
    client.handleDatagram(
      writeRecords([{ contentType: ContentType.handshake, fragment, sequenceNumber: i }]),
      i,
    );
    while (client.pollTransmit() !== undefined) answers++;
  }
  return answers;
}

// Nothing outside the connection shows what its reassembler holds, so memory is measured the
// loose way: heap and ArrayBuffers across the flood. The budget (256 KiB, at most 16 messages
// ahead, none over 64 KiB; its exact accounting is reassembler.test.ts's) keeps the growth to
// a few hundred KB, within the collector's noise; were the limits not applied, 10,000 fragments
// announcing 60 KB or more each would hold hundreds of megabytes.
it('a flood of fragments announcing huge or far-future messages leaves memory bounded', () => {
  const { client } = connectionPair(ecdsa, ecdsa);
  client.start(0);
  while (client.pollTransmit() !== undefined);
  const before = bytesInUse();
  const answers = flood(client, 10_000, new SeededRandom(31), 0.5);
  const grown = bytesInUse() - before;
  expect(answers).toBe(0);
  expect(client.state).toBe('connecting');
  expect(grown).toBeLessThan(4 * 1024 * 1024);
});

it('fragments the reassembler refuses leave the handshake as it was', () => {
  const wire = new RecordWire(connectionPair(ecdsa, ecdsa));
  const hello = wire.runTo(() => true) as Flow;
  // Only far-future message_seq values: the messages the server is about to send keep their slots.
  expect(flood(wire.pair.client, 2000, new SeededRandom(32), 0)).toBe(0);
  wire.deliver(hello.to, hello.record);
  expect(wire.settle()).toBe(true);
  expect(wire.pair.client.state).toBe('connected');
  expect(wire.pair.server.state).toBe('connected');
});
