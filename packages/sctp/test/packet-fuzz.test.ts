/**
 * Mutation fuzzing of every SCTP wire-format parser: whatever the bytes, the only error is
 * `SctpParseError`, and nothing hangs.
 */

import { fromHex } from '@typertc/common';
import { fuzzIterations, fuzzParser } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { SctpParseError } from '../src/errors.js';
import {
  type ChunkHeader,
  ChunkType,
  COMMON_HEADER_LENGTH,
  cookiePreservativeParameter,
  createChunkHeader,
  createDataChunkFields,
  createSackFields,
  dataChunkSize,
  encodeAbortChunk,
  encodeCookieEchoChunk,
  encodeErrorChunk,
  encodeForwardTsnChunk,
  encodeHeartbeatChunk,
  encodeInitAckChunk,
  encodeInitChunk,
  encodeParameters,
  encodeReconfigChunk,
  encodeShutdownChunk,
  forwardTsnSupportedParameter,
  invalidStreamIdentifierCause,
  missingMandatoryParameterCause,
  type Parameter,
  ParameterType,
  parseAbortChunk,
  parseCookieEchoChunk,
  parseCookiePreservative,
  parseErrorCauses,
  parseErrorChunk,
  parseForwardTsnChunk,
  parseHeartbeatChunk,
  parseInitChunk,
  parseParameters,
  parseReconfigChunk,
  parseReconfigParameter,
  parseShutdownChunk,
  parseSupportedAddressTypes,
  parseSupportedExtensions,
  parseUnrecognizedParameter,
  ReconfigResult,
  readChunkHeader,
  readCommonHeader,
  readDataChunk,
  readSackChunk,
  sackChunkLength,
  supportedAddressTypesParameter,
  supportedExtensionsParameter,
  unrecognizedParameterParameter,
  verifyChecksum,
  writeDataChunk,
  writeSackChunk,
} from '../src/packet/index.js';
import { packetOf } from './packet-helpers.js';

const CHROME_INIT = fromHex(
  '1388138800000000bcb345a201000056ce1579a20002000004000800945795c0c000000480080009c00fc1808200000080020024ff5c49194a94e82aec585562291f8e23cd7ce846ba581b3dabd77e50f241b12e80040006000100008003000680c10000',
);

function dataChunk(): Uint8Array {
  const chunk = new Uint8Array(dataChunkSize(5));
  const fields = { ...createDataChunkFields(), tsn: 9, ppid: 51, beginning: true, ending: true };
  writeDataChunk(chunk, 0, { ...fields, userData: new Uint8Array([1, 2, 3, 4, 5]) });
  return chunk;
}

function sackChunk(): Uint8Array {
  const chunk = new Uint8Array(sackChunkLength(2, 1));
  writeSackChunk(chunk, 0, 100, 0x20000, [2, 5], [3, 6], 2, [99], 1);
  return chunk;
}

const PARAMETERS: Parameter[] = [
  forwardTsnSupportedParameter(),
  supportedExtensionsParameter([ChunkType.reconfig, ChunkType.forwardTsn]),
  supportedAddressTypesParameter([5, 6]),
  cookiePreservativeParameter(500),
  unrecognizedParameterParameter({ type: 0x4001, value: new Uint8Array([1, 2, 3]) }),
  { type: ParameterType.stateCookie, value: new Uint8Array([1, 2, 3, 4, 5, 6, 7]) },
];

const INIT = {
  initiateTag: 0x11223344,
  advertisedReceiverWindow: 0x20000,
  outboundStreams: 1024,
  inboundStreams: 1024,
  initialTsn: 0xfffffff0,
  parameters: PARAMETERS,
};

const CAUSES = [
  invalidStreamIdentifierCause(3),
  missingMandatoryParameterCause([ParameterType.stateCookie]),
  { code: 13, info: new Uint8Array([0x61, 0x62, 0x63]) },
];

const RECONFIG = encodeReconfigChunk([
  {
    type: ParameterType.reconfigurationResponse,
    responseSequence: 1,
    result: ReconfigResult.denied,
  },
  {
    type: ParameterType.outgoingSsnResetRequest,
    requestSequence: 2,
    responseSequence: 1,
    lastAssignedTsn: 7,
    streams: [1, 3],
  },
]);

