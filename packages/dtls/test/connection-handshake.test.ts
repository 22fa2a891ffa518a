/**
 * Whole DTLS 1.2 handshakes between two `DtlsConnection`s in memory: every cipher suite with
 * the certificates it needs, the ECDHE groups, data both ways, the RFC 5705 exporter, use_srtp
 * (RFC 5764 §4.1), the extended master secret (RFC 7627), close_notify (RFC 5246 §7.2.1),
 * fingerprints given late (RFC 8122 §5), and renegotiation refused (RFC 5746 §4.4).
 */

import { cryptoBackends } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import { type DtlsConnection, handshakeContextOf } from '../src/connection/dtls-connection.js';
import { CIPHER_SUITES } from '../src/crypto/cipher-suites.js';
import { SUPPORTED_GROUPS } from '../src/crypto/key-exchange.js';
import { DtlsError, DtlsVerificationError } from '../src/errors.js';
import { findExtension } from '../src/handshake/extensions.js';
import { HandshakeType } from '../src/handshake/handshake-header.js';
import { parseServerHello } from '../src/handshake/hello.js';
import { ExtensionType, NamedGroup, SrtpProtectionProfile } from '../src/handshake/ids.js';
import { parseServerKeyExchange } from '../src/handshake/key-exchange.js';
import { ContentType } from '../src/record/index.js';
import { certificates, fingerprintsOf } from './certificate-fixtures.js';
import {
  capturing,
  connectionPair,
  deliver,
  drain,
  type Pair,
  peerOf,
  type Side,
  sealedBy,
} from './connection-pair.js';
import {
  handshakeFragments,
  handshakeMessage,
  readRecords,
  withBackend,
  writeRecords,
} from './record-helpers.js';

const { ecdsa, rsa } = await certificates();

const EXPORTER = 'EXTRACTOR-dtls_srtp';
const { SRTP_AES128_CM_HMAC_SHA1_80, SRTP_AEAD_AES_128_GCM, SRTP_AEAD_AES_256_GCM } =
  SrtpProtectionProfile;

function expectConnected(pair: Pair): void {
  expect(pair.client.state).toBe('connected');
  expect(pair.server.state).toBe('connected');
  expect(pair.events.client).toEqual([{ type: 'connected' }]);
  expect(pair.events.server).toEqual([{ type: 'connected' }]);
}

/** Sends one message each way and checks it arrives intact, once. */
function expectDataBothWays(pair: Pair, size = 1000): void {
  const toServer = Uint8Array.from({ length: size }, (_, i) => i & 0xff);
  const toClient = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff);
  pair.client.send(toServer);
  pair.server.send(toClient);
  pair.pump();
  expect(pair.server.pollApplicationData()).toEqual(toServer);
  expect(pair.client.pollApplicationData()).toEqual(toClient);
  expect(pair.server.pollApplicationData()).toBeUndefined();
  expect(pair.client.pollApplicationData()).toBeUndefined();
}

/** Runs `pair`'s handshake, which must connect; returns the datagrams each side sent. */
function capturedHandshake(pair: Pair): Record<Side, Uint8Array[]> {
  const link = capturing();
  pair.handshake(link);
  expectConnected(pair);
  return link;
}

/** The body of the first whole plaintext handshake message of `msgType` in `datagrams`. */
function messageBody(datagrams: readonly Uint8Array[], msgType: number): Uint8Array {
  const fragment = handshakeFragments(datagrams).find((f) => f.msgType === msgType);
  if (fragment === undefined) throw new Error(`no handshake message ${msgType} captured`);
  return fragment.body;
}

describe('every cipher suite', () => {
  const rows = cryptoBackends.flatMap((backend) =>
    CIPHER_SUITES.flatMap((suite) =>
      (['ecdsa', 'rsa'] as const).map((client) => ({ backend, suite, client })),
    ),
  );

  it.each(rows)(
    '$suite.name, $suite.authentication server, $client client certificate ($backend.name)',
    ({ backend, suite, client }) => {
      withBackend(backend, () => {
        // RFC 8422 §6: the suite's authentication is the server certificate's key type.
        const serverCertificate = suite.authentication === 'RSA' ? rsa : ecdsa;
        const pair = connectionPair(client === 'rsa' ? rsa : ecdsa, serverCertificate, {
          cipherSuites: [suite.name],
        });
        pair.handshake();
        expectConnected(pair);
        expect(pair.client.cipherSuite).toBe(suite.name);
        expect(pair.server.cipherSuite).toBe(suite.name);
        expect(pair.client.remoteCertificate).toEqual(serverCertificate.der);
        expect(pair.server.remoteCertificate).toEqual((client === 'rsa' ? rsa : ecdsa).der);
        expectDataBothWays(pair);
        const keys = pair.client.exportKeyingMaterial(EXPORTER, 60);
        expect(keys).toHaveLength(60);
        expect(pair.server.exportKeyingMaterial(EXPORTER, 60)).toEqual(keys);
      });
    },
  );

  it('the server picks its most preferred suite its certificate signs for', () => {
    const pair = connectionPair(ecdsa, rsa);
    pair.handshake();
    expectConnected(pair);
    expect(pair.server.cipherSuite).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
  });
});

