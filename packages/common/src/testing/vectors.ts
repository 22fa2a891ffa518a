/**
 * The loader for `test-vectors/*.json` (the format is described in test-vectors/README.md).
 *
 * A package's tests load its standard's file, run every vector against the implementation (once
 * per crypto backend where that applies) and tag each test with `conformanceTag(...)`, from
 * which `npm run conformance` builds its table.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TypeRtcError } from '../errors.js';

/** Where a vector comes from: `{ document: "RFC 4231", section: "4.2" }`. */
export interface VectorSource {
  readonly document: string;
  readonly section: string;
}

export interface Vector {
  readonly source: VectorSource;
  /** What this one vector is, e.g. "Test Case 2 (key shorter than the block)". */
  readonly description: string;
}

export interface VectorFile<V extends Vector = Vector> {
  /** The file name within test-vectors/, e.g. "rfc4231-hmac-sha2.json". */
  readonly file: string;
  readonly title: string;
  /** What running these vectors proves, one line: the table's "what it checks" column. */
  readonly checks: string;
  readonly vectors: readonly V[];
}

/** A vector file that is missing, unreadable or not in the documented format. */
export class VectorFileError extends TypeRtcError {
  constructor(file: string, problem: string) {
    super(`test-vectors/${file}: ${problem}`, 'VECTOR_FILE');
  }
}

/**
 * The test-vectors/ directory: `TYPERTC_VECTORS_DIR` if set, else the one at the repository
 * root (this module sits at packages/common/{src,dist}/testing/).
 */
export function vectorsDirectory(): string {
  return (
    process.env.TYPERTC_VECTORS_DIR ??
    fileURLToPath(new URL('../../../../test-vectors/', import.meta.url))
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads and checks the shape of one vector file. The fields beyond `source` and `description`
 * are the caller's to interpret, typed by `V`.
 */
export function loadVectors<V extends Vector>(file: string): VectorFile<V> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(`${vectorsDirectory()}/${file}`, 'utf8'));
  } catch (cause) {
    throw new VectorFileError(file, `cannot read: ${(cause as Error).message}`);
  }
  if (!isRecord(json)) throw new VectorFileError(file, 'not a JSON object');
  const { title, checks, vectors } = json;
  if (typeof title !== 'string' || typeof checks !== 'string') {
    throw new VectorFileError(file, '"title" and "checks" must be strings');
  }
  if (!Array.isArray(vectors) || vectors.length === 0) {
    throw new VectorFileError(file, '"vectors" must be a non-empty array');
  }
  vectors.forEach((vector: unknown, index) => {
    const source = isRecord(vector) ? vector.source : undefined;
    if (
      !isRecord(vector) ||
      typeof vector.description !== 'string' ||
      !isRecord(source) ||
      typeof source.document !== 'string' ||
      typeof source.section !== 'string'
    ) {
      throw new VectorFileError(
        file,
        `vector ${index} needs "description" and "source": { "document", "section" }`,
      );
    }
  });
  return { file, title, checks, vectors: vectors as V[] };
}

/** What a conformance test reports about itself, for the `npm run conformance` table. */
export interface ConformanceTag {
  readonly file: string;
  readonly document: string;
  readonly section: string;
  readonly checks: string;
  /** The implementation variant exercised, e.g. the crypto backend ("node", "noble"). */
  readonly variant: string | undefined;
}

export function conformanceTag(file: VectorFile, vector: Vector, variant?: string): ConformanceTag {
  return {
    file: file.file,
    document: vector.source.document,
    section: vector.source.section,
    checks: file.checks,
    variant,
  };
}
