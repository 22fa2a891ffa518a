/**
 * The server side of the DTLS 1.2 handshake (RFC 6347 §4.2, RFC 5246 §7.3), ECDHE only, always
 * asking for the client's certificate (WebRTC authenticates both sides, RFC 8827 §6.5).
 *
 * A ClientHello without a valid cookie gets a HelloVerifyRequest and leaves no trace: the
 * connection hands it here unreassembled, with its record sequence number, and nothing is
 * stored until a ClientHello comes back with the cookie (RFC 6347 §4.2.1).
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
import type { CipherSuiteInfo } from '../crypto/cipher-suites.js';
import type { HelloCookies } from '../crypto/cookie.js';
import { generateEphemeralKey, SUPPORTED_GROUPS } from '../crypto/key-exchange.js';
import { DtlsAlert, DtlsParseError, DtlsVerificationError } from '../errors.js';
import {
  encodeCertificate,
  encodeCertificateRequest,
  parseCertificate,
  parseCertificateVerify,
} from '../handshake/certificate-messages.js';
import {
  type Extension,
  encodeEcPointFormats,
  encodeExtendedMasterSecret,
  encodeRenegotiationInfo,
  encodeUseSrtp,
  findExtension,
  parseEcPointFormats,
  parseRenegotiationInfo,
  parseSignatureAlgorithms,
  parseSupportedGroups,
  parseUseSrtp,
} from '../handshake/extensions.js';
import { encodeFinished, parseFinished } from '../handshake/finished.js';
import { HandshakeType } from '../handshake/handshake-header.js';
import {
  type ClientHello,
  encodeClientHello,
  encodeHelloVerifyRequest,
  encodeServerHello,
  parseClientHello,
} from '../handshake/hello.js';
import {
  CipherSuite,
  ClientCertificateType,
  CompressionMethod,
  EcPointFormat,
  ExtensionType,
  NamedGroup,
  ProtocolVersion,
} from '../handshake/ids.js';
import {
  encodeServerEcdhParams,
  encodeServerHelloDone,
  encodeServerKeyExchange,
  parseClientKeyExchange,
  serverKeyExchangeSignedData,
} from '../handshake/key-exchange.js';
import type { HandshakeHost } from './handshake-host.js';

type ServerStep =
  | 'certificate'
  | 'client-key-exchange'
  | 'certificate-verify'
  | 'finished'
  | 'done';

const EMPTY = new Uint8Array(0);

/**
 * What a fragment gets before the handshake: dropped (not a whole, well-formed ClientHello), a
 * HelloVerifyRequest body to send, or the handshake goes on.
 */
export type ClientHelloOutcome =
  | { readonly kind: 'dropped' }
  | { readonly kind: 'verify-request'; readonly body: Uint8Array }
  | { readonly kind: 'accepted' };

export class ServerHandshake {
  readonly #host: HandshakeHost;
  readonly #cookies: HelloCookies;
  #step: ServerStep = 'certificate';
  /** The schemes our CertificateRequest listed: CertificateVerify must use one. */
  readonly #requestedSchemes = SUPPORTED_SIGNATURE_SCHEMES;

  constructor(host: HandshakeHost, cookies: HelloCookies) {
    this.#host = host;
    this.#cookies = cookies;
  }

  /**
   * A whole ClientHello before the handshake state exists (the connection reassembles it: with
   * post-quantum key shares, Chromium's spans two records). Anyone can send one, so one that
   * does not parse is dropped like a forged record. Without a valid cookie the answer is a
   * HelloVerifyRequest body (nothing kept); with one, the handshake starts and flight 4 goes
   * out.
   */
  handleInitialClientHello(messageSeq: number, body: Uint8Array, now: number): ClientHelloOutcome {
    let hello: ClientHello;
    try {
      hello = parseClientHello(body);
    } catch (error) {
      if (error instanceof DtlsParseError) return { kind: 'dropped' };
      throw error;
    }
    return this.#handleClientHello(hello, messageSeq, body, now);
  }