describe('ECDHE groups (RFC 8422 §5.1.1)', () => {
  it('x25519 by default: the ServerKeyExchange names it', () => {
    const sent = capturedHandshake(connectionPair(ecdsa, ecdsa));
    const exchange = parseServerKeyExchange(
      messageBody(sent.server, HandshakeType.serverKeyExchange),
    );
    expect(exchange.namedCurve).toBe(NamedGroup.x25519);
    expect(exchange.publicKey).toHaveLength(32);
  });

  // The connection has no option to restrict groups: both sides read SUPPORTED_GROUPS, so the
  // test narrows that list for the duration of one handshake.
  it.each([
    ['secp256r1', NamedGroup.secp256r1, 65],
    ['secp384r1', NamedGroup.secp384r1, 97],
  ])('%s when it is the only group either side has', (_, group, pointLength) => {
    const groups = SUPPORTED_GROUPS as number[];
    const saved = [...groups];
    groups.splice(0, groups.length, group);
    try {
      const pair = connectionPair(ecdsa, rsa);
      const sent = capturedHandshake(pair);
      const body = messageBody(sent.server, HandshakeType.serverKeyExchange);
      const exchange = parseServerKeyExchange(body);
      expect(exchange.namedCurve).toBe(group);
      expect(exchange.publicKey).toHaveLength(pointLength);
      expect(messageBody(sent.client, HandshakeType.clientKeyExchange)).toHaveLength(
        1 + pointLength,
      );
      expectDataBothWays(pair);
    } finally {
      groups.splice(0, groups.length, ...saved);
    }
  });
});

describe('exportKeyingMaterial (RFC 5705 §4)', () => {
  it('is equal on both sides and differs from one handshake to the next', () => {
    const first = connectionPair(ecdsa, ecdsa);
    const second = connectionPair(ecdsa, ecdsa);
    first.handshake();
    second.handshake();
    const keys = first.client.exportKeyingMaterial(EXPORTER, 60);
    expect(first.server.exportKeyingMaterial(EXPORTER, 60)).toEqual(keys);
    expect(second.client.exportKeyingMaterial(EXPORTER, 60)).not.toEqual(keys);
    // The label and the context are inputs too.
    expect(first.client.exportKeyingMaterial('EXPERIMENTAL-other', 60)).not.toEqual(keys);
    const context = Uint8Array.of(1, 2, 3);
    expect(first.client.exportKeyingMaterial(EXPORTER, 60, context)).toEqual(
      first.server.exportKeyingMaterial(EXPORTER, 60, context),
    );
  });

  it('throws before the handshake is over', () => {
    const pair = connectionPair(ecdsa, ecdsa);
    expect(() => pair.client.exportKeyingMaterial(EXPORTER, 60)).toThrow(DtlsError);
    pair.client.start(0);
    pair.server.handleDatagram(pair.client.pollTransmit() as Uint8Array, 0);
    expect(pair.client.state).toBe('connecting');
    expect(() => pair.client.exportKeyingMaterial(EXPORTER, 60)).toThrow(/only once connected/);
    expect(() => pair.server.exportKeyingMaterial(EXPORTER, 60)).toThrow(/only once connected/);
  });

  it.each([
    'client finished',
    'server finished',
    'master secret',
    'key expansion',
    'extended master secret',
  ])('refuses the reserved label "%s"', (label) => {
    const pair = connectionPair(ecdsa, ecdsa);
    pair.handshake();
    expect(() => pair.client.exportKeyingMaterial(label, 48)).toThrow(/reserved/);
    expect(() => pair.server.exportKeyingMaterial(label, 48)).toThrow(/reserved/);
  });
});

