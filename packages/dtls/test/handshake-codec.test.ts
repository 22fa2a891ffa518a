import { fromHex, toHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import { DtlsParseError } from '../src/errors.js';
import {
  CipherSuite,
  ClientCertificateType,
  CompressionMethod,
  EcPointFormat,
  ExtensionType,
  encodeCertificate,
  encodeCertificateRequest,
  encodeCertificateVerify,
  encodeClientHello,
  encodeClientKeyExchange,
  encodeEcPointFormats,
  encodeExtendedMasterSecret,
  encodeFinished,
  encodeHelloVerifyRequest,
  encodeRenegotiationInfo,
  encodeServerEcdhParams,
  encodeServerHello,
  encodeServerHelloDone,
  encodeServerKeyExchange,
  encodeSignatureAlgorithms,
  encodeSupportedGroups,
  encodeUseSrtp,
  findExtension,
  NamedGroup,
  ProtocolVersion,
  parseCertificate,
  parseCertificateRequest,
  parseCertificateVerify,
  parseClientHello,
  parseClientKeyExchange,
  parseEcPointFormats,
  parseExtendedMasterSecret,
  parseFinished,
  parseHelloVerifyRequest,
  parseRenegotiationInfo,
  parseServerHello,
  parseServerHelloDone,
  parseServerKeyExchange,
  parseSignatureAlgorithms,
  parseSupportedGroups,
  parseUseSrtp,
  SignatureScheme,
  SrtpProtectionProfile,
  serverKeyExchangeSignedData,
} from '../src/handshake/index.js';

const RANDOM = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');

/**
 * A DTLS 1.2 ClientHello body written out by hand from RFC 6347 §4.2.1 and RFC 5246 §7.4.1.2,
 * with the extensions a WebRTC client sends (their layouts from the RFCs cited beside each).
 */
const CLIENT_HELLO_HEX = [
  'fefd', // client_version: DTLS 1.2
  '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', // random
  '00', // session_id: empty
  '04 0a0b0c0d', // cookie: 4 bytes (RFC 6347 §4.2.1)
  '0006 c02b c02f 00ff', // cipher_suites: two ECDHE GCM suites and the renegotiation SCSV
  '01 00', // compression_methods: null
  '0028', // extensions: 40 bytes
  '000a 0004 0002 001d', // supported_groups: x25519 (RFC 8422 §5.1.1)
  '000b 0002 01 00', // ec_point_formats: uncompressed (RFC 8422 §5.1.2)
  '000d 0004 0002 0403', // signature_algorithms: ecdsa_secp256r1_sha256 (RFC 5246 §7.4.1.4.1)
  '000e 0005 0002 0007 00', // use_srtp: SRTP_AEAD_AES_128_GCM, no MKI (RFC 5764 §4.1.1)
  '0017 0000', // extended_master_secret (RFC 7627 §5.1)
  'ff01 0001 00', // renegotiation_info: empty (RFC 5746 §3.2)
].join(' ');
const CLIENT_HELLO = fromHex(CLIENT_HELLO_HEX);
/** Where the extension block starts: a body cut there is a ClientHello without extensions. */
const CLIENT_HELLO_EXTENSIONS_AT = 2 + 32 + 1 + 5 + 8 + 2;

function expectParseError(parse: () => unknown): DtlsParseError {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(DtlsParseError);
    return error as DtlsParseError;
  }
  throw new Error('expected a DtlsParseError, but parsing succeeded');
}

function withByte(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] = value;
  return copy;
}

