/**
 * The client side of the DTLS 1.2 handshake (RFC 6347 §4.2, RFC 5246 §7.3), ECDHE only:
 *
 *     ClientHello             -->
 *                             <--  HelloVerifyRequest (cookie)
 *     ClientHello (+cookie)   -->
 *                             <--  ServerHello, Certificate, ServerKeyExchange,
 *                                  CertificateRequest*, ServerHelloDone
 *     Certificate*, ClientKeyExchange, CertificateVerify*,
 *     [ChangeCipherSpec], Finished  -->
 *                             <--  [ChangeCipherSpec], Finished
 *
 * Every check raises the error that names it and the alert to send; nothing is accepted that
 * was not offered.
 */

import { constantTimeEqual, getCryptoBackend } from '@typertc/common';
import { AlertDescription } from '../alert.js';
import {
  chooseSignatureScheme,
  parsePeerCertificate,
  SUPPORTED_SIGNATURE_SCHEMES,
  signWith,
  verifySignature,
} from '../certificate/signature.js';
import { cipherSuiteById } from '../crypto/cipher-suites.js';
import { generateEphemeralKey, SUPPORTED_GROUPS } from '../crypto/key-exchange.js';
import { DtlsAlert, DtlsVerificationError } from '../errors.js';
import {
  encodeCertificate,
  encodeCertificateVerify,
  parseCertificate,
  parseCertificateRequest,
} from '../handshake/certificate-messages.js';
import {
  type Extension,
  encodeEcPointFormats,
  encodeExtendedMasterSecret,
  encodeRenegotiationInfo,
  encodeSignatureAlgorithms,
  encodeSupportedGroups,
  encodeUseSrtp,
  parseRenegotiationInfo,
  parseUseSrtp,
} from '../handshake/extensions.js';
import { encodeFinished, parseFinished } from '../handshake/finished.js';
import { HandshakeType } from '../handshake/handshake-header.js';
import {
  type ClientHello,
  encodeClientHello,
  parseHelloVerifyRequest,
  parseServerHello,
} from '../handshake/hello.js';
import {
  ClientCertificateType,
  CompressionMethod,
  EcPointFormat,
  ExtensionType,
  ProtocolVersion,
} from '../handshake/ids.js';
import {
  encodeClientKeyExchange,
  parseServerHelloDone,
  parseServerKeyExchange,
  serverKeyExchangeSignedData,
} from '../handshake/key-exchange.js';
import type { HandshakeHost } from './handshake-host.js';

type ClientStep =
  | 'server-hello'
  | 'certificate'
  | 'server-key-exchange'
  | 'certificate-request'
  | 'server-hello-done'
  | 'finished'
  | 'done';

const EMPTY = new Uint8Array(0);

export class ClientHandshake {
  readonly #host: HandshakeHost;
  #step: ClientStep = 'server-hello';
  #hello: ClientHello | undefined;
  #premaster: Uint8Array | undefined;
  /** The scheme to sign CertificateVerify with, once the server asked for a certificate. */
  #certificateScheme: number | undefined;

  constructor(host: HandshakeHost) {
    this.#host = host;
  }

  start(now: number): void {
    this.#host.context.clientRandom = getCryptoBackend().randomBytes(32);
    this.#sendClientHello(EMPTY, now);
  }

