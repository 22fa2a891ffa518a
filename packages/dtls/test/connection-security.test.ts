/**
 * Every authentication check of the handshake, each made to fail by tampering with the
 * datagrams in flight: the connection that notices must end `failed` with the error naming the
 * check (`DtlsVerificationError.check`) or the alert (`DtlsAlert`), send that fatal alert
 * (RFC 5246 §7.2.2; the peer receives it), and release no keys.
 */

import { fromHex, toHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import { AlertDescription } from '../src/alert.js';
import { handshakeContextOf } from '../src/connection/dtls-connection.js';
import { DtlsAlert, type DtlsCheck, DtlsError, DtlsVerificationError } from '../src/errors.js';
import {
  encodeCertificate,
  encodeCertificateVerify,
  parseCertificateVerify,
} from '../src/handshake/certificate-messages.js';
import {
  type Extension,
  encodeSupportedGroups,
  encodeUseSrtp,
} from '../src/handshake/extensions.js';
import { HandshakeType, readHandshakeFragments } from '../src/handshake/handshake-header.js';
import {
  type ClientHello,
  encodeClientHello,
  encodeServerHello,
  parseClientHello,
  parseServerHello,
  type ServerHello,
} from '../src/handshake/hello.js';
import {
  CipherSuite,
  ExtensionType,
  NamedGroup,
  ProtocolVersion,
  SrtpProtectionProfile,
} from '../src/handshake/ids.js';
import { parseServerKeyExchange } from '../src/handshake/key-exchange.js';
import { ContentType } from '../src/record/index.js';
import { certificates, fingerprintsOf } from './certificate-fixtures.js';
import {
  capturing,
  connectionPair,
  type Link,
  type Pair,
  peerOf,
  rewriteHandshake,
  type Side,
} from './connection-pair.js';
import {
  flipBit,
  handshakeFragments,
  handshakeMessage,
  readRecords,
  writeRecords,
} from './record-helpers.js';

const { ecdsa, rsa } = await certificates();

/**
 * `side` failed with `error` and sent the fatal alert `description`, which the peer received
 * and failed with; neither released keys.
 */
function expectFailedWithAlert(pair: Pair, side: Side, description: number): void {
  const failing = pair[side];
  const peer = pair[peerOf(side)];
  expect(failing.state).toBe('failed');
  expect(pair.events[side]).toEqual([{ type: 'failed', error: failing.error }]);
  expect(peer.state).toBe('failed');
  expect(peer.error).toBeInstanceOf(DtlsAlert);
  expect(peer.error).toMatchObject({ description, sent: false });
  for (const connection of [failing, peer]) {
    expect(() => connection.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60)).toThrow(DtlsError);
    expect(() => connection.send(Uint8Array.of(1))).toThrow(DtlsError);
    expect(connection.srtpProfile).toBeUndefined();
  }
}

/** `side` failed the named check, and said so to the peer with the check's alert. */
function expectCheckFailed(pair: Pair, side: Side, check: DtlsCheck): void {
  const error = pair[side].error;
  expect(error).toBeInstanceOf(DtlsVerificationError);
  expect((error as DtlsVerificationError).check).toBe(check);
  expectFailedWithAlert(pair, side, (error as DtlsVerificationError).alert);
}

/** `side` refused what the peer sent with the fatal alert `description`. */
function expectAlertSent(pair: Pair, side: Side, description: number): void {
  expect(pair[side].error).toBeInstanceOf(DtlsAlert);
  expect(pair[side].error).toMatchObject({ description, sent: true });
  expectFailedWithAlert(pair, side, description);
}

function withServerHello(edit: (hello: ServerHello) => Partial<ServerHello>): Link {
  return rewriteHandshake('server', HandshakeType.serverHello, (body) => {
    const hello = parseServerHello(body);
    return encodeServerHello({ ...hello, ...edit(hello) });
  });
}

function withClientHello(edit: (hello: ClientHello) => Partial<ClientHello>): Link {
  return rewriteHandshake('client', HandshakeType.clientHello, (body) => {
    const hello = parseClientHello(body);
    return encodeClientHello({ ...hello, ...edit(hello) });
  });
}

/** The order of P-256 (SEC 2 §2.4.2): (r, n - s) verifies wherever (r, s) does. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** A DER integer's bytes (ITU-T X.690 §8.3): minimal, with a 0 byte before a set top bit. */
function derInteger(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  const bytes = fromHex(hex);
  return Uint8Array.of(0x02, bytes.length, ...bytes);
}

/**
 * The other valid ECDSA signature of the same message: ECDSA-Sig-Value (RFC 3279 §2.2.3)
 * `SEQUENCE { r INTEGER, s INTEGER }` with s replaced by n - s. P-256 lengths are short-form.
 */