function appendByte(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

describe('ClientHello', () => {
  it('parses a hand-built DTLS 1.2 ClientHello field by field', () => {
    const hello = parseClientHello(CLIENT_HELLO);
    expect(hello.clientVersion).toBe(ProtocolVersion.dtls1_2);
    expect(toHex(hello.random)).toBe(toHex(RANDOM));
    expect(hello.sessionId.length).toBe(0);
    expect(toHex(hello.cookie)).toBe('0a0b0c0d');
    expect(hello.cipherSuites).toEqual([
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
      CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
      CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
    ]);
    expect(hello.compressionMethods).toEqual([CompressionMethod.null]);
    expect(hello.extensions.map((extension) => extension.type)).toEqual([
      ExtensionType.supportedGroups,
      ExtensionType.ecPointFormats,
      ExtensionType.signatureAlgorithms,
      ExtensionType.useSrtp,
      ExtensionType.extendedMasterSecret,
      ExtensionType.renegotiationInfo,
    ]);

    const ext = (type: number): Uint8Array => {
      const data = findExtension(hello.extensions, type);
      if (data === undefined) throw new Error(`extension ${type} missing`);
      return data;
    };
    expect(parseSupportedGroups(ext(ExtensionType.supportedGroups))).toEqual([NamedGroup.x25519]);
    expect(parseEcPointFormats(ext(ExtensionType.ecPointFormats))).toEqual([
      EcPointFormat.uncompressed,
    ]);
    expect(parseSignatureAlgorithms(ext(ExtensionType.signatureAlgorithms))).toEqual([
      SignatureScheme.ecdsa_secp256r1_sha256,
    ]);
    const srtp = parseUseSrtp(ext(ExtensionType.useSrtp));
    expect(srtp.profiles).toEqual([SrtpProtectionProfile.SRTP_AEAD_AES_128_GCM]);
    expect(srtp.mki.length).toBe(0);
    expect(() => parseExtendedMasterSecret(ext(ExtensionType.extendedMasterSecret))).not.toThrow();
    expect(parseRenegotiationInfo(ext(ExtensionType.renegotiationInfo)).length).toBe(0);
    expect(findExtension(hello.extensions, 0x1234)).toBeUndefined();
  });

  it('returns views into the body, not copies', () => {
    const hello = parseClientHello(CLIENT_HELLO);
    expect(hello.random.buffer).toBe(CLIENT_HELLO.buffer);
    expect(hello.cookie.byteOffset).toBe(CLIENT_HELLO.byteOffset + 36);
  });

  it('encodes the same bytes from the typed fields', () => {
    const encoded = encodeClientHello({
      clientVersion: ProtocolVersion.dtls1_2,
      random: RANDOM,
      sessionId: new Uint8Array(0),
      cookie: fromHex('0a0b0c0d'),
      cipherSuites: [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
      ],
      compressionMethods: [CompressionMethod.null],
      extensions: [
        { type: ExtensionType.supportedGroups, data: encodeSupportedGroups([NamedGroup.x25519]) },
        {
          type: ExtensionType.ecPointFormats,
          data: encodeEcPointFormats([EcPointFormat.uncompressed]),
        },
        {
          type: ExtensionType.signatureAlgorithms,
          data: encodeSignatureAlgorithms([SignatureScheme.ecdsa_secp256r1_sha256]),
        },
        {
          type: ExtensionType.useSrtp,
          data: encodeUseSrtp({
            profiles: [SrtpProtectionProfile.SRTP_AEAD_AES_128_GCM],
            mki: new Uint8Array(0),
          }),
        },
        { type: ExtensionType.extendedMasterSecret, data: encodeExtendedMasterSecret() },
        { type: ExtensionType.renegotiationInfo, data: encodeRenegotiationInfo() },
      ],
    });
    expect(toHex(encoded)).toBe(toHex(CLIENT_HELLO));
  });

  it('round-trips, and leaves out an empty extension block', () => {
    const hello = {
      clientVersion: ProtocolVersion.dtls1_2,
      random: RANDOM,
      sessionId: new Uint8Array(32).fill(7),
      cookie: new Uint8Array(255).fill(9),
      cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256],
      compressionMethods: [0],
      extensions: [],
    };
    const encoded = encodeClientHello(hello);
    expect(encoded.length).toBe(2 + 32 + 33 + 256 + 4 + 2);
    expect(parseClientHello(encoded)).toEqual(hello);
  });

  it('parses a ClientHello without an extension block (RFC 5246 §7.4.1.2)', () => {
    const hello = parseClientHello(CLIENT_HELLO.subarray(0, CLIENT_HELLO_EXTENSIONS_AT));
    expect(hello.extensions).toEqual([]);
    expect(hello.cipherSuites.length).toBe(3);
  });

  it('rejects every other truncation with DtlsParseError', () => {
    for (let cut = 0; cut < CLIENT_HELLO.length; cut++) {
      if (cut === CLIENT_HELLO_EXTENSIONS_AT) continue;
      expectParseError(() => parseClientHello(CLIENT_HELLO.subarray(0, cut)));
    }
  });

  it('rejects trailing bytes', () => {
    const error = expectParseError(() => parseClientHello(appendByte(CLIENT_HELLO)));
    expect(error.offset).toBe(CLIENT_HELLO.length);
    expect(error.message).toMatch(/trailing/);
  });

  it.each([
    ['a 33-byte session_id', 34, 33],
    ['an odd cipher_suites length', 41, 7],
    ['empty cipher_suites', 41, 0],
    ['empty compression_methods', 48, 0],
    ['a cookie longer than the body', 35, 200],
  ])('rejects %s', (_, at, value) => {
    expectParseError(() => parseClientHello(withByte(CLIENT_HELLO, at, value)));
  });

  it('rejects an extension running past the block, and a repeated extension type', () => {
    // supported_groups' extension_data length 0x0004 -> 0x0040.
    expectParseError(() => parseClientHello(withByte(CLIENT_HELLO, 55, 0x40)));
    // ec_point_formats (000b) renamed supported_groups (000a): two of one type (RFC 5246 §7.4.1.4).
    const error = expectParseError(() => parseClientHello(withByte(CLIENT_HELLO, 61, 0x0a)));
    expect(error.message).toMatch(/twice/);
    expect(error.offset).toBe(60);
  });

  it('refuses to encode out-of-range fields', () => {
    const base = parseClientHello(CLIENT_HELLO);
    expect(() => encodeClientHello({ ...base, random: new Uint8Array(31) })).toThrow(RangeError);
    expect(() => encodeClientHello({ ...base, sessionId: new Uint8Array(33) })).toThrow(RangeError);
    expect(() => encodeClientHello({ ...base, cipherSuites: [] })).toThrow(RangeError);
    expect(() => encodeClientHello({ ...base, compressionMethods: [] })).toThrow(RangeError);
    const twice = [...base.extensions, { type: ExtensionType.useSrtp, data: new Uint8Array(0) }];
    expect(() => encodeClientHello({ ...base, extensions: twice })).toThrow(RangeError);
  });
});

