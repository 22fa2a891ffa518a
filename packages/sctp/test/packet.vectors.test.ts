/**
 * Real SCTP packets (captured from Chrome, kept in Pion's tests): the checksum verifies as
 * CRC-32c stored least significant byte first and is reproduced by `writeChecksum`, every field
 * reads as the source says, and re-encoding each chunk gives back the captured bytes.
 */

import { crc32c, fromHex, readU32BE, readU32LE, toHex } from '@typertc/common';
import { conformanceTag, loadVectors, type Vector } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import {
  type ChunkHeader,
  ChunkType,
  COMMON_HEADER_LENGTH,
  createDataChunkFields,
  createSackFields,
  dataChunkSize,
  encodeCookieEchoChunk,
  encodeInitAckChunk,
  encodeInitChunk,
  encodeReconfigChunk,
  findParameter,
  ParameterType,
  parseCookieEchoChunk,
  parseInitChunk,
  parseReconfigChunk,
  parseSupportedExtensions,
  readCommonHeader,
  readDataChunk,
  readSackChunk,
  sackChunkLength,
  verifyChecksum,
  writeChecksum,
  writeCommonHeader,
  writeDataChunk,
  writeSackChunk,
} from '../src/packet/index.js';
import { chunkHeaders } from './packet-helpers.js';

interface SctpVector extends Vector {
  readonly packet: string;
  /** Bytes 8..11 of the packet, as transmitted. */
  readonly checksumWire: string;
  readonly commonHeader: {
    readonly sourcePort: number;
    readonly destinationPort: number;
    readonly verificationTag: number;
  };
  readonly chunks: readonly {
    readonly type: number;
    readonly flags: number;
    readonly length: number;
  }[];
  readonly init?: {
    readonly initiateTag: number;
    readonly advertisedReceiverWindow: number;
    readonly outboundStreams: number;
    readonly inboundStreams: number;
    readonly initialTsn: number;
    readonly parameterTypes: readonly number[];
    readonly supportedExtensions?: readonly number[];
    readonly stateCookie?: string;
  };
  readonly cookie?: string;
  readonly data?: {
    readonly tsn: number;
    readonly streamId: number;
    readonly ssn: number;
    readonly ppid: number;
    readonly unordered: boolean;
    readonly beginning: boolean;
    readonly ending: boolean;
    readonly immediate: boolean;
    readonly userData: string;
  };
  readonly sack?: {
    readonly cumulativeTsnAck: number;
    readonly advertisedReceiverWindow: number;
    readonly gapAckBlocks: readonly (readonly [number, number])[];
    readonly duplicates: readonly number[];
  };
  readonly outgoingSsnReset?: {
    readonly requestSequence: number;
    readonly responseSequence: number;
    readonly lastAssignedTsn: number;
    readonly streams: readonly number[];
  };
}

const file = loadVectors<SctpVector>('rfc9260-sctp.json');