function malleateEcdsaSignature(der: Uint8Array): Uint8Array {
  const rEnd = 4 + (der[3] as number);
  const r = der.subarray(2, rEnd);
  const s = BigInt(`0x${toHex(der.subarray(rEnd + 2, rEnd + 2 + (der[rEnd + 1] as number)))}`);
  const flipped = derInteger(P256_ORDER - s);
  return Uint8Array.of(0x30, r.length + flipped.length, ...r, ...flipped);
}

/**
 * A link that opens `from`'s encrypted Finished with the keys `from` derived, flips a bit
 * of its verify_data and seals it again under the same record number: what a peer with the
 * right keys and a different transcript would send.
 */
function tamperFinished(from: Side, pair: Pair): Link {
  return (datagram, side) => {
    if (side !== from) return [datagram];
    const records = readRecords(datagram).map((record) => {
      if (record.epoch !== 1 || record.contentType !== ContentType.handshake) return record;
      const cipher = handshakeContextOf(pair[from]).recordCiphers(from).write;
      const { contentType, version, epoch, sequenceNumber } = record;
      const plaintext = cipher.open(contentType, version, epoch, sequenceNumber, record.fragment);
      const [finished] = readHandshakeFragments(plaintext);
      if (finished?.msgType !== HandshakeType.finished) throw new Error('not a Finished');
      const body = flipBit(finished.body, -1);
      const message = handshakeMessage(HandshakeType.finished, finished.messageSeq, body);
      const fragment = cipher.seal(contentType, version, epoch, sequenceNumber, message);
      return { ...record, fragment };
    });
    return [writeRecords(records)];
  };
}

describe('certificate fingerprint (RFC 8122 §5)', () => {
  it.each(['client', 'server'] as const)(
    '%s: a peer certificate matching no fingerprint',
    (side) => {
      const wrong = { remoteFingerprints: fingerprintsOf(rsa) };
      const pair =
        side === 'client'
          ? connectionPair(rsa, ecdsa, wrong)
          : connectionPair(ecdsa, ecdsa, {}, wrong);
      pair.handshake();
      expectCheckFailed(pair, side, 'fingerprint');
      expect(pair[side].error).toMatchObject({ alert: AlertDescription.badCertificate });
      expect(pair[side].remoteCertificate).toBeUndefined();
    },
  );
});

describe('ServerKeyExchange signature (RFC 8422 §5.4)', () => {
  it.each([
    ['ECDSA', 'the signature'],
    ['RSA', 'the signature'],
    ['ECDSA', 'the public key'],
    ['RSA', 'the named curve'],
  ])('%s server: %s altered in flight', (kind, part) => {
    const link = rewriteHandshake('server', HandshakeType.serverKeyExchange, (body) => {
      if (part === 'the signature') return flipBit(body, -1);
      if (part === 'the public key') return flipBit(body, 4);
      // curve_type(1) named_curve(2) point_length(1) point. secp256r1 is a group the client
      // offered too, so only the signature can tell it was not the server's choice.
      body.set([0x00, NamedGroup.secp256r1], 1);
      return body;
    });
    const pair = connectionPair(ecdsa, kind === 'RSA' ? rsa : ecdsa);
    pair.handshake(link);
    expectCheckFailed(pair, 'client', 'server-key-exchange-signature');
  });
});

describe('CertificateVerify (RFC 5246 §7.4.8)', () => {
  it.each(['ECDSA', 'RSA'])('a %s client signature with a bit flipped', (kind) => {
    const link = rewriteHandshake('client', HandshakeType.certificateVerify, (b) => flipBit(b, -1));
    const pair = connectionPair(kind === 'RSA' ? rsa : ecdsa, ecdsa);
    pair.handshake(link);
    expectCheckFailed(pair, 'server', 'certificate-verify');
  });

  it('a handshake message rewritten in flight: groups narrowed in the ClientHello', () => {
    // The server picks secp256r1, and the client takes it (it offered it too); the transcripts
    // differ, which the client's signature over its own transcript shows.
    const narrowed = encodeSupportedGroups([NamedGroup.secp256r1]);
    const groups = withClientHello((hello) => ({
      extensions: hello.extensions.map((e) =>
        e.type === ExtensionType.supportedGroups ? { type: e.type, data: narrowed } : e,
      ),
    }));
    const link = capturing(groups);
    const pair = connectionPair(ecdsa, ecdsa);
    pair.handshake(link);
    const exchange = handshakeFragments(link.server).find(
      (f) => f.msgType === HandshakeType.serverKeyExchange,
    );
    expect(parseServerKeyExchange(exchange?.body as Uint8Array).namedCurve).toBe(
      NamedGroup.secp256r1,
    );
    expectCheckFailed(pair, 'server', 'certificate-verify');
  });
});

