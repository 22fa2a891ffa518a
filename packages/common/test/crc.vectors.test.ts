import { describe, expect, it } from 'vitest';
import { fromHex } from '../src/bytes/hex.js';
import { crc32, crc32c } from '../src/crc.js';
import { conformanceTag, loadVectors, type Vector } from '../src/testing/vectors.js';

interface CrcVector extends Vector {
  readonly algorithm: 'crc32' | 'crc32c';
  readonly data: string;
  /** Four bytes of hex, in the order `crcByteOrder` names. */
  readonly crc: string;
  /**
   * "value": the CRC as a 32-bit number, most significant digit first (the RevEng catalogue);
   * "wire, least significant byte first": the bytes as transmitted (RFC 3720 B.4).
   */
  readonly crcByteOrder: 'value' | 'wire, least significant byte first';
}

const file = loadVectors<CrcVector>('crc.json');
const algorithms = { crc32, crc32c };

/** The CRC as an unsigned 32-bit number, from the vector's hex in its stated byte order. */
function expectedValue(vector: CrcVector): number {
  const bytes = fromHex(vector.crc);
  expect(bytes.length).toBe(4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
  switch (vector.crcByteOrder) {
    case 'value':
      return view.getUint32(0, false);
    case 'wire, least significant byte first':
      return view.getUint32(0, true);
    default:
      throw new Error(`unknown crcByteOrder ${JSON.stringify(vector.crcByteOrder)}`);
  }
}

describe(file.title, () => {
  for (const vector of file.vectors) {
    it(`${vector.source.document} ${vector.source.section}: ${vector.description}`, ({ task }) => {
      task.meta.conformance = conformanceTag(file, vector);
      const data = fromHex(vector.data);
      const crc = algorithms[vector.algorithm](data);
      expect(crc).toBe(expectedValue(vector));
      // Incrementally, split at every position, gives the same answer.
      for (let split = 0; split <= data.length; split++) {
        const first = algorithms[vector.algorithm](data.subarray(0, split));
        expect(algorithms[vector.algorithm](data.subarray(split), first)).toBe(crc);
      }
    });
  }
});