describe('ServerHello and HelloVerifyRequest', () => {
  const serverHello = {
    serverVersion: ProtocolVersion.dtls1_2,
    random: RANDOM,
    sessionId: fromHex('aabb'),
    cipherSuite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    compressionMethod: 0,
    extensions: [
      { type: ExtensionType.extendedMasterSecret, data: new Uint8Array(0) },
      { type: ExtensionType.renegotiationInfo, data: fromHex('00') },
    ],
  };

  it('encodes ServerHello in the RFC 5246 §7.4.1.3 layout and parses it back', () => {
    const encoded = encodeServerHello(serverHello);
    expect(toHex(encoded)).toBe(`fefd${toHex(RANDOM)}02aabbc02b00000900170000ff01000100`);
    expect(parseServerHello(encoded)).toEqual(serverHello);
    expect(parseServerHello(encoded.subarray(0, 2 + 32 + 3 + 3)).extensions).toEqual([]);
  });

  it('rejects a truncated, overlong or trailing ServerHello', () => {
    const encoded = encodeServerHello(serverHello);
    expectParseError(() => parseServerHello(encoded.subarray(0, 39)));
    expectParseError(() => parseServerHello(encoded.subarray(0, encoded.length - 1)));
    expectParseError(() => parseServerHello(appendByte(encoded)));
    expectParseError(() => parseServerHello(withByte(encoded, 34, 33)));
  });

  it('encodes HelloVerifyRequest as version and cookie<0..255> (RFC 6347 §4.2.1)', () => {
    const request = { serverVersion: ProtocolVersion.dtls1_0, cookie: fromHex('c0ffee') };
    const encoded = encodeHelloVerifyRequest(request);
    expect(toHex(encoded)).toBe('feff03c0ffee');
    expect(parseHelloVerifyRequest(encoded)).toEqual(request);
    expectParseError(() => parseHelloVerifyRequest(encoded.subarray(0, 5)));
    expectParseError(() => parseHelloVerifyRequest(appendByte(encoded)));
    expect(() => encodeHelloVerifyRequest({ ...request, cookie: new Uint8Array(256) })).toThrow(
      RangeError,
    );
  });
});

