/** Builders and readers shared by the ReceiveBuffer tests. */

import {
  ReceiveBuffer,
  type ReceivedChunk,
  type ReceivedMessage,
} from '../src/association/receive/index.js';

export interface ChunkOptions {
  streamId?: number;
  ssn?: number;
  ppid?: number;
  unordered?: boolean;
  beginning?: boolean;
  ending?: boolean;
  bytes?: Uint8Array | number;
}

/** A DATA chunk; a single-fragment message of 4 bytes derived from the TSN unless told. */
export function chunk(tsn: number, options: ChunkOptions = {}): ReceivedChunk {
  const bytes = options.bytes ?? 4;
  return {
    tsn: tsn >>> 0,
    streamId: options.streamId ?? 0,
    ssn: options.ssn ?? 0,
    ppid: options.ppid ?? 53,
    unordered: options.unordered ?? false,
    beginning: options.beginning ?? true,
    ending: options.ending ?? true,
    userData: typeof bytes === 'number' ? new Uint8Array(bytes).fill(tsn & 0xff) : bytes,
  };
}

/** The fragments of one message: `parts` user data pieces on consecutive TSNs from `firstTsn`. */
export function fragments(
  firstTsn: number,
  parts: Uint8Array[],
  options: ChunkOptions = {},
): ReceivedChunk[] {
  return parts.map((bytes, i) =>
    chunk(firstTsn + i, {
      ...options,
      beginning: i === 0,
      ending: i === parts.length - 1,
      bytes,
    }),
  );
}

/** An unordered single-fragment message: no SSN to keep distinct. */
export function unordered(tsn: number): ReceivedChunk {
  return chunk(tsn, { unordered: true });
}

export function buffer(initialTsn: number, windowBytes = 1 << 20, maxMessageSize = 256 * 1024) {
  return new ReceiveBuffer({ initialTsn, windowBytes, maxMessageSize });
}

export function takeAll(receiver: ReceiveBuffer): ReceivedMessage[] {
  const out: ReceivedMessage[] = [];
  for (let message = receiver.takeMessage(); message; message = receiver.takeMessage()) {
    out.push(message);
  }
  return out;
}

export function gaps(receiver: ReceiveBuffer, max = 100): [number, number][] {
  const starts: number[] = [];
  const ends: number[] = [];
  const count = receiver.gapBlocks(starts, ends, max);
  return starts.slice(0, count).map((start, i) => [start, ends[i] as number]);
}

export function duplicates(receiver: ReceiveBuffer): number[] {
  const into: number[] = [];
  return into.slice(0, receiver.takeDuplicates(into));
}

export const text = (s: string) => new TextEncoder().encode(s);
export const decoded = (m: ReceivedMessage | undefined) => new TextDecoder().decode(m?.data);
