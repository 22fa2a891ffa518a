import { ByteWriter, fromHex, toHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import {
  ChunkType,
  cookiePreservativeParameter,
  type ErrorCause,
  ErrorCauseCode,
  encodeParameters,
  encodeReconfigChunk,
  encodeReconfigParameter,
  errorCausesLength,
  findParameter,
  invalidStreamIdentifierCause,
  missingMandatoryParameterCause,
  noUserDataCause,
  type Parameter,
  ParameterType,
  paddingParameter,
  parametersLength,
  parseCookiePreservative,
  parseErrorCauses,
  parseParameters,
  parseReconfigChunk,
  parseReconfigParameter,
  parseSupportedAddressTypes,
  parseSupportedExtensions,
  parseUnrecognizedParameter,
  type ReconfigParameter,
  ReconfigResult,
  staleCookieCause,
  supportedAddressTypesParameter,
  supportedExtensionsParameter,
  unrecognizedParameterParameter,
  writeErrorCauses,
  writeParameters,
} from '../src/packet/index.js';
import { inPacket, parseError } from './packet-helpers.js';

const strip = (parameters: readonly Parameter[]) =>
  parameters.map(({ type, value }) => ({ type, value }));

describe('parameter lists (RFC 9260 §3.2.1)', () => {
  const parameters: Parameter[] = [
    { type: ParameterType.stateCookie, value: new Uint8Array([1, 2, 3]) },
    { type: ParameterType.forwardTsnSupported, value: new Uint8Array(0) },
    { type: ParameterType.heartbeatInfo, value: new Uint8Array([4, 5, 6, 7, 8]) },
  ];

  it('encode with padding after every parameter and parse back', () => {
    const bytes = encodeParameters(parameters);
    expect(toHex(bytes)).toBe(
      '00070007010203' + '00' + 'c0000004' + '000100090405060708' + '000000',
    );
    expect(strip(parseParameters(bytes))).toEqual(parameters);
  });

  it('count every parameter but the last one padded, as the Chunk Length does', () => {
    expect(parametersLength(parameters)).toBe(8 + 4 + 9);
    expect(parametersLength([])).toBe(0);
    const writer = new ByteWriter();
    writeParameters(writer, parameters);
    expect(writer.offset).toBe(24);
  });

  it('accept a last parameter without its padding, and report offsets from a base', () => {
    const bytes = encodeParameters(parameters).subarray(0, 21);
    const parsed = parseParameters(bytes, 100);
    expect(strip(parsed)).toEqual(parameters);
    expect(parsed.map((parameter) => parameter.offset)).toEqual([100, 108, 112]);
  });

  it('reject lengths below 4, parameters past the end and stray bytes', () => {
    expect(parseError(() => parseParameters(fromHex('0007 0003'), 20)).offset).toBe(20);
    expect(parseError(() => parseParameters(fromHex('0007 0008 0102'), 20)).offset).toBe(20);
    expect(() => parseParameters(fromHex('c000 0004 00'))).toThrow(/parameter list/);
    expect(() => parseParameters(fromHex('c000 0004 0000 00'))).toThrow(/parameter list/);
  });

  it('keep address parameters as opaque entries to ignore (RFC 8261 §4)', () => {
    const bytes = fromHex('0005 0008 c0a80001  0006 0014 20010db8000000000000000000000001');
    const parsed = parseParameters(bytes);
    expect(parsed.map((parameter) => [parameter.type, parameter.value.length])).toEqual([
      [ParameterType.ipv4Address, 4],
      [ParameterType.ipv6Address, 16],
    ]);
    expect(findParameter(parsed, ParameterType.ipv6Address)?.offset).toBe(8);
    expect(findParameter(parsed, ParameterType.stateCookie)).toBeUndefined();
  });

  it('refuse a value longer than a 16-bit length can count', () => {
    expect(() => encodeParameters([{ type: 1, value: new Uint8Array(65532) }])).toThrow(RangeError);
    expect(() => encodeParameters([{ type: 65536, value: new Uint8Array(0) }])).toThrow(RangeError);
  });
});

describe('typed parameters', () => {
  it('Cookie Preservative (RFC 9260 §3.3.2.1.3)', () => {
    const parameter = cookiePreservativeParameter(0x01020304);
    expect(toHex(encodeParameters([parameter]))).toBe('0009000801020304');
    expect(parseCookiePreservative(parameter)).toBe(0x01020304);
    expect(() =>
      parseCookiePreservative({ type: 9, value: new Uint8Array(3), offset: 40 }),
    ).toThrow(/at offset 40/);
  });

  it('Supported Address Types (RFC 9260 §3.3.2.1.5)', () => {
    const parameter = supportedAddressTypesParameter([5, 6]);
    expect(toHex(encodeParameters([parameter]))).toBe('000c000800050006');
    expect(parseSupportedAddressTypes(parameter)).toEqual([5, 6]);
    expect(() => parseSupportedAddressTypes({ type: 12, value: new Uint8Array(3) })).toThrow(/odd/);
  });

  it('Supported Extensions (RFC 5061 §4.2.7)', () => {
    const parameter = supportedExtensionsParameter([ChunkType.reconfig, ChunkType.forwardTsn]);
    expect(toHex(encodeParameters([parameter]))).toBe('80080006' + '82c0' + '0000');
    expect(parseSupportedExtensions(parameter)).toEqual([130, 192]);
    expect(() => supportedExtensionsParameter([256])).toThrow(RangeError);
  });

  it('Padding (RFC 4820 §3)', () => {
    expect(toHex(encodeParameters([paddingParameter(3)]))).toBe('80050007' + '000000' + '00');
    expect(() => paddingParameter(65532)).toThrow(RangeError);
  });

  it('Unrecognized Parameter (RFC 9260 §3.3.3.1) wraps the original whole', () => {
    const original = { type: 0x4123, value: new Uint8Array([7, 7, 7]) };
    const wrapped = unrecognizedParameterParameter(original);
    expect(toHex(encodeParameters([wrapped]))).toBe('0008000c' + '41230007070707' + '00');
    const [parsed] = parseParameters(encodeParameters([wrapped]), 20);
    if (parsed === undefined) throw new Error('no parameter');
    const inner = parseUnrecognizedParameter(parsed);
    expect(inner).toEqual({ ...original, offset: 24 });
    const none = { type: 8, value: new Uint8Array(0) };
    expect(() => parseUnrecognizedParameter(none)).toThrow(/holds 0 parameters/);
    const two = { type: 8, value: encodeParameters([original, original]) };
    expect(() => parseUnrecognizedParameter(two)).toThrow(/holds 2 parameters/);
  });
});

const outgoing: ReconfigParameter = {
  type: ParameterType.outgoingSsnResetRequest,
  requestSequence: 1,
  responseSequence: 2,
  lastAssignedTsn: 3,
  streams: [4, 5],
};
const incoming: ReconfigParameter = {
  type: ParameterType.incomingSsnResetRequest,
  requestSequence: 9,
  streams: [1],
};
const ssnTsn: ReconfigParameter = {
  type: ParameterType.ssnTsnResetRequest,
  requestSequence: 0xffffffff,
};
const response: ReconfigParameter = {
  type: ParameterType.reconfigurationResponse,
  responseSequence: 1,
  result: ReconfigResult.successPerformed,
};
const responseWithTsns: ReconfigParameter = {
  type: ParameterType.reconfigurationResponse,
  responseSequence: 2,
  result: ReconfigResult.inProgress,
  nextTsns: { sender: 10, receiver: 20 },
};
const addOutgoing: ReconfigParameter = {
  type: ParameterType.addOutgoingStreamsRequest,
  requestSequence: 5,
  newStreams: 16,
};
const addIncoming: ReconfigParameter = {
  type: ParameterType.addIncomingStreamsRequest,
  requestSequence: 6,
  newStreams: 1,
};

/** Each parameter and its bytes as RFC 6525 §4 lays them out. */
const RECONFIG_PARAMETERS: [ReconfigParameter, string][] = [
  [outgoing, '000d0014' + '00000001' + '00000002' + '00000003' + '00040005'],
  [incoming, '000e000a' + '00000009' + '0001' + '0000'],
  [ssnTsn, '000f0008ffffffff'],
  [response, '0010000c' + '00000001' + '00000001'],
  [responseWithTsns, '00100014' + '00000002' + '00000006' + '0000000a' + '00000014'],
  [addOutgoing, '0011000c' + '00000005' + '0010' + '0000'],
  [addIncoming, '0012000c' + '00000006' + '0001' + '0000'],
];

describe('RE-CONFIG parameters (RFC 6525 §4)', () => {
  for (const [parameter, hex] of RECONFIG_PARAMETERS) {
    it(`parameter ${parameter.type} round-trips as §4 lays it out`, () => {
      const encoded = encodeParameters([encodeReconfigParameter(parameter)]);
      expect(toHex(encoded)).toBe(hex);
      const [generic] = parseParameters(encoded);
      if (generic === undefined) throw new Error('no parameter');
      expect(parseReconfigParameter(generic)).toEqual(parameter);
    });
  }

  it('reject wrong lengths and foreign types', () => {
    for (const hex of [
      '000d0011 00000001 00000002 00000003 00', // half a stream number
      '000e0006 0000', // truncated request sequence number
      '000f000c 00000001 00000000', // SSN/TSN reset with extra bytes
      '00100010 00000001 00000000 0000000a', // a lone next TSN
      '0011000a 00000005 0010', // no reserved field
      '00070008 00000001', // a State Cookie
    ]) {
      const [generic] = parseParameters(fromHex(hex), 16);
      if (generic === undefined) throw new Error('no parameter');
      expect(parseError(() => parseReconfigParameter(generic)).offset, hex).toBeGreaterThanOrEqual(
        16,
      );
    }
  });
});

describe('RE-CONFIG chunk (RFC 6525 §3.1)', () => {
  const allowed: ReconfigParameter[][] = [
    [outgoing],
    [incoming],
    [outgoing, incoming],
    [incoming, outgoing],
    [ssnTsn],
    [addOutgoing],
    [addIncoming],
    [addOutgoing, addIncoming],
    [response],
    [response, outgoing],
    [response, response],
  ];

  it('round-trips each allowed combination', () => {
    for (const parameters of allowed) {
      const { packet, header } = inPacket(encodeReconfigChunk(parameters));
      expect(header.type).toBe(ChunkType.reconfig);
      expect(parseReconfigChunk(packet, header)).toEqual(parameters);
    }
  });

  it('rejects other combinations, both ways', () => {
    const forbidden: ReconfigParameter[][] = [
      [],
      [outgoing, outgoing],
      [ssnTsn, response],
      [addOutgoing, outgoing],
      [response, outgoing, incoming],
    ];
    for (const parameters of forbidden) {
      expect(() => encodeReconfigChunk(parameters)).toThrow(RangeError);
      const value = encodeParameters(parameters.map(encodeReconfigParameter));
      const chunk = new Uint8Array(4 + value.length);
      chunk.set([ChunkType.reconfig, 0, 0, chunk.length]);
      chunk.set(value, 4);
      const { packet, header } = inPacket(chunk);
      expect(parseError(() => parseReconfigChunk(packet, header)).message).toMatch(/RFC 6525/);
    }
  });
});

describe('error causes (RFC 9260 §3.3.10)', () => {
  it('build the structured causes', () => {
    const hex = (cause: ErrorCause) => [cause.code, toHex(cause.info)];
    expect(hex(invalidStreamIdentifierCause(0x1234))).toEqual([1, '12340000']);
    expect(hex(missingMandatoryParameterCause([7, 9]))).toEqual([2, '0000000200070009']);
    expect(hex(staleCookieCause(1_000_000))).toEqual([3, '000f4240']);
    expect(hex(noUserDataCause(0xfffffffe))).toEqual([9, 'fffffffe']);
    expect(() => invalidStreamIdentifierCause(65536)).toThrow(RangeError);
  });

  it('round-trip a list, padded like parameters', () => {
    const causes: ErrorCause[] = [
      { code: ErrorCauseCode.userInitiatedAbort, info: new Uint8Array([0x41]) },
      { code: ErrorCauseCode.outOfResource, info: new Uint8Array(0) },
      { code: ErrorCauseCode.unrecognizedChunkType, info: fromHex('85000006abcd') },
    ];
    const writer = new ByteWriter();
    writeErrorCauses(writer, causes);
    const bytes = writer.finish();
    expect(toHex(bytes)).toBe('000c000541000000' + '00040004' + '0006000a85000006abcd0000');
    expect(errorCausesLength(causes)).toBe(bytes.length - 2);
    expect(parseErrorCauses(bytes)).toEqual(causes);
  });

  it('reject malformed lists', () => {
    expect(parseError(() => parseErrorCauses(fromHex('000d 0002'), 8)).offset).toBe(8);
    expect(() => parseErrorCauses(fromHex('000d 0009 41'))).toThrow(/error cause list/);
    expect(() => parseErrorCauses(fromHex('0004 0004 00 00'))).toThrow(/error cause list/);
  });
});
