/**
 * The TLS presentation language's variable-length vectors (RFC 5246 §4.3), read and written the
 * one way every handshake codec uses. `T name<floor..ceiling>` is a length prefix of as many
 * bytes as the ceiling needs, then that many bytes; a length outside floor..ceiling is malformed.
 * Each codec declares its vectors once with `vector()`, mirroring the RFC's grammar.
 *
 * Parsing goes through `parseWith`, which turns the `ParseError` that `ByteReader` throws into a
 * `DtlsParseError`, so the only error a handshake parser throws is `DtlsParseError`. Writing a
 * vector out of its range is a caller bug and throws `RangeError`, as `ByteWriter` does.
 */

import { ByteReader, ByteWriter, ParseError } from '@typertc/common';
import { DtlsParseError } from '../errors.js';

/** `name<floor..ceiling>` as the RFC declares it; ranges count bytes, not elements. */
export interface VectorSpec {
  readonly name: string;
  readonly floor: number;
  readonly ceiling: number;
  /** Bytes of the length prefix: the fewest that hold `ceiling` (RFC 5246 §4.3). */
  readonly prefix: 1 | 2 | 3;
}

export function vector(name: string, floor: number, ceiling: number): VectorSpec {
  const prefix = ceiling <= 0xff ? 1 : ceiling <= 0xffff ? 2 : 3;
  return { name, floor, ceiling, prefix };
}

/**
 * Runs `read` over `bytes` and requires it to consume all of them: each handshake structure
 * fills its body exactly, so trailing bytes are malformed. `baseOffset` shifts error offsets.
 */
export function parseWith<T>(
  bytes: Uint8Array,
  what: string,
  read: (reader: TlsReader) => T,
  baseOffset = 0,
): T {
  const reader = new TlsReader(bytes, baseOffset);
  try {
    const value = read(reader);
    if (reader.remaining !== 0) reader.fail(`${reader.remaining} trailing bytes after ${what}`);
    return value;
  } catch (error) {
    throw asDtlsParseError(error, what);
  }
}

/** A `ByteReader` error (truncation, impossible length) as the `DtlsParseError` it means here. */
export function asDtlsParseError(error: unknown, what: string): unknown {
  if (error instanceof DtlsParseError || !(error instanceof ParseError)) return error;
  const problem = error.code === 'TRUNCATED' ? 'is truncated' : 'has an invalid length';
  return new DtlsParseError(`${what} ${problem}`, error.offset, { cause: error });
}

/**
 * A `ByteReader` that also reads TLS vectors and reports its own malformations with offsets into
 * the whole input (it keeps the base offset that `ByteReader` keeps private).
 */
export class TlsReader extends ByteReader {
  readonly #base: number;

  constructor(bytes: Uint8Array, baseOffset = 0) {
    super(bytes, baseOffset);
    this.#base = baseOffset;
  }

  /** Where position `at` of this reader lies in the whole input. */
  offsetOf(at = this.offset): number {
    return this.#base + at;
  }

  /** Throws a `DtlsParseError` about position `at` of this reader. */
  fail(message: string, at = this.offset): never {
    throw new DtlsParseError(message, this.offsetOf(at));
  }

  /** Reads an opaque vector, as a view into the input. */
  vector(spec: VectorSpec): Uint8Array {
    const at = this.offset;
    const length = spec.prefix === 1 ? this.u8() : spec.prefix === 2 ? this.u16() : this.u24();
    if (length < spec.floor || length > spec.ceiling) {
      this.fail(`${spec.name} of ${length} bytes is outside ${spec.floor}..${spec.ceiling}`, at);
    }
    return this.bytes(length);
  }

  /** Reads a vector of structures: a reader bounded to the vector's contents. */
  vectorReader(spec: VectorSpec): TlsReader {
    const start = this.offset + spec.prefix;
    return new TlsReader(this.vector(spec), this.offsetOf(start));
  }

  /** Reads a vector of uint16 (its byte length must be even). */
  u16List(spec: VectorSpec): number[] {
    const list = this.vectorReader(spec);
    if (list.length % 2 !== 0) list.fail(`${spec.name} has an odd length ${list.length}`, 0);
    const values: number[] = [];
    while (list.remaining > 0) values.push(list.u16());
    return values;
  }

  /** Reads a vector of uint8. */
  u8List(spec: VectorSpec): number[] {
    return Array.from(this.vector(spec));
  }
}

/** Runs `write` on a fresh growable writer and returns what it wrote. */
export function encodeWith(write: (writer: ByteWriter) => void): Uint8Array {
  const writer = new ByteWriter(64);
  write(writer);
  return writer.finish();
}

/** Writes an opaque vector. */
export function writeVector(writer: ByteWriter, spec: VectorSpec, data: Uint8Array): void {
  writeLength(writer, spec, data.length);
  writer.bytes(data);
}

/** Writes a vector of uint16. */
export function writeU16List(writer: ByteWriter, spec: VectorSpec, values: readonly number[]) {
  writeLength(writer, spec, values.length * 2);
  for (const value of values) writer.u16(value);
}

/** Writes a vector of uint8. */
export function writeU8List(writer: ByteWriter, spec: VectorSpec, values: readonly number[]) {
  writeLength(writer, spec, values.length);
  for (const value of values) writer.u8(value);
}

/** Writes the length prefix of a vector whose contents the caller writes next. */
export function writeLength(writer: ByteWriter, spec: VectorSpec, length: number): void {
  if (length < spec.floor || length > spec.ceiling) {
    throw new RangeError(
      `${spec.name} of ${length} bytes is outside ${spec.floor}..${spec.ceiling}`,
    );
  }
  if (spec.prefix === 1) writer.u8(length);
  else if (spec.prefix === 2) writer.u16(length);
  else writer.u24(length);
}

/** Requires `data` to be exactly `length` bytes (a fixed-size field such as Random). */
export function checkFixedLength(data: Uint8Array, length: number, what: string): void {
  if (data.length !== length) {
    throw new RangeError(`${what} must be ${length} bytes, not ${data.length}`);
  }
}