  /** The next handshake message from the server, in message_seq order. */
  handle(msgType: number, messageSeq: number, body: Uint8Array, now: number): void {
    const { context } = this.#host;
    if (this.#step === 'server-hello' && msgType === HandshakeType.helloVerifyRequest) {
      // RFC 6347 §4.2.1: repeat the ClientHello with the cookie; the first pair leaves the
      // transcript (§4.2.6). The HelloVerifyRequest's version is not the negotiated one.
      const { cookie } = parseHelloVerifyRequest(body);
      context.resetTranscript();
      this.#sendClientHello(cookie, now);
      return;
    }
    const expected = EXPECTED[this.#step];
    // CertificateRequest is optional (a server that does not authenticate clients).
    const skipsRequest =
      this.#step === 'certificate-request' && msgType === HandshakeType.serverHelloDone;
    if (!expected.includes(msgType) && !skipsRequest) {
      throw new DtlsAlert(AlertDescription.unexpectedMessage, true, `handshake type ${msgType}`);
    }
    if (msgType !== HandshakeType.finished) context.add(msgType, messageSeq, body);
    switch (msgType) {
      case HandshakeType.serverHello:
        this.#onServerHello(body);
        return;
      case HandshakeType.certificate:
        this.#onCertificate(body);
        return;
      case HandshakeType.serverKeyExchange:
        this.#onServerKeyExchange(body);
        return;
      case HandshakeType.certificateRequest:
        this.#onCertificateRequest(body);
        return;
      case HandshakeType.serverHelloDone:
        parseServerHelloDone(body);
        this.#sendFinishedFlight(now);
        return;
      case HandshakeType.finished:
        this.#onFinished(messageSeq, body);
        return;
    }
  }

  #sendClientHello(cookie: Uint8Array, now: number): void {
    const { options, context } = this.#host;
    const extensions: Extension[] = [
      { type: ExtensionType.supportedGroups, data: encodeSupportedGroups(SUPPORTED_GROUPS) },
      {
        type: ExtensionType.ecPointFormats,
        data: encodeEcPointFormats([EcPointFormat.uncompressed]),
      },
      {
        type: ExtensionType.signatureAlgorithms,
        data: encodeSignatureAlgorithms(SUPPORTED_SIGNATURE_SCHEMES),
      },
      { type: ExtensionType.extendedMasterSecret, data: encodeExtendedMasterSecret() },
      // RFC 5746 §3.4: an empty renegotiation_info says we are secure against renegotiation
      // attacks (we do not renegotiate at all).
      { type: ExtensionType.renegotiationInfo, data: encodeRenegotiationInfo(EMPTY) },
    ];
    if (options.srtpProfiles.length > 0) {
      const data = encodeUseSrtp({ profiles: options.srtpProfiles, mki: EMPTY });
      extensions.push({ type: ExtensionType.useSrtp, data });
    }
    this.#hello = {
      clientVersion: ProtocolVersion.dtls1_2,
      random: context.clientRandom,
      sessionId: EMPTY,
      cookie,
      cipherSuites: options.cipherSuites.map((suite) => suite.id),
      compressionMethods: [CompressionMethod.null],
      extensions,
    };
    const hello = this.#host.message(HandshakeType.clientHello, encodeClientHello(this.#hello));
    this.#host.sendFlight([hello], false, now);
  }

  #onServerHello(body: Uint8Array): void {
    const { context, options } = this.#host;
    const hello = parseServerHello(body);
    if (hello.serverVersion !== ProtocolVersion.dtls1_2) {
      throw new DtlsAlert(AlertDescription.protocolVersion, true, 'the server is not DTLS 1.2');
    }
    const suite = cipherSuiteById(hello.cipherSuite);
    if (suite === undefined || !options.cipherSuites.includes(suite)) {
      throw illegal(`the server chose suite ${hello.cipherSuite}, which we did not offer`);
    }
    if (hello.compressionMethod !== CompressionMethod.null) throw illegal('compression');
    const offered = new Set(this.#hello?.extensions.map((extension) => extension.type));
    for (const { type, data } of hello.extensions) {
      // RFC 5246 §7.4.1.4: a server extension the client did not offer is fatal.
      if (!offered.has(type)) {
        throw new DtlsAlert(AlertDescription.unsupportedExtension, true, `extension ${type}`);
      }
      if (type === ExtensionType.extendedMasterSecret) context.extendedMasterSecret = true;
      if (type === ExtensionType.renegotiationInfo && parseRenegotiationInfo(data).length > 0) {
        // RFC 5746 §3.4: an initial handshake's renegotiated_connection is empty.
        throw new DtlsAlert(AlertDescription.handshakeFailure, true, 'renegotiation_info');
      }
      if (type === ExtensionType.useSrtp) {
        const { profiles, mki } = parseUseSrtp(data);
        const [profile] = profiles;
        // RFC 5764 §4.1.1: exactly one of the offered profiles; we offered no MKI.
        if (profiles.length !== 1 || profile === undefined || mki.length > 0) {
          throw illegal('use_srtp answer');
        }
        if (!options.srtpProfiles.includes(profile)) throw illegal(`SRTP profile ${profile}`);
        context.srtpProfile = profile;
      }
    }
    context.serverRandom = hello.random;
    context.suite = suite;
    context.version = hello.serverVersion;
    this.#step = 'certificate';
  }

  #onCertificate(body: Uint8Array): void {
    const { certificates } = parseCertificate(body);
    const [first] = certificates;
    if (first === undefined) {
      throw new DtlsVerificationError('certificate', 'the server sent no certificate');
    }
    const peer = parsePeerCertificate(first);
    const wanted = this.#host.context.suite?.authentication === 'RSA' ? 'RSA' : 'ECDSA';
    if (!peer.keyType.startsWith(wanted)) {
      throw new DtlsVerificationError(
        'certificate',
        `a ${wanted} suite with a ${peer.keyType} key`,
      );
    }
    this.#host.context.peerCertificate = peer;
    this.#host.checkPeerCertificate(peer);
    this.#step = 'server-key-exchange';
  }

  #onServerKeyExchange(body: Uint8Array): void {
    const { context } = this.#host;
    const exchange = parseServerKeyExchange(body);
    if (!SUPPORTED_GROUPS.includes(exchange.namedCurve)) {
      throw illegal(`the server chose group ${exchange.namedCurve}, which we did not offer`);
    }
    if (!SUPPORTED_SIGNATURE_SCHEMES.includes(exchange.signatureScheme)) {
      throw illegal(`signature scheme ${exchange.signatureScheme} was not offered`);
    }
    const signed = serverKeyExchangeSignedData(
      context.clientRandom,
      context.serverRandom,
      exchange.params,
    );
    const peer = context.peerCertificate;
    if (
      peer === undefined ||
      !verifySignature(peer, exchange.signatureScheme, signed, exchange.signature)
    ) {
      throw new DtlsVerificationError(
        'server-key-exchange-signature',
        'the ServerKeyExchange signature does not verify with the server certificate',
      );
    }
    const ephemeral = generateEphemeralKey(exchange.namedCurve);
    if (ephemeral === undefined) throw illegal(`group ${exchange.namedCurve}`);
    this.#premaster = ephemeral.agree(exchange.publicKey);
    context.ephemeral = ephemeral;
    this.#step = 'certificate-request';
  }

  #onCertificateRequest(body: Uint8Array): void {
    const request = parseCertificateRequest(body);
    const { keyType } = this.#host.options.certificate;
    const ourType =
      keyType === 'RSA' ? ClientCertificateType.rsaSign : ClientCertificateType.ecdsaSign;
    const scheme = chooseSignatureScheme(keyType, request.signatureSchemes);
    if (!request.certificateTypes.includes(ourType) || scheme === undefined) {
      throw new DtlsAlert(
        AlertDescription.handshakeFailure,
        true,
        'the server accepts no certificate of our key type',
      );
    }
    this.#certificateScheme = scheme;
    this.#step = 'server-hello-done';
  }

  /** RFC 5246 §7.4.6–§7.4.9: our certificate, key share, proof of key, and Finished. */
  #sendFinishedFlight(now: number): void {
    const host = this.#host;
    const { context, options } = host;
    const items = [];
    const scheme = this.#certificateScheme;
    if (scheme !== undefined) {
      const certificate = encodeCertificate({ certificates: [options.certificate.der] });
      items.push(host.message(HandshakeType.certificate, certificate));
    }
    const publicKey = context.ephemeral?.publicKey ?? EMPTY;
    items.push(
      host.message(HandshakeType.clientKeyExchange, encodeClientKeyExchange({ publicKey })),
    );
    context.deriveMaster(this.#premaster ?? EMPTY, options.keyLog);
    this.#premaster = undefined;
    if (scheme !== undefined) {
      const signature = signWith(options.certificate, scheme, context.transcript());
      const verify = encodeCertificateVerify({ signatureScheme: scheme, signature });
      items.push(host.message(HandshakeType.certificateVerify, verify));
    }
    host.installReadKeys();
    items.push({ kind: 'change-cipher-spec' as const });
    host.installWriteKeys();
    const verifyData = context.verifyData('client');
    items.push(host.message(HandshakeType.finished, encodeFinished({ verifyData }), 1));
    host.sendFlight(items, false, now);
    this.#step = 'finished';
  }

  #onFinished(messageSeq: number, body: Uint8Array): void {
    const { context } = this.#host;
    const { verifyData } = parseFinished(body);
    if (!constantTimeEqual(verifyData, context.verifyData('server'))) {
      throw new DtlsVerificationError('finished', 'the server Finished does not verify');
    }
    context.add(HandshakeType.finished, messageSeq, body);
    this.#step = 'done';
    this.#host.complete();
  }
}

const EXPECTED: Readonly<Record<ClientStep, readonly number[]>> = {
  'server-hello': [HandshakeType.serverHello],
  certificate: [HandshakeType.certificate],
  'server-key-exchange': [HandshakeType.serverKeyExchange],
  'certificate-request': [HandshakeType.certificateRequest],
  'server-hello-done': [HandshakeType.serverHelloDone],
  finished: [HandshakeType.finished],
  done: [],
};

function illegal(message: string): DtlsAlert {
  return new DtlsAlert(AlertDescription.illegalParameter, true, message);
}
