/**
 * One instance of the WebAssembly kernel (kernel.wat) and the layout of its memory: fixed slots
 * that its user allocates when it is built (GHASH tables, IVs, SHA-1 states, scratch), then
 * three regions reused by every packet or record — its keystream, the packet itself (preceded
 * by room for an HMAC K ^ ipad block, so the HMAC input is one contiguous range), and last the
 * counter blocks for the backend's AES-ECB, last so that growing them moves nothing else.
 *
 * Why WebAssembly: per packet, SRTP and DTLS need an XOR over the payload and (for GCM) GHASH —
 * work that JavaScript does at a fraction of SIMD speed and node:crypto offers only behind a
 * cipher object created per message, which costs more than the work. An instance starts with
 * 64 KiB of memory; each SRTP transform owns one, and all `KernelAesGcm`s (DTLS records) of a
 * thread share one (aes-gcm.ts says why). The kernel runs with either crypto backend: AES stays
 * in the backend.
 */

import { TypeRtcError } from '../../errors.js';
import { KERNEL_BASE64 } from './kernel-binary.js';

/**
 * The part of the WebAssembly JS API used here; declared locally because the Node type
 * definitions leave WebAssembly to the DOM library, which this project does not load.
 */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: object };
}

export interface KernelMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The kernel's functions (see kernel.wat); every address is a byte offset into `memory`. */
export interface KernelExports {
  readonly memory: KernelMemory;
  xor(dst: number, src: number, key: number, length: number): void;
  gcmSeal(
    table: number,
    keystream: number,
    aad: number,
    aadLength: number,
    text: number,
    textLength: number,
  ): void;
  gcmVerify(
    table: number,
    tagMask: number,
    aad: number,
    aadLength: number,
    text: number,
    textLength: number,
  ): number;
  counterBlocks(dst: number, iv: number, first: number, count: number): void;
  sha1Block(state: number, block: number, schedule: number, out: number): void;
}

/** Bytes of an HMAC-SHA1 key block (RFC 2104 §2, B = 64), kept in front of the packet region. */
export const KERNEL_PAD_LENGTH = 64;
/** Room after each region for the kernel's 16-byte loads and an appended tag or ROC. */
const SLACK = 64;
const PAGE = 65536;
/** Packet regions start large enough for any packet on a 1500-byte path. */
const MIN_PACKET_CAPACITY = 2048;

/** The WebAssembly API and the compiled module, shared by every instance. */
interface LoadedKernel {
  readonly wasm: WebAssemblyApi;
  readonly module: object;
}

/** Null where the kernel cannot run; undefined until first asked. */
let loaded: LoadedKernel | null | undefined;

/**
 * The kernel module, compiled on first use; null without WebAssembly or its SIMD instructions
 * (Node 20 has both, unless run with `--jitless`). The global is read then, not at import.
 */
function loadKernel(): LoadedKernel | null {
  if (loaded === undefined) {
    const wasm = (globalThis as unknown as { readonly WebAssembly?: WebAssemblyApi }).WebAssembly;
    const binary = Uint8Array.from(atob(KERNEL_BASE64), (char) => char.charCodeAt(0));
    loaded = wasm?.validate(binary) ? { wasm, module: new wasm.Module(binary) } : null;
  }
  return loaded;
}

/**
 * Whether `CryptoKernel` can be instantiated here. Users with a fallback (DTLS records) choose
 * with it; SRTP, which has none, refuses to start without it.
 */
export function cryptoKernelAvailable(): boolean {
  return loadKernel() !== null;
}

function align16(value: number): number {
  return (value + 15) & ~15;
}

export class CryptoKernel {
  readonly exports: KernelExports;
  /** The whole memory; replaced when it grows. */
  bytes: Uint8Array;
  private countersAt = 0;
  private keystreamAt = 0;
  private dataAt = 0;
  /** Whose K ^ ipad block is in front of the packet region now (see srtp's `HmacSha1`). */
  padOwner: object | null = null;

