/** Helpers shared by the SCTP wire-format tests. */

import { SctpParseError } from '../src/errors.js';
import {
  type ChunkHeader,
  COMMON_HEADER_LENGTH,
  createChunkHeader,
  readChunkHeader,
  writeChecksum,
  writeCommonHeader,
} from '../src/packet/index.js';

/** The SctpParseError `run` throws; fails the test if it throws nothing or something else. */
export function parseError(run: () => unknown): SctpParseError {
  try {
    run();
  } catch (error) {
    if (error instanceof SctpParseError) return error;
    throw error;
  }
  throw new Error('expected an SctpParseError');
}

/** A packet of `chunks` behind a common header (ports 5000, tag 0x01020304), checksummed. */
export function packetOf(...chunks: Uint8Array[]): Uint8Array {
  const size = chunks.reduce((total, chunk) => total + chunk.length, COMMON_HEADER_LENGTH);
  const packet = new Uint8Array(size);
  writeCommonHeader(packet, 5000, 5000, 0x01020304);
  let at = COMMON_HEADER_LENGTH;
  for (const chunk of chunks) {
    packet.set(chunk, at);
    at += chunk.length;
  }
  writeChecksum(packet);
  return packet;
}

/** `chunk` in a packet of its own, with its header read. */
export function inPacket(chunk: Uint8Array): { packet: Uint8Array; header: ChunkHeader } {
  const packet = packetOf(chunk);
  const header = createChunkHeader();
  readChunkHeader(packet, COMMON_HEADER_LENGTH, header);
  return { packet, header };
}

/** The headers of every chunk in `packet`, each a fresh object (tests only). */
export function chunkHeaders(packet: Uint8Array): ChunkHeader[] {
  const headers: ChunkHeader[] = [];
  for (let at = COMMON_HEADER_LENGTH; at < packet.length; ) {
    const header = createChunkHeader();
    readChunkHeader(packet, at, header);
    headers.push(header);
    at = header.next;
  }
  return headers;
}
