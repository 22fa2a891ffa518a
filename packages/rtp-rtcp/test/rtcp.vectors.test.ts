import { fromHex, toHex } from '@typertc/common';
import { conformanceTag, loadVectors, type Vector } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import { parseRtcp, serializeRtcp } from '../src/rtcp/compound.js';
import { TransportWideCc } from '../src/rtcp/transport-wide-cc.js';

interface ChunkVector extends Vector {
  /** One packet status chunk, hex. */
  chunk: string;
  /** The statuses it holds: "NxS" for N times status S, or a comma-separated list. */
  statuses: string;
}

const file = loadVectors<ChunkVector>('rtcp.json');

function expand(statuses: string): number[] {
  const run = /^(\d+)x(\d)$/.exec(statuses);
  if (run) return new Array<number>(Number(run[1])).fill(Number(run[2]));
  return statuses.split(',').map(Number);
}

/** A TWCC packet holding the one chunk, with a 1-byte delta (its index) per small-delta packet. */
function packetWith(chunk: Uint8Array, statuses: readonly number[]): Uint8Array {
  const deltas = statuses.flatMap((status, i) => (status === 1 ? [i & 0xff] : []));
  const content = 20 + chunk.length + deltas.length;
  const length = (content + 3) & ~3;
  const bytes = new Uint8Array(length);
  bytes.set([0x8f, 205, 0, length / 4 - 1, 0, 0, 0, 1, 0, 0, 0, 2]);
  bytes.set([0, 0, statuses.length >> 8, statuses.length & 0xff, 0, 0, 0, 0], 12);
  bytes.set(chunk, 20);
  bytes.set(deltas, 22);
  return bytes;
}

describe('TWCC packet status chunks (draft-holmer-rmcat-transport-wide-cc-extensions-01)', () => {
  for (const vector of file.vectors) {
    it(vector.description, ({ task }) => {
      task.meta.conformance = conformanceTag(file, vector);
      const statuses = expand(vector.statuses);
      const bytes = packetWith(fromHex(vector.chunk), statuses);
      const { packets, errors } = parseRtcp(bytes);
      expect(errors).toEqual([]);
      const twcc = packets[0];
      expect(twcc).toBeInstanceOf(TransportWideCc);
      if (!(twcc instanceof TransportWideCc)) return;
      expect(twcc.packets.map((p) => p.status)).toEqual(statuses);
      // Encoding the same statuses picks the same chunk.
      const encoded = serializeRtcp([twcc]);
      expect(toHex(encoded.subarray(20, 22))).toBe(vector.chunk);
      expect(toHex(encoded)).toBe(toHex(bytes));
    });
  }
});