/** Each chunk parser with chunks it accepts. */
const CHUNK_PARSERS: {
  name: string;
  seeds: Uint8Array[];
  parse: (packet: Uint8Array, header: ChunkHeader) => unknown;
}[] = [
  {
    name: 'DATA',
    seeds: [dataChunk()],
    parse: (packet, header) => readDataChunk(packet, header, createDataChunkFields()),
  },
  {
    name: 'SACK',
    seeds: [sackChunk()],
    parse: (packet, header) => readSackChunk(packet, header, createSackFields()),
  },
  {
    name: 'INIT',
    seeds: [encodeInitChunk(INIT), encodeInitAckChunk(INIT), CHROME_INIT.subarray(12)],
    parse: parseInitChunk,
  },
  {
    name: 'HEARTBEAT',
    seeds: [encodeHeartbeatChunk(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))],
    parse: parseHeartbeatChunk,
  },
  {
    name: 'ABORT',
    seeds: [encodeAbortChunk({ tagReflected: true, causes: CAUSES })],
    parse: parseAbortChunk,
  },
  { name: 'ERROR', seeds: [encodeErrorChunk(CAUSES)], parse: parseErrorChunk },
  { name: 'SHUTDOWN', seeds: [encodeShutdownChunk(0xabcdef01)], parse: parseShutdownChunk },
  {
    name: 'COOKIE ECHO',
    seeds: [encodeCookieEchoChunk(new Uint8Array(21).fill(7))],
    parse: parseCookieEchoChunk,
  },
  {
    name: 'FORWARD TSN',
    seeds: [
      encodeForwardTsnChunk({
        newCumulativeTsn: 5,
        streams: [
          { streamId: 1, ssn: 2 },
          { streamId: 3, ssn: 4 },
        ],
      }),
    ],
    parse: parseForwardTsnChunk,
  },
  { name: 'RE-CONFIG', seeds: [RECONFIG], parse: parseReconfigChunk },
];

/** Reads a parameter's value with the codec for its type, as an INIT's receiver would. */
function parseTyped(parameter: Parameter): unknown {
  switch (parameter.type) {
    case ParameterType.cookiePreservative:
      return parseCookiePreservative(parameter);
    case ParameterType.supportedAddressTypes:
      return parseSupportedAddressTypes(parameter);
    case ParameterType.supportedExtensions:
      return parseSupportedExtensions(parameter);
    case ParameterType.unrecognizedParameter:
      return parseUnrecognizedParameter(parameter);
    default:
      return parameter.type >= ParameterType.outgoingSsnResetRequest &&
        parameter.type <= ParameterType.addIncomingStreamsRequest
        ? parseReconfigParameter(parameter)
        : parameter.value;
  }
}

/** Every chunk of a packet, each handed to its parser. */
function parsePacket(packet: Uint8Array): number {
  verifyChecksum(packet); // mutants fail it; the parsers must cope with them anyway
  readCommonHeader(packet, { sourcePort: 0, destinationPort: 0, verificationTag: 0 });
  const header = createChunkHeader();
  let chunks = 0;
  for (let at = COMMON_HEADER_LENGTH; at < packet.length; at = header.next, chunks++) {
    readChunkHeader(packet, at, header);
    const parser = CHUNK_PARSERS.find(({ seeds }) => seeds.some((seed) => seed[0] === header.type));
    const result = parser?.parse(packet, header);
    if (header.type === ChunkType.init) {
      (result as { parameters: Parameter[] }).parameters.forEach(parseTyped);
    }
  }
  return chunks;
}

describe('fuzz', () => {
  it('fuzz: a whole packet, every chunk header and chunk, throws only SctpParseError', () => {
    const stats = fuzzParser({
      seeds: [
        CHROME_INIT,
        packetOf(encodeCookieEchoChunk(new Uint8Array(8)), dataChunk(), sackChunk()),
        packetOf(encodeAbortChunk({ tagReflected: false, causes: CAUSES }), RECONFIG),
        packetOf(
          encodeHeartbeatChunk(new Uint8Array(4)),
          encodeShutdownChunk(1),
          encodeErrorChunk(CAUSES),
        ),
        packetOf(encodeInitChunk(INIT)),
      ],
      iterations: fuzzIterations(4000),
      expectedError: SctpParseError,
      parse: parsePacket,
    });
    expect(stats.accepted).toBeGreaterThan(100);
    expect(stats.rejected).toBeGreaterThan(100);
  });

  for (const { name, seeds, parse } of CHUNK_PARSERS) {
    it(`fuzz: the ${name} chunk parser throws only SctpParseError`, () => {
      const header = createChunkHeader();
      const stats = fuzzParser({
        seeds,
        iterations: fuzzIterations(1500),
        expectedError: SctpParseError,
        // The chunk at offset 0 of the input: parsers need no common header before it.
        parse(bytes) {
          readChunkHeader(bytes, 0, header);
          return parse(bytes, header);
        },
      });
      expect(stats.accepted).toBeGreaterThan(0);
    });
  }

  it('fuzz: parameter lists and the typed parameter codecs throw only SctpParseError', () => {
    const reconfigParameters = RECONFIG.subarray(4);
    fuzzParser({
      seeds: [encodeParameters(PARAMETERS), reconfigParameters],
      expectedError: SctpParseError,
      parse: (bytes) => parseParameters(bytes, 20).map(parseTyped),
    });
  });

  it('fuzz: error cause lists throw only SctpParseError', () => {
    const bytes = encodeErrorChunk(CAUSES).subarray(4);
    fuzzParser({
      seeds: [bytes],
      expectedError: SctpParseError,
      parse: (input) => parseErrorCauses(input, 16),
    });
  });
});