/** Checks the chunk's fields against the vector and returns its re-encoding. */
function checkAndReencode(vector: SctpVector, packet: Uint8Array, header: ChunkHeader): Uint8Array {
  switch (header.type) {
    case ChunkType.init:
    case ChunkType.initAck: {
      const expected = vector.init;
      if (expected === undefined) throw new Error('vector lacks "init"');
      const init = parseInitChunk(packet, header);
      expect(init.initiateTag).toBe(expected.initiateTag);
      expect(init.advertisedReceiverWindow).toBe(expected.advertisedReceiverWindow);
      expect(init.outboundStreams).toBe(expected.outboundStreams);
      expect(init.inboundStreams).toBe(expected.inboundStreams);
      expect(init.initialTsn).toBe(expected.initialTsn);
      expect(init.parameters.map((parameter) => parameter.type)).toEqual(expected.parameterTypes);
      const extensions = findParameter(init.parameters, ParameterType.supportedExtensions);
      expect(extensions && parseSupportedExtensions(extensions)).toEqual(
        expected.supportedExtensions,
      );
      const cookie = findParameter(init.parameters, ParameterType.stateCookie);
      expect(cookie && toHex(cookie.value)).toBe(expected.stateCookie);
      return header.type === ChunkType.init ? encodeInitChunk(init) : encodeInitAckChunk(init);
    }
    case ChunkType.cookieEcho: {
      const cookie = parseCookieEchoChunk(packet, header);
      expect(toHex(cookie)).toBe(vector.cookie);
      return encodeCookieEchoChunk(cookie);
    }
    case ChunkType.data: {
      const data = createDataChunkFields();
      readDataChunk(packet, header, data);
      expect({ ...data, userData: toHex(data.userData) }).toEqual(vector.data);
      const out = new Uint8Array(dataChunkSize(data.userData.length));
      expect(writeDataChunk(out, 0, data)).toBe(out.length);
      return out;
    }
    case ChunkType.sack: {
      const sack = createSackFields();
      readSackChunk(packet, header, sack);
      const gaps = sack.gapStarts
        .slice(0, sack.gapCount)
        .map((start, i) => [start, sack.gapEnds[i]]);
      expect({
        cumulativeTsnAck: sack.cumulativeTsnAck,
        advertisedReceiverWindow: sack.advertisedReceiverWindow,
        gapAckBlocks: gaps,
        duplicates: sack.duplicates.slice(0, sack.duplicateCount),
      }).toEqual(vector.sack);
      const out = new Uint8Array(sackChunkLength(sack.gapCount, sack.duplicateCount));
      writeSackChunk(
        out,
        0,
        sack.cumulativeTsnAck,
        sack.advertisedReceiverWindow,
        sack.gapStarts,
        sack.gapEnds,
        sack.gapCount,
        sack.duplicates,
        sack.duplicateCount,
      );
      return out;
    }
    case ChunkType.reconfig: {
      const parameters = parseReconfigChunk(packet, header);
      expect(parameters).toEqual([
        { type: ParameterType.outgoingSsnResetRequest, ...vector.outgoingSsnReset },
      ]);
      return encodeReconfigChunk(parameters);
    }
    default:
      throw new Error(`no check for chunk type ${header.type}`);
  }
}

describe(file.title, () => {
  for (const vector of file.vectors) {
    it(`${vector.source.document} ${vector.source.section}: ${vector.description}`, ({ task }) => {
      task.meta.conformance = conformanceTag(file, vector);
      const packet = fromHex(vector.packet);

      // The checksum: CRC-32c with the field zeroed, least significant byte first.
      const wire = fromHex(vector.checksumWire);
      expect(packet.subarray(8, 12)).toEqual(wire);
      const zeroed = packet.slice();
      zeroed.fill(0, 8, 12);
      expect(crc32c(zeroed)).toBe(readU32LE(wire, 0));
      expect(crc32c(zeroed)).not.toBe(readU32BE(wire, 0));
      expect(verifyChecksum(packet)).toBe(true);
      const rewritten = packet.slice();
      rewritten.fill(0xff, 8, 12);
      writeChecksum(rewritten);
      expect(rewritten).toEqual(packet);

      // Any single flipped bit is caught.
      for (let bit = 0; bit < packet.length * 8; bit++) {
        const corrupt = packet.slice();
        corrupt[bit >> 3] = (corrupt[bit >> 3] as number) ^ (1 << (bit & 7));
        expect(verifyChecksum(corrupt)).toBe(false);
      }

      const common = { sourcePort: -1, destinationPort: -1, verificationTag: -1 };
      readCommonHeader(packet, common);
      expect(common).toEqual(vector.commonHeader);

      const headers = chunkHeaders(packet);
      expect(headers.map(({ type, flags, length }) => ({ type, flags, length }))).toEqual(
        vector.chunks,
      );

      // Rebuilt from the parsed fields, the packet comes out byte for byte.
      const rebuilt = new Uint8Array(packet.length);
      writeCommonHeader(rebuilt, common.sourcePort, common.destinationPort, common.verificationTag);
      let at = COMMON_HEADER_LENGTH;
      for (const header of headers) {
        const chunk = checkAndReencode(vector, packet, header);
        expect(toHex(chunk)).toBe(toHex(packet.subarray(header.offset, header.next)));
        rebuilt.set(chunk, at);
        at += chunk.length;
      }
      writeChecksum(rebuilt);
      expect(toHex(rebuilt)).toBe(vector.packet);
    });
  }
});
