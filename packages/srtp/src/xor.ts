/**
 * XOR of a keystream into a payload, 32 bits at a time where all three byte ranges start on a
 * 4-byte boundary of their buffers (a Uint32Array cannot be placed otherwise), else a byte at a
 * time. The word views are cached per underlying buffer, so a caller that reuses its packet
 * buffers — the hot path — gets no allocation per packet.
 */

class WordView {
  private buffer: ArrayBufferLike | undefined;
  private words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

  /** A Uint32Array over all whole words of `bytes.buffer`. */
  of(bytes: Uint8Array): Uint32Array<ArrayBufferLike> {
    if (bytes.buffer !== this.buffer || this.words.length * 4 < bytes.byteOffset + bytes.length) {
      this.buffer = bytes.buffer;
      this.words = new Uint32Array(bytes.buffer, 0, bytes.buffer.byteLength >>> 2);
    }
    return this.words;
  }
}

const sourceWords = new WordView();
const keyWords = new WordView();
const targetWords = new WordView();

/**
 * `target[targetAt + i] = source[sourceAt + i] ^ key[keyAt + i]` for i < length. `target` may be
 * `source` at the same offset (in place).
 */
export function xorKeystream(
  source: Uint8Array,
  sourceAt: number,
  key: Uint8Array,
  keyAt: number,
  target: Uint8Array,
  targetAt: number,
  length: number,
): void {
  const s = source.byteOffset + sourceAt;
  const k = key.byteOffset + keyAt;
  const t = target.byteOffset + targetAt;
  let i = 0;
  if (((s | k | t) & 3) === 0 && length >= 16) {
    const sw = sourceWords.of(source);
    const kw = keyWords.of(key);
    const tw = targetWords.of(target);
    const s4 = s >>> 2;
    const k4 = k >>> 2;
    const t4 = t >>> 2;
    const words = length >>> 2;
    // Four words a turn: a quarter of the loop-condition checks on the per-packet hot path.
    const quads = words & ~3;
    let w = 0;
    for (; w < quads; w += 4) {
      tw[t4 + w] = (sw[s4 + w] as number) ^ (kw[k4 + w] as number);
      tw[t4 + w + 1] = (sw[s4 + w + 1] as number) ^ (kw[k4 + w + 1] as number);
      tw[t4 + w + 2] = (sw[s4 + w + 2] as number) ^ (kw[k4 + w + 2] as number);
      tw[t4 + w + 3] = (sw[s4 + w + 3] as number) ^ (kw[k4 + w + 3] as number);
    }
    for (; w < words; w++) tw[t4 + w] = (sw[s4 + w] as number) ^ (kw[k4 + w] as number);
    i = words << 2;
  }
  for (; i < length; i++) {
    target[targetAt + i] = (source[sourceAt + i] as number) ^ (key[keyAt + i] as number);
  }
}
