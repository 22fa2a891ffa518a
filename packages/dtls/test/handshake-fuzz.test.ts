import { concatBytes, fromHex } from '@typertc/common';
import { fuzzParser } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { DtlsParseError } from '../src/errors.js';
import {
  CipherSuite,
  ExtensionType,
  encodeCertificate,
  encodeCertificateRequest,
  encodeCertificateVerify,
  encodeClientHello,
  encodeClientKeyExchange,
  encodeEcPointFormats,
  encodeExtendedMasterSecret,
  encodeExtensions,
  encodeFinished,
  encodeHelloVerifyRequest,
  encodeRenegotiationInfo,
  encodeServerHello,
  encodeServerHelloDone,
  encodeServerKeyExchange,
  encodeSignatureAlgorithms,
  encodeSupportedGroups,
  encodeUseSrtp,
  fragmentMessage,
  HandshakeType,
  NamedGroup,
  ProtocolVersion,
  parseCertificate,
  parseCertificateRequest,
  parseCertificateVerify,
  parseClientHello,
  parseClientKeyExchange,
  parseEcPointFormats,
  parseExtendedMasterSecret,
  parseExtensions,
  parseFinished,
  parseHelloVerifyRequest,
  parseRenegotiationInfo,
  parseServerHello,
  parseServerHelloDone,
  parseServerKeyExchange,
  parseSignatureAlgorithms,
  parseSupportedGroups,
  parseUseSrtp,
  readHandshakeFragment,
  readHandshakeFragments,
  SignatureScheme,
  SrtpProtectionProfile,
} from '../src/handshake/index.js';

const RANDOM = new Uint8Array(32).fill(0x11);
const EMPTY = new Uint8Array(0);

const extensions = [
  { type: ExtensionType.supportedGroups, data: encodeSupportedGroups([NamedGroup.x25519]) },
  { type: ExtensionType.ecPointFormats, data: encodeEcPointFormats([0]) },
  {
    type: ExtensionType.signatureAlgorithms,
    data: encodeSignatureAlgorithms([SignatureScheme.ecdsa_secp256r1_sha256]),
  },
  {
    type: ExtensionType.useSrtp,
    data: encodeUseSrtp({ profiles: [SrtpProtectionProfile.SRTP_AEAD_AES_128_GCM], mki: EMPTY }),
  },
  { type: ExtensionType.extendedMasterSecret, data: encodeExtendedMasterSecret() },
  { type: ExtensionType.renegotiationInfo, data: encodeRenegotiationInfo() },
];

const clientHello = encodeClientHello({
  clientVersion: ProtocolVersion.dtls1_2,
  random: RANDOM,
  sessionId: EMPTY,
  cookie: fromHex('0102030405060708'),
  cipherSuites: [
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
  ],
  compressionMethods: [0],
  extensions,
});
const serverHello = encodeServerHello({
  serverVersion: ProtocolVersion.dtls1_2,
  random: RANDOM,
  sessionId: new Uint8Array(32).fill(3),
  cipherSuite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  compressionMethod: 0,
  extensions: extensions.slice(3),
});

/** Each parser with valid seeds to mutate. */
const PARSERS: readonly [string, (bytes: Uint8Array) => unknown, Uint8Array[]][] = [
  ['parseClientHello', parseClientHello, [clientHello, clientHello.subarray(0, 50)]],
  ['parseServerHello', parseServerHello, [serverHello]],
  [
    'parseHelloVerifyRequest',
    parseHelloVerifyRequest,
    [encodeHelloVerifyRequest({ serverVersion: ProtocolVersion.dtls1_0, cookie: RANDOM })],
  ],
  [
    'parseCertificate',
    parseCertificate,
    [encodeCertificate({ certificates: [fromHex('3003020101'), fromHex('3000')] })],
  ],
  [
    'parseCertificateRequest',
    parseCertificateRequest,
    [
      encodeCertificateRequest({
        certificateTypes: [64, 1],
        signatureSchemes: [SignatureScheme.ecdsa_secp256r1_sha256],
        certificateAuthorities: [fromHex('3000'), fromHex('300100')],
      }),
    ],
  ],
  [
    'parseCertificateVerify',
    parseCertificateVerify,
    [encodeCertificateVerify({ signatureScheme: 0x0403, signature: RANDOM })],
  ],
  [
    'parseServerKeyExchange',
    parseServerKeyExchange,
    [
      encodeServerKeyExchange({
        namedCurve: NamedGroup.secp256r1,
        publicKey: new Uint8Array(65).fill(4),
        signatureScheme: SignatureScheme.ecdsa_secp256r1_sha256,
        signature: new Uint8Array(71).fill(0x30),
      }),
    ],
  ],
  [
    'parseClientKeyExchange',
    parseClientKeyExchange,
    [encodeClientKeyExchange({ publicKey: RANDOM })],
  ],
  ['parseServerHelloDone', parseServerHelloDone, [encodeServerHelloDone()]],
  ['parseExtensions', parseExtensions, [encodeExtensions(extensions)]],
  [
    'parseSupportedGroups',
    parseSupportedGroups,
    [encodeSupportedGroups([NamedGroup.x25519, NamedGroup.secp256r1])],
  ],
  ['parseEcPointFormats', parseEcPointFormats, [encodeEcPointFormats([0, 1, 2])]],
  [
    'parseSignatureAlgorithms',
    parseSignatureAlgorithms,
    [encodeSignatureAlgorithms(Object.values(SignatureScheme))],
  ],
  ['parseUseSrtp', parseUseSrtp, [encodeUseSrtp({ profiles: [1, 7, 8], mki: fromHex('aa') })]],
  ['parseExtendedMasterSecret', parseExtendedMasterSecret, [EMPTY]],
  ['parseRenegotiationInfo', parseRenegotiationInfo, [encodeRenegotiationInfo(RANDOM)]],
];

const record = concatBytes(
  ...fragmentMessage(HandshakeType.serverHello, 1, serverHello, 60),
  ...fragmentMessage(HandshakeType.serverHelloDone, 2, EMPTY, 60),
);

describe('handshake parsers under fuzzing', () => {
  it.each(PARSERS)('fuzz: %s throws only DtlsParseError', (_, parse, seeds) => {
    const stats = fuzzParser({ seeds, parse, expectedError: DtlsParseError });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });

  it('fuzz: parseFinished accepts any body', () => {
    const seeds = [encodeFinished({ verifyData: RANDOM.subarray(0, 12) })];
    const stats = fuzzParser({ seeds, parse: parseFinished, expectedError: DtlsParseError });
    expect(stats.accepted).toBe(stats.iterations);
  });

  it('fuzz: readHandshakeFragment and readHandshakeFragments throw only DtlsParseError', () => {
    const seeds = [record, record.subarray(0, 60)];
    for (const parse of [
      (bytes: Uint8Array) => readHandshakeFragment(bytes),
      readHandshakeFragments,
    ]) {
      const stats = fuzzParser({ seeds, parse, expectedError: DtlsParseError });
      expect(stats.rejected).toBeGreaterThan(0);
    }
  });
});
