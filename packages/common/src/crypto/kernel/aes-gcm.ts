/**
 * AES-GCM (NIST SP 800-38D) as an `AeadCipher` assembled from the crypto kernel and a backend's
 * AES-ECB, for callers that seal or open one short message at a time (DTLS records).
 *
 * node:crypto's AES-GCM is a cipher object created per message, and for a 1200-byte record that
 * object costs more than the cryptography. Here what depends only on the key is done once: the
 * AES key schedule (the backend's ECB object) and GHASH's 4-bit table for H = E(K, 0^128)
 * (§6.4). Per message: the kernel lays out the counter blocks J0, J0 + 1, ... (§7.1, J0 = nonce
 * || 0^31 || 1 for a 96-bit nonce), one backend AES-ECB call encrypts them all — E(K, J0) masks
 * the tag, the rest is GCTR's keystream — and the kernel does the XOR and GHASH over the AAD and
 * the ciphertext. It works with either backend (with `noble` only AES is JavaScript).
 *
 * Same contract and bytes as the backends' `aesGcm`: 12-byte nonces, 16-byte tags, `out`
 * buffers (in place or disjoint), `CryptoParameterError` and `AuthenticationError`. Opening
 * checks the tag, without branching on its bytes, before anything is decrypted (§7.2).
 *
 * Every `KernelAesGcm` of a thread shares one kernel instance, unlike SRTP's transforms, which
 * own theirs: a DTLS connection makes four of these per handshake (two per side), and an
 * instance per cipher cost more than a handshake's Finished records gain from it (a 64 KiB
 * memory each, and V8 reserves address space for every memory, enough for only some 13,000 per
 * process). Each cipher keeps its 8 KiB GHASH table itself and copies it into one of the shared
 * kernel's table slots when the slot holds another key's (8 KiB, a small part of a record's
 * cost; a connection's two directions and a few more ciphers each keep a slot of their own).
 *
 * GHASH by table lookups indexed by data mixed with H, as OpenSSL's table-driven GHASH on CPUs
 * without carry-less multiply: a co-resident attacker timing cache lines could in principle
 * learn about H — the trade-off of every software GHASH that is not bit-sliced, accepted for
 * throughput (packages/srtp/README.md, "The hot path").
 */

import { AuthenticationError } from '../../errors.js';
import {
  AEAD_TAG_LENGTH,
  AES_BLOCK_LENGTH,
  type AeadCipher,
  type AesEcbCipher,
  type CryptoBackend,
} from '../backend.js';
import { AES_GCM_KEY_LENGTHS, checkKey, checkNonce, outputView } from '../params.js';
import { GHASH_TABLE_LENGTH, writeGhashTable } from './ghash-table.js';
import { CryptoKernel } from './kernel.js';

/**
 * AAD and text together up to this many bytes go through the kernel, whose memory grows to the
 * largest message it has held and stays so; longer messages (no DTLS record is one) use the
 * backend's own AES-GCM, whose per-message object costs little next to that much AES. The bound
 * also keeps the block counter within the 16 bits `counterBlocks` writes.
 */
export const KERNEL_GCM_MAX_MESSAGE = 0x1_0000;

/** GHASH table slots in the shared kernel: ciphers take them in turn, so neighbours differ. */
const TABLE_SLOTS = 4;

const EMPTY = new Uint8Array(0);

/** The kernel all `KernelAesGcm`s share, with what they keep in it between messages. */
class SharedGcmKernel {
  readonly kernel = new CryptoKernel();
  /** Kernel addresses of the table slots, and the table each holds now. */
  readonly tables: readonly number[];
  readonly owners: (Uint8Array | null)[] = new Array<Uint8Array | null>(TABLE_SLOTS).fill(null);
  /** nonce || 0^32: the counter blocks' template. */
  readonly iv: number;
  /** The slot the next cipher takes. */
  nextSlot = 0;
  /** Views of kernel memory kept between messages (see `CryptoKernel.view`). */
  counterView: Uint8Array = EMPTY;
  keystreamView: Uint8Array = EMPTY;
  resultView: Uint8Array = EMPTY;

  constructor() {
    const kernel = this.kernel;
    this.tables = Array.from({ length: TABLE_SLOTS }, () => kernel.allocate(GHASH_TABLE_LENGTH));
    // Fresh kernel memory is zero, and only the nonce's 12 bytes are ever written here.
    this.iv = kernel.allocate(AES_BLOCK_LENGTH);
  }
}

/** Created with the first cipher: throws `NO_WEBASSEMBLY` there if the kernel cannot run. */
let shared: SharedGcmKernel | undefined;

