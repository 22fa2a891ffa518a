/**
 * INIT (RFC 9260 §3.3.2) and INIT ACK (§3.3.3): the same fixed fields, then parameters.
 *
 *      0                   1                   2                   3
 *     +---------------+---------------+-------------------------------+
 *     |  Type = 1/2   |  Chunk Flags  |         Chunk Length          |
 *     +---------------+---------------+-------------------------------+
 *     |                         Initiate Tag                          |
 *     +---------------------------------------------------------------+
 *     |          Advertised Receiver Window Credit (a_rwnd)           |
 *     +-------------------------------+-------------------------------+
 *     |  Number of Outbound Streams   |   Number of Inbound Streams   |
 *     +-------------------------------+-------------------------------+
 *     |                          Initial TSN                          |
 *     +---------------------------------------------------------------+
 *     \              Optional/Variable-Length Parameters              \
 *     +---------------------------------------------------------------+
 */

import { readU16BE, readU32BE } from '@typertc/common';
import { SctpParseError } from '../errors.js';
import {
  CHUNK_HEADER_LENGTH,
  type ChunkHeader,
  ChunkType,
  checkChunkLength,
  encodeChunk,
} from './chunk.js';
import {
  type Parameter,
  parametersLength,
  parseParameters,
  writeParameters,
} from './parameters.js';

/** Chunk header plus the fixed fields. */
export const INIT_CHUNK_HEADER_LENGTH = 20;

export interface InitChunk {
  /** The verification tag the sender wants on every packet sent to it; never 0. */
  readonly initiateTag: number;
  readonly advertisedReceiverWindow: number;
  /** Streams the sender wants to open towards the receiver (OS); never 0. */
  readonly outboundStreams: number;
  /** Streams the sender accepts from the receiver (MIS); never 0. */
  readonly inboundStreams: number;
  readonly initialTsn: number;
  /** In order. An INIT ACK must carry a State Cookie (§3.3.3); the association checks for it. */
  readonly parameters: readonly Parameter[];
}

/**
 * Parses an INIT or INIT ACK. A zero initiate tag or stream count is malformed: RFC 9260 §3.3.2
 * and §3.3.3 have the receiver discard the packet (and may send ABORT).
 */
export function parseInitChunk(packet: Uint8Array, header: ChunkHeader): InitChunk {
  const name = header.type === ChunkType.initAck ? 'INIT ACK' : 'INIT';
  checkChunkLength(packet, header, name, INIT_CHUNK_HEADER_LENGTH);
  const at = header.offset + CHUNK_HEADER_LENGTH;
  const initiateTag = readU32BE(packet, at);
  const advertisedReceiverWindow = readU32BE(packet, at + 4);
  const outboundStreams = readU16BE(packet, at + 8);
  const inboundStreams = readU16BE(packet, at + 10);
  const initialTsn = readU32BE(packet, at + 12);
  if (initiateTag === 0) throw new SctpParseError(`${name} with initiate tag 0`, at);
  if (outboundStreams === 0) throw new SctpParseError(`${name} with 0 outbound streams`, at + 8);
  if (inboundStreams === 0) throw new SctpParseError(`${name} with 0 inbound streams`, at + 10);
  const parametersStart = header.offset + INIT_CHUNK_HEADER_LENGTH;
  const parameters = parseParameters(
    packet.subarray(parametersStart, header.offset + header.length),
    parametersStart,
  );
  return {
    initiateTag,
    advertisedReceiverWindow,
    outboundStreams,
    inboundStreams,
    initialTsn,
    parameters,
  };
}

function encode(type: number, init: InitChunk): Uint8Array {
  if (init.initiateTag === 0) throw new RangeError('the initiate tag must not be 0');
  if (init.outboundStreams === 0 || init.inboundStreams === 0) {
    throw new RangeError('stream counts must not be 0');
  }
  const valueLength =
    INIT_CHUNK_HEADER_LENGTH - CHUNK_HEADER_LENGTH + parametersLength(init.parameters);
  return encodeChunk(type, 0, valueLength, (writer) => {
    writer
      .u32(init.initiateTag)
      .u32(init.advertisedReceiverWindow)
      .u16(init.outboundStreams)
      .u16(init.inboundStreams)
      .u32(init.initialTsn);
    writeParameters(writer, init.parameters);
  });
}

export function encodeInitChunk(init: InitChunk): Uint8Array {
  return encode(ChunkType.init, init);
}

export function encodeInitAckChunk(initAck: InitChunk): Uint8Array {
  return encode(ChunkType.initAck, initAck);
}