describe('use_srtp (RFC 5764 §4.1)', () => {
  it('agrees on the first of the client profiles that the server supports', () => {
    const pair = connectionPair(
      ecdsa,
      ecdsa,
      { srtpProfiles: [SRTP_AEAD_AES_256_GCM, SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80] },
      { srtpProfiles: [SRTP_AES128_CM_HMAC_SHA1_80, SRTP_AEAD_AES_128_GCM] },
    );
    expect(pair.client.srtpProfile).toBeUndefined();
    const sent = capturedHandshake(pair);
    expect(pair.client.srtpProfile).toBe(SRTP_AEAD_AES_128_GCM);
    expect(pair.server.srtpProfile).toBe(SRTP_AEAD_AES_128_GCM);
    const hello = parseServerHello(messageBody(sent.server, HandshakeType.serverHello));
    expect(findExtension(hello.extensions, ExtensionType.useSrtp)).toBeDefined();
  });

  it.each([
    ['no profile in common', [SRTP_AEAD_AES_256_GCM], [SRTP_AES128_CM_HMAC_SHA1_80]],
    ['a server without SRTP', [SRTP_AEAD_AES_128_GCM], []],
    ['a client without SRTP', [], [SRTP_AEAD_AES_128_GCM]],
  ])('%s: the handshake completes with no profile', (_, client, server) => {
    const pair = connectionPair(ecdsa, ecdsa, { srtpProfiles: client }, { srtpProfiles: server });
    const sent = capturedHandshake(pair);
    expect(pair.client.srtpProfile).toBeUndefined();
    expect(pair.server.srtpProfile).toBeUndefined();
    const hello = parseServerHello(messageBody(sent.server, HandshakeType.serverHello));
    expect(findExtension(hello.extensions, ExtensionType.useSrtp)).toBeUndefined();
  });
});

describe('extended master secret (RFC 7627)', () => {
  it('is offered by the client and echoed in the ServerHello', () => {
    const pair = connectionPair(ecdsa, ecdsa);
    const sent = capturedHandshake(pair);
    const hello = parseServerHello(messageBody(sent.server, HandshakeType.serverHello));
    expect(findExtension(hello.extensions, ExtensionType.extendedMasterSecret)).toEqual(
      new Uint8Array(0),
    );
    expect(handshakeContextOf(pair.client).extendedMasterSecret).toBe(true);
    expect(handshakeContextOf(pair.server).extendedMasterSecret).toBe(true);
  });
});

describe('close() (RFC 5246 §7.2.1)', () => {
  it('sends close_notify; the peer closes and answers with its own', () => {
    const pair = connectionPair(ecdsa, ecdsa);
    pair.handshake();
    pair.client.close();
    expect(pair.client.state).toBe('closed');
    const [closeNotify, ...rest] = drain(pair.client);
    expect(rest).toEqual([]);
    // The alert itself is encrypted; its record header is not.
    const [record] = readRecords(closeNotify as Uint8Array);
    expect(record).toMatchObject({ contentType: ContentType.alert, epoch: 1 });

    pair.server.handleDatagram(closeNotify as Uint8Array, 0);
    expect(pair.server.state).toBe('closed');
    expect(pair.server.pollEvent()).toEqual({ type: 'closed' });
    const answers = drain(pair.server);
    expect(answers.flatMap(readRecords)).toMatchObject([
      { contentType: ContentType.alert, epoch: 1 },
    ]);
    // The client is closed already: the answer changes nothing.
    pair.client.handleDatagram(answers[0] as Uint8Array, 0);
    expect(pair.client.state).toBe('closed');
    expect(pair.client.pollEvent()).toEqual({ type: 'closed' });
    expect(pair.client.pollEvent()).toBeUndefined();
  });

  it('after close, send and the exporter throw', () => {
    const pair = connectionPair(ecdsa, ecdsa);
    pair.handshake();
    pair.server.close();
    pair.pump();
    for (const side of [pair.client, pair.server]) {
      expect(side.state).toBe('closed');
      expect(() => side.send(Uint8Array.of(1))).toThrow(DtlsError);
      expect(() => side.exportKeyingMaterial(EXPORTER, 60)).toThrow(DtlsError);
    }
    expect(pair.events.client.at(-1)).toEqual({ type: 'closed' });
    expect(pair.events.server.at(-1)).toEqual({ type: 'closed' });
  });
});