export class KernelAesGcm implements AeadCipher {
  readonly keyLength: number;
  private readonly ecb: AesEcbCipher;
  /** The backend's AES-GCM, for messages over `KERNEL_GCM_MAX_MESSAGE`. */
  private readonly large: AeadCipher;
  private readonly shared: SharedGcmKernel;
  /** This key's GHASH table, and the shared kernel's slot it is copied into. */
  private readonly ghashTable = new Uint8Array(GHASH_TABLE_LENGTH);
  private readonly slot: number;

  /**
   * Throws `CryptoParameterError` unless `key` is 16 or 32 bytes, and `TypeRtcError`
   * `NO_WEBASSEMBLY` where `cryptoKernelAvailable()` is false.
   */
  constructor(backend: CryptoBackend, key: Uint8Array) {
    checkKey('AES-GCM', key, AES_GCM_KEY_LENGTHS);
    shared ??= new SharedGcmKernel();
    this.shared = shared;
    this.slot = shared.nextSlot;
    shared.nextSlot = (shared.nextSlot + 1) % TABLE_SLOTS;
    this.keyLength = key.length;
    this.ecb = backend.aesEcb(key);
    this.large = backend.aesGcm(key);
    // SP 800-38D §6.4: H = CIPH_K(0^128).
    const h = this.ecb.encryptBlocks(new Uint8Array(AES_BLOCK_LENGTH));
    writeGhashTable(this.ghashTable, 0, h);
  }

  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out?: Uint8Array): Uint8Array {
    checkNonce(nonce);
    const length = plaintext.length;
    const target = outputView(out, length + AEAD_TAG_LENGTH);
    if (aad.length + length > KERNEL_GCM_MAX_MESSAGE) {
      return this.large.seal(nonce, plaintext, aad, target);
    }
    const table = this.prepare(nonce, aad, length);
    const shared = this.shared;
    const kernel = shared.kernel;
    const text = kernel.data + aad.length;
    kernel.bytes.set(plaintext, text);
    kernel.exports.gcmSeal(table, kernel.keystream, kernel.data, aad.length, text, length);
    shared.resultView = kernel.view(text, length + AEAD_TAG_LENGTH, shared.resultView);
    target.set(shared.resultView);
    return target;
  }

  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, out?: Uint8Array): Uint8Array {
    checkNonce(nonce);
    if (sealed.length < AEAD_TAG_LENGTH) throw new AuthenticationError();
    const length = sealed.length - AEAD_TAG_LENGTH;
    const target = out === undefined ? undefined : outputView(out, length);
    if (aad.length + length > KERNEL_GCM_MAX_MESSAGE) {
      return this.large.open(nonce, sealed, aad, target);
    }
    const table = this.prepare(nonce, aad, length);
    const shared = this.shared;
    const kernel = shared.kernel;
    const text = kernel.data + aad.length;
    kernel.bytes.set(sealed, text);
    const exports = kernel.exports;
    if (exports.gcmVerify(table, kernel.keystream, kernel.data, aad.length, text, length) !== 1) {
      throw new AuthenticationError();
    }
    exports.xor(text, text, kernel.keystream + AES_BLOCK_LENGTH, length);
    shared.resultView = kernel.view(text, length, shared.resultView);
    if (target === undefined) return shared.resultView.slice();
    target.set(shared.resultView);
    return target;
  }

  /**
   * Readies the kernel for one message of `textLength` bytes: regions sized, this key's GHASH
   * table in its slot, the keystream E(K, J0), E(K, J0 + 1), ... from one AES-ECB call, and the
   * AAD at the start of the packet region; the text goes right after it, so the tag follows the
   * text. Returns the table's address.
   */
  private prepare(nonce: Uint8Array, aad: Uint8Array, textLength: number): number {
    const shared = this.shared;
    const kernel = shared.kernel;
    const blocks = 1 + Math.ceil(textLength / AES_BLOCK_LENGTH);
    kernel.ensurePacket(aad.length + textLength + AEAD_TAG_LENGTH);
    kernel.ensureCounters(blocks);
    const memory = kernel.bytes;
    const table = shared.tables[this.slot] as number;
    if (shared.owners[this.slot] !== this.ghashTable) {
      memory.set(this.ghashTable, table);
      shared.owners[this.slot] = this.ghashTable;
    }
    memory.set(nonce, shared.iv);
    kernel.exports.counterBlocks(kernel.counters, shared.iv, 1, blocks);
    const bytes = blocks * AES_BLOCK_LENGTH;
    shared.counterView = kernel.view(kernel.counters, bytes, shared.counterView);
    shared.keystreamView = kernel.view(kernel.keystream, bytes, shared.keystreamView);
    this.ecb.encryptBlocks(shared.counterView, shared.keystreamView);
    memory.set(aad, kernel.data);
    return table;
  }
}