describe('Certificate, CertificateRequest, CertificateVerify', () => {
  it('encodes certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1> (RFC 5246 §7.4.2)', () => {
    const message = { certificates: [fromHex('3003020101'), fromHex('30020500')] };
    const encoded = encodeCertificate(message);
    expect(toHex(encoded)).toBe('00000f' + '000005' + '3003020101' + '000004' + '30020500');
    expect(parseCertificate(encoded)).toEqual(message);
    expect(parseCertificate(fromHex('000000'))).toEqual({ certificates: [] });
  });

  it('rejects an empty ASN.1Cert, a list running past the body, and trailing bytes', () => {
    expectParseError(() => parseCertificate(fromHex('000003000000')));
    expectParseError(() => parseCertificate(fromHex('00000a00000130')));
    expectParseError(() => parseCertificate(fromHex('00000300000130')));
    expectParseError(() => parseCertificate(fromHex('0000040000013000')));
    expect(() => encodeCertificate({ certificates: [new Uint8Array(0)] })).toThrow(RangeError);
  });

  it('encodes CertificateRequest (RFC 5246 §7.4.4)', () => {
    const request = {
      certificateTypes: [ClientCertificateType.ecdsaSign, ClientCertificateType.rsaSign],
      signatureSchemes: [SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.rsa_pkcs1_sha256],
      certificateAuthorities: [fromHex('3000'), fromHex('300231')],
    };
    const encoded = encodeCertificateRequest(request);
    expect(toHex(encoded)).toBe('024001' + '000404030401' + '0009' + '00023000' + '0003300231');
    expect(parseCertificateRequest(encoded)).toEqual(request);
    const webrtc = { ...request, certificateAuthorities: [] };
    expect(parseCertificateRequest(encodeCertificateRequest(webrtc))).toEqual(webrtc);
  });

  it('rejects malformed CertificateRequests', () => {
    expectParseError(() => parseCertificateRequest(fromHex('00' + '00020403' + '0000')));
    expectParseError(() => parseCertificateRequest(fromHex('0140' + '0000' + '0000')));
    expectParseError(() => parseCertificateRequest(fromHex('0140' + '000304030' + '1' + '0000')));
    expectParseError(() => parseCertificateRequest(fromHex('0140' + '00020403' + '00020000')));
    expectParseError(() => parseCertificateRequest(fromHex('0140' + '00020403' + '000000')));
  });

  it('encodes CertificateVerify as scheme and signature<0..2^16-1> (RFC 5246 §7.4.8)', () => {
    const message = {
      signatureScheme: SignatureScheme.rsa_pss_rsae_sha256,
      signature: fromHex('0102'),
    };
    const encoded = encodeCertificateVerify(message);
    expect(toHex(encoded)).toBe('080400020102');
    expect(parseCertificateVerify(encoded)).toEqual(message);
    expectParseError(() => parseCertificateVerify(encoded.subarray(0, 5)));
    expectParseError(() => parseCertificateVerify(appendByte(encoded)));
  });
});