describe('Finished (RFC 5246 §7.4.9)', () => {
  it("the server's Finished, verify_data altered under the right keys", () => {
    const pair = connectionPair(ecdsa, ecdsa);
    pair.handshake(tamperFinished('server', pair));
    expectCheckFailed(pair, 'client', 'finished');
  });

  it("the client's Finished, verify_data altered under the right keys", () => {
    const pair = connectionPair(ecdsa, ecdsa);
    pair.handshake(tamperFinished('client', pair));
    expectCheckFailed(pair, 'server', 'finished');
  });

  it('a CertificateVerify with the other valid ECDSA signature: only the transcripts differ', () => {
    // (r, n - s) verifies as well as (r, s), so the CertificateVerify check passes; the
    // server's transcript then holds bytes the client never sent, which its Finished shows.
    const link = rewriteHandshake('client', HandshakeType.certificateVerify, (body) => {
      const verify = parseCertificateVerify(body);
      const signature = malleateEcdsaSignature(verify.signature);
      return encodeCertificateVerify({ ...verify, signature });
    });
    const pair = connectionPair(ecdsa, ecdsa);
    pair.handshake(link);
    expectCheckFailed(pair, 'server', 'finished');
  });
});

describe('peer certificate (RFC 5246 §7.4.2)', () => {
  const garbage = Uint8Array.from({ length: 300 }, (_, i) => (i * 31) & 0xff);
  it.each([
    ['client', 'bytes that are not a certificate', () => [garbage]],
    ['server', 'bytes that are not a certificate', () => [garbage]],
    ['client', 'a certificate with a byte after it', () => [Uint8Array.of(...ecdsa.der, 0)]],
    ['server', 'no certificate at all', () => []],
    ['client', 'an RSA certificate in an ECDSA suite', () => [rsa.der]],
  ] as const)('%s gets %s', (side, _, certificatesSent) => {
    const link = rewriteHandshake(peerOf(side), HandshakeType.certificate, () =>
      encodeCertificate({ certificates: certificatesSent() }),
    );
    const pair = connectionPair(ecdsa, ecdsa);
    pair.handshake(link);
    expectCheckFailed(pair, side, 'certificate');
  });
});

describe('a ServerHello or ServerKeyExchange choosing what was not offered', () => {
  const { SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80 } = SrtpProtectionProfile;
  const useSrtp = (profile: number): Extension => ({
    type: ExtensionType.useSrtp,
    data: encodeUseSrtp({ profiles: [profile], mki: new Uint8Array(0) }),
  });

  const offered = { cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] };
  const offeredSrtp = { ...offered, srtpProfiles: [SRTP_AEAD_AES_128_GCM] };
  it.each([
    [
      'a cipher suite',
      offered,
      withServerHello(() => ({
        cipherSuite: CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
      })),
      AlertDescription.illegalParameter,
    ],
    [
      'an SRTP profile',
      offeredSrtp,
      withServerHello((hello) => ({
        extensions: hello.extensions.map((e) =>
          e.type === ExtensionType.useSrtp ? useSrtp(SRTP_AES128_CM_HMAC_SHA1_80) : e,
        ),
      })),
      AlertDescription.illegalParameter,
    ],
    [
      'a group',
      offered,
      rewriteHandshake('server', HandshakeType.serverKeyExchange, (body) => {
        body.set([0x00, 25], 1); // secp521r1, which the client did not offer
        return body;
      }),
      AlertDescription.illegalParameter,
    ],
    [
      'a compression method',
      offered,
      withServerHello(() => ({ compressionMethod: 1 })),
      AlertDescription.illegalParameter,
    ],
    [
      'an extension (use_srtp, to a client that offered no profile)',
      offered,
      withServerHello((hello) => ({
        extensions: [...hello.extensions, useSrtp(SRTP_AEAD_AES_128_GCM)],
      })),
      AlertDescription.unsupportedExtension,
    ],
  ])('%s: the client refuses it', (_, client, link, alert) => {
    const pair = connectionPair(ecdsa, ecdsa, client, { srtpProfiles: [SRTP_AEAD_AES_128_GCM] });
    pair.handshake(link);
    expectAlertSent(pair, 'client', alert);
  });

  it('a DTLS 1.0 client that returned the cookie gets protocol_version', () => {
    const pair = connectionPair(ecdsa, ecdsa);
    pair.handshake(withClientHello(() => ({ clientVersion: ProtocolVersion.dtls1_0 })));
    expectAlertSent(pair, 'server', AlertDescription.protocolVersion);
  });

  it('no cipher suite in common: the server refuses with handshake_failure', () => {
    const pair = connectionPair(ecdsa, ecdsa, {
      cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
    });
    pair.handshake();
    expectAlertSent(pair, 'server', AlertDescription.handshakeFailure);
  });
});