  #handleClientHello(
    hello: ClientHello,
    messageSeq: number,
    body: Uint8Array,
    now: number,
  ): ClientHelloOutcome {
    // The cookie binds everything the second ClientHello must repeat (§4.2.1).
    const parameters = encodeClientHello({ ...hello, cookie: EMPTY });
    const address = this.#host.options.peerAddress;
    const cookieNeeded = this.#host.options.cookieExchange;
    if (cookieNeeded && !this.#cookies.verify(hello.cookie, address, parameters, now)) {
      const cookie = this.#cookies.create(address, parameters, now);
      // §4.2.1: the HelloVerifyRequest carries DTLS 1.0 whatever will be negotiated.
      const serverVersion = ProtocolVersion.dtls1_0;
      return { kind: 'verify-request', body: encodeHelloVerifyRequest({ serverVersion, cookie }) };
    }
    // Only a client that proved its address gets an alert (§4.2.1: the cookie exchange comes
    // before any negotiation). DTLS versions count down: 1.2 is 0xfefd, 1.0 is 0xfeff (§4.1).
    if (hello.clientVersion > ProtocolVersion.dtls1_2) {
      throw new DtlsAlert(AlertDescription.protocolVersion, true, 'the client is not DTLS 1.2');
    }
    this.#host.beginHandshake(messageSeq);
    this.#host.context.add(HandshakeType.clientHello, messageSeq, body);
    this.#sendServerFlight(hello, now);
    return { kind: 'accepted' };
  }

  /** The next handshake message of the client's second flight, in message_seq order. */
  handle(msgType: number, messageSeq: number, body: Uint8Array, now: number): void {
    if (EXPECTED[this.#step] !== msgType) {
      throw new DtlsAlert(AlertDescription.unexpectedMessage, true, `handshake type ${msgType}`);
    }
    const { context } = this.#host;
    switch (msgType) {
      case HandshakeType.certificate:
        this.#onCertificate(body);
        break;
      case HandshakeType.clientKeyExchange:
        this.#onClientKeyExchange(messageSeq, body);
        return;
      case HandshakeType.certificateVerify:
        this.#onCertificateVerify(body);
        break;
      case HandshakeType.finished:
        this.#onFinished(messageSeq, body, now);
        return;
    }
    context.add(msgType, messageSeq, body);
  }

  #sendServerFlight(hello: ClientHello, now: number): void {
    const host = this.#host;
    const { context, options } = host;
    const suite = this.#chooseSuite(hello);
    const clientExtensions = hello.extensions;
    const groups = optional(clientExtensions, ExtensionType.supportedGroups, parseSupportedGroups);
    // RFC 8422 §4: without supported_groups, any group; secp256r1 is the one all support.
    const group = SUPPORTED_GROUPS.find((g) => (groups ?? [NamedGroup.secp256r1]).includes(g));
    const formats = optional(clientExtensions, ExtensionType.ecPointFormats, parseEcPointFormats);
    if (formats !== undefined && !formats.includes(EcPointFormat.uncompressed)) {
      throw illegal('the client does not accept uncompressed points');
    }
    const clientSchemes = optional(
      clientExtensions,
      ExtensionType.signatureAlgorithms,
      parseSignatureAlgorithms,
    );
    // RFC 5246 §7.4.1.4.1: no signature_algorithms means SHA-1, which we do not sign with.
    const scheme = chooseSignatureScheme(options.certificate.keyType, clientSchemes ?? []);
    if (group === undefined || scheme === undefined) {
      throw new DtlsAlert(AlertDescription.handshakeFailure, true, 'no common group or signature');
    }

    context.clientRandom = hello.random;
    context.serverRandom = getCryptoBackend().randomBytes(32);
    context.suite = suite;
    context.version = ProtocolVersion.dtls1_2;
    const extensions = this.#serverExtensions(hello, formats !== undefined);

    const ephemeral = generateEphemeralKey(group);
    if (ephemeral === undefined) throw illegal(`group ${group}`);
    context.ephemeral = ephemeral;
    const params = encodeServerEcdhParams(group, ephemeral.publicKey);
    const signed = serverKeyExchangeSignedData(context.clientRandom, context.serverRandom, params);
    const signature = signWith(options.certificate, scheme, signed);

    const serverHello = encodeServerHello({
      serverVersion: ProtocolVersion.dtls1_2,
      random: context.serverRandom,
      sessionId: EMPTY,
      cipherSuite: suite.id,
      compressionMethod: CompressionMethod.null,
      extensions,
    });
    const items = [
      host.message(HandshakeType.serverHello, serverHello),
      host.message(
        HandshakeType.certificate,
        encodeCertificate({ certificates: [options.certificate.der] }),
      ),
      host.message(
        HandshakeType.serverKeyExchange,
        encodeServerKeyExchange({
          namedCurve: group,
          publicKey: ephemeral.publicKey,
          signatureScheme: scheme,
          signature,
        }),
      ),
      host.message(
        HandshakeType.certificateRequest,
        encodeCertificateRequest({
          certificateTypes: [ClientCertificateType.ecdsaSign, ClientCertificateType.rsaSign],
          signatureSchemes: this.#requestedSchemes,
          certificateAuthorities: [],
        }),
      ),
      host.message(HandshakeType.serverHelloDone, encodeServerHelloDone()),
    ];
    host.sendFlight(items, false, now);
  }

  /** Our preference first, among what the client offers and our certificate signs. */
  #chooseSuite(hello: ClientHello): CipherSuiteInfo {
    const { options } = this.#host;
    const wanted = options.certificate.keyType === 'RSA' ? 'RSA' : 'ECDSA';
    const suite = options.cipherSuites.find(
      (s) => s.authentication === wanted && hello.cipherSuites.includes(s.id),
    );
    if (suite === undefined) {
      throw new DtlsAlert(AlertDescription.handshakeFailure, true, 'no cipher suite in common');
    }
    if (!hello.compressionMethods.includes(CompressionMethod.null)) {
      throw illegal('the client offers no null compression');
    }
    return suite;
  }

  /** Echo what the client offered and we take (RFC 5246 §7.4.1.4: nothing unrequested). */
  #serverExtensions(hello: ClientHello, echoPointFormats: boolean): Extension[] {
    const { context, options } = this.#host;
    const offered = hello.extensions;
    const extensions: Extension[] = [];
    const renegotiation = findExtension(offered, ExtensionType.renegotiationInfo);
    if (renegotiation !== undefined && parseRenegotiationInfo(renegotiation).length > 0) {
      // RFC 5746 §3.6: an initial ClientHello's renegotiated_connection is empty.
      throw new DtlsAlert(AlertDescription.handshakeFailure, true, 'renegotiation_info');
    }
    if (
      renegotiation !== undefined ||
      hello.cipherSuites.includes(CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV)
    ) {
      extensions.push({
        type: ExtensionType.renegotiationInfo,
        data: encodeRenegotiationInfo(EMPTY),
      });
    }
    // RFC 7627 §5.2: use the extended master secret whenever the client offers it.
    if (findExtension(offered, ExtensionType.extendedMasterSecret) !== undefined) {
      context.extendedMasterSecret = true;
      extensions.push({
        type: ExtensionType.extendedMasterSecret,
        data: encodeExtendedMasterSecret(),
      });
    }
    const useSrtp = optional(offered, ExtensionType.useSrtp, parseUseSrtp);
    // RFC 5764 §4.1.1: the first of the client's profiles we support; no MKI.
    const profile = useSrtp?.profiles.find((p) => options.srtpProfiles.includes(p));
    if (profile !== undefined) {
      context.srtpProfile = profile;
      extensions.push({
        type: ExtensionType.useSrtp,
        data: encodeUseSrtp({ profiles: [profile], mki: EMPTY }),
      });
    }
    if (echoPointFormats) {
      extensions.push({
        type: ExtensionType.ecPointFormats,
        data: encodeEcPointFormats([EcPointFormat.uncompressed]),
      });
    }
    return extensions;
  }

  #onCertificate(body: Uint8Array): void {
    const [first] = parseCertificate(body).certificates;
    // WebRTC authenticates the client by its certificate's fingerprint: it must send one.
    if (first === undefined) {
      throw new DtlsVerificationError('certificate', 'the client sent no certificate');
    }
    const peer = parsePeerCertificate(first);
    this.#host.context.peerCertificate = peer;
    this.#host.checkPeerCertificate(peer);
    this.#step = 'client-key-exchange';
  }

  #onClientKeyExchange(messageSeq: number, body: Uint8Array): void {
    const { context, options } = this.#host;
    const { publicKey } = parseClientKeyExchange(body);
    const premaster = context.ephemeral?.agree(publicKey);
    context.add(HandshakeType.clientKeyExchange, messageSeq, body);
    context.deriveMaster(premaster ?? EMPTY, options.keyLog);
    this.#host.installReadKeys();
    this.#step = 'certificate-verify';
  }

  #onCertificateVerify(body: Uint8Array): void {
    const { context } = this.#host;
    const { signatureScheme, signature } = parseCertificateVerify(body);
    const peer = context.peerCertificate;
    if (
      peer === undefined ||
      !this.#requestedSchemes.includes(signatureScheme) ||
      !verifySignature(peer, signatureScheme, context.transcript(), signature)
    ) {
      throw new DtlsVerificationError(
        'certificate-verify',
        'the CertificateVerify signature does not verify with the client certificate',
      );
    }
    this.#step = 'finished';
  }

  #onFinished(messageSeq: number, body: Uint8Array, now: number): void {
    const host = this.#host;
    const { context } = host;
    const { verifyData } = parseFinished(body);
    if (!constantTimeEqual(verifyData, context.verifyData('client'))) {
      throw new DtlsVerificationError('finished', 'the client Finished does not verify');
    }
    context.add(HandshakeType.finished, messageSeq, body);
    host.installWriteKeys();
    const finished = encodeFinished({ verifyData: context.verifyData('server') });
    const items = [
      { kind: 'change-cipher-spec' as const },
      host.message(HandshakeType.finished, finished, 1),
    ];
    host.sendFlight(items, true, now);
    this.#step = 'done';
    host.complete();
  }
}

const EXPECTED: Readonly<Record<ServerStep, number>> = {
  certificate: HandshakeType.certificate,
  'client-key-exchange': HandshakeType.clientKeyExchange,
  'certificate-verify': HandshakeType.certificateVerify,
  finished: HandshakeType.finished,
  done: -1,
};

function optional<T>(
  extensions: readonly Extension[],
  type: number,
  parse: (data: Uint8Array) => T,
): T | undefined {
  const data = findExtension(extensions, type);
  return data === undefined ? undefined : parse(data);
}

function illegal(message: string): DtlsAlert {
  return new DtlsAlert(AlertDescription.illegalParameter, true, message);
}