describe('fingerprints given after the handshake started (RFC 8122 §5)', () => {
  for (const late of ['client', 'server'] as const) {
    /** A handshake in which `late` has no fingerprints yet: the client is ECDSA, the server RSA. */
    function lateHandshake(): { pair: Pair; waiting: DtlsConnection; other: DtlsConnection } {
      const unset = { remoteFingerprints: undefined };
      const pair =
        late === 'client'
          ? connectionPair(ecdsa, rsa, unset)
          : connectionPair(ecdsa, rsa, {}, unset);
      pair.handshake();
      return { pair, waiting: pair[late], other: pair[peerOf(late)] };
    }

    it(`${late}: connected only once setRemoteFingerprints matches`, () => {
      const { pair, waiting, other } = lateHandshake();
      const peerCertificate = late === 'client' ? rsa : ecdsa;
      // The other side has verified everything; this one waits for the SDP.
      expect(other.state).toBe('connected');
      expect(waiting.state).toBe('connecting');
      expect(pair.events[late]).toEqual([]);
      expect(waiting.remoteCertificate).toBeUndefined();
      expect(() => waiting.exportKeyingMaterial(EXPORTER, 60)).toThrow(DtlsError);
      expect(() => waiting.send(Uint8Array.of(1))).toThrow(DtlsError);

      waiting.setRemoteFingerprints(fingerprintsOf(peerCertificate));
      expect(waiting.state).toBe('connected');
      expect(waiting.pollEvent()).toEqual({ type: 'connected' });
      expect(waiting.remoteCertificate).toEqual(peerCertificate.der);
      expect(waiting.exportKeyingMaterial(EXPORTER, 60)).toEqual(
        other.exportKeyingMaterial(EXPORTER, 60),
      );
      expectDataBothWays(pair);
    });

    it(`${late}: a late fingerprint that does not match fails the check 'fingerprint'`, () => {
      const { pair, waiting, other } = lateHandshake();
      // The fingerprint of some other certificate: ecdsa is the client's, rsa the server's.
      const wrong = late === 'client' ? ecdsa : rsa;
      waiting.setRemoteFingerprints(fingerprintsOf(wrong));
      expect(waiting.state).toBe('failed');
      expect(waiting.error).toBeInstanceOf(DtlsVerificationError);
      expect((waiting.error as DtlsVerificationError).check).toBe('fingerprint');
      expect(() => waiting.exportKeyingMaterial(EXPORTER, 60)).toThrow(DtlsError);
      expect(waiting.remoteCertificate).toBeUndefined();
      // Its fatal alert reaches the peer.
      pair.pump();
      expect(other.state).toBe('failed');
    });
  }

  it('fingerprints set before the certificate arrives are checked when it does', () => {
    const pair = connectionPair(ecdsa, rsa, { remoteFingerprints: undefined });
    pair.client.start(0);
    pair.client.setRemoteFingerprints(fingerprintsOf(rsa));
    pair.pump();
    expectConnected(pair);
  });
});

describe('renegotiation is refused (RFC 5746 §4.4)', () => {
  it('a ClientHello from a second client leaves the connected server undisturbed', () => {
    const pair = connectionPair(ecdsa, ecdsa);
    pair.handshake();
    const intruder = connectionPair(ecdsa, ecdsa).client;
    intruder.start(0);
    deliver(pair.server, drain(intruder));
    // No new handshake: nothing in the clear, no HelloVerifyRequest, no ServerHello.
    const answers = drain(pair.server).flatMap(readRecords);
    expect(answers.filter((r) => r.epoch === 0)).toEqual([]);
    expect(pair.server.state).toBe('connected');
    expect(pair.server.pollEvent()).toBeUndefined();
    expectDataBothWays(pair);
  });

  it('a ClientHello under the keys gets a no_renegotiation warning; in the clear, nothing', () => {
    const pair = connectionPair(ecdsa, ecdsa);
    const sent = capturedHandshake(pair);
    // The client's Finished follows its CertificateVerify; the server expects the one after.
    const verify = handshakeFragments(sent.client).find(
      (f) => f.msgType === HandshakeType.certificateVerify,
    );
    const nextSeq = (verify?.messageSeq as number) + 2;
    const intruder = connectionPair(ecdsa, ecdsa).client;
    intruder.start(0);
    const [hello] = handshakeFragments(drain(intruder));
    const message = handshakeMessage(HandshakeType.clientHello, nextSeq, hello?.body as Uint8Array);
    // In the clear anyone could have sent it: no answer, counted.
    const dropped = pair.server.stats.droppedRecords;
    const plaintext = { contentType: ContentType.handshake, sequenceNumber: 9, fragment: message };
    pair.server.handleDatagram(writeRecords([plaintext]), 0);
    expect(drain(pair.server)).toEqual([]);
    expect(pair.server.stats.droppedRecords).toBe(dropped + 1);
    // Sealed by the client, it is a real renegotiation request: refused with a warning.
    // Sequence number 40: ahead of the client's own records, yet within the replay window of
    // those it sends next (RFC 6347 §4.1.2.6), so the data check below still passes.
    pair.server.handleDatagram(sealedBy(pair, 'client', ContentType.handshake, message, 40), 0);
    const answers = drain(pair.server);
    expect(answers.flatMap(readRecords)).toMatchObject([
      { contentType: ContentType.alert, epoch: 1 },
    ]);
    // A warning: the client reads it and carries on.
    deliver(pair.client, answers);
    expect([pair.client.state, pair.server.state]).toEqual(['connected', 'connected']);
    expect(pair.client.pollEvent()).toBeUndefined();
    expectDataBothWays(pair);
  });
});