  private fixedEnd = 0;
  private packetCapacity = 0;
  private counterCapacity = 0;
  private dataView: Uint8Array;
  private paddedView: Uint8Array;

  /** Throws `TypeRtcError` `NO_WEBASSEMBLY` where `cryptoKernelAvailable()` is false. */
  constructor() {
    const kernel = loadKernel();
    if (kernel === null) {
      throw new TypeRtcError(
        'the crypto kernel needs WebAssembly with SIMD (Node 20 has it unless run with --jitless)',
        'NO_WEBASSEMBLY',
      );
    }
    const instance = new kernel.wasm.Instance(kernel.module, {});
    this.exports = instance.exports as unknown as KernelExports;
    this.bytes = new Uint8Array(this.exports.memory.buffer);
    this.dataView = this.bytes.subarray(0, 0);
    this.paddedView = this.dataView;
    this.ensurePacket(MIN_PACKET_CAPACITY);
  }

  /** Start of the counter-block region. */
  get counters(): number {
    return this.countersAt;
  }

  /** Start of the keystream region. */
  get keystream(): number {
    return this.keystreamAt;
  }

  /** Start of the packet region; the KERNEL_PAD_LENGTH bytes before it are the HMAC pad. */
  get data(): number {
    return this.dataAt;
  }

  /** Reserves `length` bytes (16-byte aligned) for the kernel user's lifetime. */
  allocate(length: number): number {
    const at = this.fixedEnd;
    this.fixedEnd = align16(at + length);
    this.packetCapacity = 0;
    this.ensurePacket(MIN_PACKET_CAPACITY);
    return at;
  }

  /**
   * Makes the keystream and packet regions hold a packet of `length` bytes, moving them (and
   * the counter region after them) when they do not. Call before writing to either.
   */
  ensurePacket(length: number): void {
    if (length <= this.packetCapacity) return;
    this.packetCapacity = Math.max(length, this.packetCapacity * 2);
    this.keystreamAt = this.fixedEnd;
    this.dataAt = align16(this.keystreamAt + this.packetCapacity + SLACK + KERNEL_PAD_LENGTH);
    this.countersAt = align16(this.dataAt + this.packetCapacity + SLACK);
    this.padOwner = null;
    this.reserveTo(this.countersAt + this.counterCapacity * 16 + SLACK);
  }

  /** Makes the counter region (the last) hold `blocks` blocks; the other regions stay put. */
  ensureCounters(blocks: number): void {
    if (blocks <= this.counterCapacity) return;
    this.counterCapacity = blocks;
    this.reserveTo(this.countersAt + blocks * 16 + SLACK);
  }

  private reserveTo(end: number): void {
    const memory = this.exports.memory;
    if (end > memory.buffer.byteLength) {
      memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
      this.bytes = new Uint8Array(memory.buffer);
    }
  }

  /**
   * `bytes.subarray(at, at + length)`, or `reuse` when it is that view already: per-packet
   * callers keep the view they got and pass it back, so a repeated length allocates nothing.
   */
  view(at: number, length: number, reuse: Uint8Array): Uint8Array {
    return reuse.byteOffset === at && reuse.length === length && reuse.buffer === this.bytes.buffer
      ? reuse
      : this.bytes.subarray(at, at + length);
  }

  /** The packet region's first `length` bytes, as a view reused while the length repeats. */
  packet(length: number): Uint8Array {
    this.dataView = this.view(this.dataAt, length, this.dataView);
    return this.dataView;
  }

  /** The HMAC pad and the packet region's first `length` bytes, likewise reused. */
  padded(length: number): Uint8Array {
    const from = this.dataAt - KERNEL_PAD_LENGTH;
    this.paddedView = this.view(from, KERNEL_PAD_LENGTH + length, this.paddedView);
    return this.paddedView;
  }
}
