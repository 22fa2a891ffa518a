/**
 * The small control chunks of RFC 9260 §3.3 (HEARTBEAT, ABORT, SHUTDOWN and its acks, ERROR,
 * COOKIE ECHO and COOKIE ACK) and FORWARD TSN (RFC 3758 §3.2). Rare enough to allocate: parsers
 * return plain objects with views into the packet, encoders a whole padded chunk.
 */

import { readU16BE, readU32BE } from '@typertc/common';
import { SctpParseError } from '../errors.js';
import {
  CHUNK_FLAG_T,
  CHUNK_HEADER_LENGTH,
  type ChunkHeader,
  ChunkType,
  checkChunkLength,
  chunkValue,
  encodeChunk,
  isTagReflected,
} from './chunk.js';
import {
  type ErrorCause,
  errorCausesLength,
  parseErrorCauses,
  writeErrorCauses,
} from './error-causes.js';
import {
  findParameter,
  ParameterType,
  parametersLength,
  parseParameters,
  writeParameters,
} from './parameters.js';

/**
 * The Heartbeat Information of a HEARTBEAT or HEARTBEAT ACK (RFC 9260 §3.3.5, §3.3.6): opaque
 * to everyone but the HEARTBEAT's sender, and echoed back unchanged.
 */
export function parseHeartbeatChunk(packet: Uint8Array, header: ChunkHeader): Uint8Array {
  checkChunkLength(packet, header, 'HEARTBEAT', CHUNK_HEADER_LENGTH + 4);
  const parameters = parseParameters(
    chunkValue(packet, header),
    header.offset + CHUNK_HEADER_LENGTH,
  );
  const info = findParameter(parameters, ParameterType.heartbeatInfo);
  if (info === undefined) {
    throw new SctpParseError('HEARTBEAT without Heartbeat Information', header.offset);
  }
  return info.value;
}

function encodeHeartbeat(type: number, info: Uint8Array): Uint8Array {
  const parameters = [{ type: ParameterType.heartbeatInfo, value: info }];
  return encodeChunk(type, 0, parametersLength(parameters), (writer) =>
    writeParameters(writer, parameters),
  );
}

export function encodeHeartbeatChunk(info: Uint8Array): Uint8Array {
  return encodeHeartbeat(ChunkType.heartbeat, info);
}

export function encodeHeartbeatAckChunk(info: Uint8Array): Uint8Array {
  return encodeHeartbeat(ChunkType.heartbeatAck, info);
}

export interface AbortChunk {
  /** The T bit: the packet carries the sender's own tag rather than the peer's (§3.3.7). */
  readonly tagReflected: boolean;
  readonly causes: readonly ErrorCause[];
}

function parseCauses(packet: Uint8Array, header: ChunkHeader, name: string): ErrorCause[] {
  checkChunkLength(packet, header, name, CHUNK_HEADER_LENGTH);
  return parseErrorCauses(chunkValue(packet, header), header.offset + CHUNK_HEADER_LENGTH);
}

function encodeCauses(type: number, flags: number, causes: readonly ErrorCause[]): Uint8Array {
  return encodeChunk(type, flags, errorCausesLength(causes), (writer) =>
    writeErrorCauses(writer, causes),
  );
}

/** ABORT (RFC 9260 §3.3.7): zero or more error causes. */
export function parseAbortChunk(packet: Uint8Array, header: ChunkHeader): AbortChunk {
  const causes = parseCauses(packet, header, 'ABORT');
  return { tagReflected: isTagReflected(header), causes };
}

export function encodeAbortChunk(abort: AbortChunk): Uint8Array {
  return encodeCauses(ChunkType.abort, abort.tagReflected ? CHUNK_FLAG_T : 0, abort.causes);
}

/** ERROR (RFC 9260 §3.3.10): one or more error causes, reported without ending the association. */
export function parseErrorChunk(packet: Uint8Array, header: ChunkHeader): ErrorCause[] {
  return parseCauses(packet, header, 'ERROR');
}

