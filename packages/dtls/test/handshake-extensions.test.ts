import { fromHex, toHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import { DtlsParseError } from '../src/errors.js';
import {
  ExtensionType,
  encodeEcPointFormats,
  encodeExtendedMasterSecret,
  encodeExtensions,
  encodeRenegotiationInfo,
  encodeSignatureAlgorithms,
  encodeSupportedGroups,
  encodeUseSrtp,
  NamedGroup,
  parseEcPointFormats,
  parseExtendedMasterSecret,
  parseExtensions,
  parseRenegotiationInfo,
  parseSignatureAlgorithms,
  parseSupportedGroups,
  parseUseSrtp,
  SignatureScheme,
  SrtpProtectionProfile,
} from '../src/handshake/index.js';

function expectParseError(parse: () => unknown): void {
  expect(parse).toThrow(DtlsParseError);
}

describe('extensions', () => {
  it('keeps unknown extensions in order as views', () => {
    const block = encodeExtensions([
      { type: 0x3374, data: fromHex('abcd') },
      { type: ExtensionType.extendedMasterSecret, data: new Uint8Array(0) },
    ]);
    expect(toHex(block)).toBe('000a' + '33740002abcd' + '00170000');
    const parsed = parseExtensions(block);
    expect(parsed).toEqual([
      { type: 0x3374, data: fromHex('abcd') },
      { type: ExtensionType.extendedMasterSecret, data: new Uint8Array(0) },
    ]);
    expect(parsed[0]?.data.buffer).toBe(block.buffer);
    expect(parseExtensions(fromHex('0000'))).toEqual([]);
  });

  it('rejects malformed blocks', () => {
    expectParseError(() => parseExtensions(fromHex('00')));
    expectParseError(() => parseExtensions(fromHex('000500170000')));
    expectParseError(() => parseExtensions(fromHex('0003001700')));
    expectParseError(() => parseExtensions(fromHex('00050017000200')));
    expectParseError(() => parseExtensions(fromHex('0000' + '00')));
    expectParseError(() => parseExtensions(fromHex('0008' + '00170000' + '00170000')));
  });

  it('round-trips each typed extension in its RFC layout', () => {
    const groups = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1];
    expect(toHex(encodeSupportedGroups(groups))).toBe('0006001d00170018');
    expect(parseSupportedGroups(encodeSupportedGroups(groups))).toEqual(groups);

    expect(toHex(encodeEcPointFormats([0]))).toBe('0100');
    expect(parseEcPointFormats(fromHex('020001'))).toEqual([0, 1]);

    const schemes = Object.values(SignatureScheme);
    expect(toHex(encodeSignatureAlgorithms(schemes))).toBe('0008' + '0401040305030804');
    expect(parseSignatureAlgorithms(encodeSignatureAlgorithms(schemes))).toEqual(schemes);

    const srtp = {
      profiles: [
        SrtpProtectionProfile.SRTP_AEAD_AES_128_GCM,
        SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80,
      ],
      mki: fromHex('aa'),
    };
    expect(toHex(encodeUseSrtp(srtp))).toBe('000400070001' + '01aa');
    expect(parseUseSrtp(encodeUseSrtp(srtp))).toEqual(srtp);

    expect(encodeExtendedMasterSecret().length).toBe(0);
    expect(toHex(encodeRenegotiationInfo(fromHex('0102')))).toBe('020102');
    expect(parseRenegotiationInfo(fromHex('020102'))).toEqual(fromHex('0102'));
  });

  it.each([
    ['supported_groups empty', () => parseSupportedGroups(fromHex('0000'))],
    ['supported_groups odd', () => parseSupportedGroups(fromHex('0003001d00'))],
    ['supported_groups trailing', () => parseSupportedGroups(fromHex('0002001d00'))],
    ['ec_point_formats empty', () => parseEcPointFormats(fromHex('00'))],
    ['ec_point_formats truncated', () => parseEcPointFormats(fromHex('0200'))],
    ['signature_algorithms odd', () => parseSignatureAlgorithms(fromHex('000104'))],
    ['signature_algorithms 0xffff bytes', () => parseSignatureAlgorithms(fromHex('ffff'))],
    ['use_srtp without MKI', () => parseUseSrtp(fromHex('00020001'))],
    ['use_srtp empty profiles', () => parseUseSrtp(fromHex('000000'))],
    ['use_srtp MKI truncated', () => parseUseSrtp(fromHex('0002000102aa'))],
    ['extended_master_secret with data', () => parseExtendedMasterSecret(fromHex('00'))],
    ['renegotiation_info truncated', () => parseRenegotiationInfo(fromHex('01'))],
    ['renegotiation_info trailing', () => parseRenegotiationInfo(fromHex('0000'))],
  ])('rejects %s', (_, parse) => {
    expectParseError(parse);
  });
});