describe('ECDHE key exchange, ServerHelloDone, Finished', () => {
  const publicKey = new Uint8Array(32).fill(0x42);
  const signature = new Uint8Array(70).fill(0x5a);
  /** A ServerKeyExchange with the key and signature above. */
  const keyExchange = (namedCurve: number): Uint8Array =>
    encodeServerKeyExchange({
      namedCurve,
      publicKey,
      signatureScheme: SignatureScheme.ecdsa_secp256r1_sha256,
      signature,
    });

  it('encodes ServerKeyExchange (RFC 8422 §5.4) and returns the signed params as a view', () => {
    const encoded = keyExchange(NamedGroup.x25519);
    expect(toHex(encoded)).toBe(`03001d20${toHex(publicKey)}04030046${toHex(signature)}`);
    const parsed = parseServerKeyExchange(encoded);
    expect(parsed.namedCurve).toBe(NamedGroup.x25519);
    expect(parsed.publicKey).toEqual(publicKey);
    expect(parsed.signatureScheme).toBe(SignatureScheme.ecdsa_secp256r1_sha256);
    expect(parsed.signature).toEqual(signature);
    expect(toHex(parsed.params)).toBe(toHex(encoded.subarray(0, 4 + 32)));
    expect(parsed.params.buffer).toBe(encoded.buffer);
    expect(toHex(parsed.params)).toBe(toHex(encodeServerEcdhParams(NamedGroup.x25519, publicKey)));

    const clientRandom = new Uint8Array(32).fill(1);
    const signed = serverKeyExchangeSignedData(clientRandom, RANDOM, parsed.params);
    expect(toHex(signed)).toBe(toHex(clientRandom) + toHex(RANDOM) + toHex(parsed.params));
  });

  it('rejects a curve type other than named_curve, an empty point, truncation and trailing bytes', () => {
    const encoded = keyExchange(NamedGroup.secp256r1);
    const error = expectParseError(() => parseServerKeyExchange(withByte(encoded, 0, 1)));
    expect(error.offset).toBe(0);
    expectParseError(() => parseServerKeyExchange(withByte(encoded, 3, 0)));
    expectParseError(() => parseServerKeyExchange(encoded.subarray(0, encoded.length - 1)));
    expectParseError(() => parseServerKeyExchange(encoded.subarray(0, 36)));
    expectParseError(() => parseServerKeyExchange(appendByte(encoded)));
  });

  it('encodes ClientKeyExchange as ECPoint<1..255> (RFC 8422 §5.7)', () => {
    const point = new Uint8Array(65).fill(4);
    const encoded = encodeClientKeyExchange({ publicKey: point });
    expect(encoded[0]).toBe(65);
    expect(parseClientKeyExchange(encoded)).toEqual({ publicKey: point });
    expectParseError(() => parseClientKeyExchange(fromHex('00')));
    expectParseError(() => parseClientKeyExchange(encoded.subarray(0, 10)));
    expectParseError(() => parseClientKeyExchange(appendByte(encoded)));
    expect(() => encodeClientKeyExchange({ publicKey: new Uint8Array(0) })).toThrow(RangeError);
  });

  it('ServerHelloDone is an empty body', () => {
    expect(encodeServerHelloDone().length).toBe(0);
    expect(() => parseServerHelloDone(new Uint8Array(0))).not.toThrow();
    expectParseError(() => parseServerHelloDone(fromHex('00')));
  });

  it('Finished is verify_data of any length', () => {
    const verifyData = fromHex('0102030405060708090a0b0c');
    const encoded = encodeFinished({ verifyData });
    expect(toHex(encoded)).toBe(toHex(verifyData));
    expect(parseFinished(encoded)).toEqual({ verifyData });
    expect(parseFinished(new Uint8Array(0)).verifyData.length).toBe(0);
  });
});