export function encodeErrorChunk(causes: readonly ErrorCause[]): Uint8Array {
  return encodeCauses(ChunkType.error, 0, causes);
}

/** SHUTDOWN (RFC 9260 §3.3.8): the cumulative TSN ack, and nothing else. */
export function parseShutdownChunk(packet: Uint8Array, header: ChunkHeader): number {
  checkChunkLength(packet, header, 'SHUTDOWN', 8, 8);
  return readU32BE(packet, header.offset + CHUNK_HEADER_LENGTH);
}

export function encodeShutdownChunk(cumulativeTsnAck: number): Uint8Array {
  return encodeChunk(ChunkType.shutdown, 0, 4, (writer) => writer.u32(cumulativeTsnAck));
}

/** SHUTDOWN ACK (RFC 9260 §3.3.9): no value. */
export function encodeShutdownAckChunk(): Uint8Array {
  return encodeChunk(ChunkType.shutdownAck, 0, 0);
}

/** SHUTDOWN COMPLETE (RFC 9260 §3.3.13): no value; the T bit as in ABORT (`isTagReflected`). */
export function encodeShutdownCompleteChunk(tagReflected: boolean): Uint8Array {
  return encodeChunk(ChunkType.shutdownComplete, tagReflected ? CHUNK_FLAG_T : 0, 0);
}

/** COOKIE ECHO (RFC 9260 §3.3.11): the State Cookie of the INIT ACK, as a view. */
export function parseCookieEchoChunk(packet: Uint8Array, header: ChunkHeader): Uint8Array {
  checkChunkLength(packet, header, 'COOKIE ECHO', CHUNK_HEADER_LENGTH);
  return chunkValue(packet, header);
}

export function encodeCookieEchoChunk(cookie: Uint8Array): Uint8Array {
  return encodeChunk(ChunkType.cookieEcho, 0, cookie.length, (writer) => writer.bytes(cookie));
}

/** COOKIE ACK (RFC 9260 §3.3.12): no value. */
export function encodeCookieAckChunk(): Uint8Array {
  return encodeChunk(ChunkType.cookieAck, 0, 0);
}

export interface ForwardTsnStream {
  readonly streamId: number;
  /** The largest stream sequence number skipped on that stream. */
  readonly ssn: number;
}

export interface ForwardTsnChunk {
  /** Every TSN up to this one is to be taken as received. */
  readonly newCumulativeTsn: number;
  /** Ordered streams whose skipped messages the receiver must stop waiting for. */
  readonly streams: readonly ForwardTsnStream[];
}

/** FORWARD TSN (RFC 3758 §3.2): the new cumulative TSN, then (stream, SSN) pairs. */
export function parseForwardTsnChunk(packet: Uint8Array, header: ChunkHeader): ForwardTsnChunk {
  checkChunkLength(packet, header, 'FORWARD TSN', 8);
  if ((header.length - 8) % 4 !== 0) {
    throw new SctpParseError(
      `FORWARD TSN length ${header.length} leaves a partial stream entry`,
      header.offset,
    );
  }
  const at = header.offset + CHUNK_HEADER_LENGTH;
  const streams: ForwardTsnStream[] = [];
  for (let p = at + 4; p < header.offset + header.length; p += 4) {
    streams.push({ streamId: readU16BE(packet, p), ssn: readU16BE(packet, p + 2) });
  }
  return { newCumulativeTsn: readU32BE(packet, at), streams };
}

export function encodeForwardTsnChunk(forwardTsn: ForwardTsnChunk): Uint8Array {
  const { newCumulativeTsn, streams } = forwardTsn;
  return encodeChunk(ChunkType.forwardTsn, 0, 4 + 4 * streams.length, (writer) => {
    writer.u32(newCumulativeTsn);
    for (const { streamId, ssn } of streams) writer.u16(streamId).u16(ssn);
  });
}
