/**
 * AES-CBC with HMAC-SHA1 record protection (RFC 5246 §6.2.3.2, GenericBlockCipher), for
 * TLS_ECDHE_*_WITH_AES_{128,256}_CBC_SHA. MAC-then-encrypt, as RFC 5246 defines it: this side
 * never negotiates encrypt_then_mac (RFC 7366), so there is no other layout to support.
 *
 *     fragment = IV(16) || AES-CBC(key, IV, content || MAC(20) || padding || padding_length)
 *     MAC      = HMAC-SHA1(mac key, epoch(2) || seq(6) || type || version || length || content)
 *
 * where every padding byte and padding_length hold the padding length, and the encrypted part is
 * whole blocks. Sending uses a fresh random IV per record (RFC 5246 §6.2.3.2) and the minimal
 * padding; receiving accepts any valid padding up to 255 bytes.
 *
 * Receiving must not reveal whether the padding or the MAC was wrong, nor through timing how
 * long the padding was (the padding oracle of Vaudenay, and Lucky Thirteen, AlFardan & Paterson
 * 2013; RFC 5246 §6.2.3.2 "Implementation note"). What `open` does about it:
 * - Constant with respect to the decrypted bytes: the padding check (every one of the last
 *   min(256, length) bytes is visited, the padding length only selects by mask), the location of
 *   the received MAC (a fixed scan over every position it could start at, selected by mask),
 *   the MAC comparison (no early exit), and the number of SHA-1 compression-function calls: a
 *   shorter MAC input is topped up with a dummy SHA-1 over as many extra blocks as the longest
 *   possible input would have needed. Bad padding is treated as zero-length padding, so the MAC
 *   is still computed and simply fails; one error comes out either way.
 * - Not constant: the HMAC sees its input through the backend's black-box API, so the bytes it
 *   copies or feeds (up to 256 more or fewer) differ with the padding, though the compression
 *   work does not; the JavaScript engine makes no timing promises for integer code; and the
 *   noble backend's AES is table-based (cache timing), unlike OpenSSL's. The exact mitigation,
 *   a masked SHA-1 over the maximum length (OpenSSL's ssl3_cbc_digest_record), needs access to
 *   the compression function that the backend interface does not give.
 * Checks on the fragment's length alone (at least IV + two blocks, whole blocks) return early:
 * the length is public.
 */

import {
  AES_BLOCK_LENGTH,
  type AesCbcCipher,
  type CryptoBackend,
  CryptoParameterError,
  getCryptoBackend,
  HASH_OUTPUT_LENGTH,
  type HmacKey,
} from '@typertc/common';
import {
  ADDITIONAL_DATA_LENGTH,
  badRecordMac,
  checkPlaintextLength,
  outputView,
  type RecordCipher,
  writeAdditionalData,
} from './record-cipher.js';

/** RFC 5246 §6.2.3.2: record_iv_length is the block size. */
const IV_LENGTH = AES_BLOCK_LENGTH;
/** RFC 5246 §6.2.3.1, Appendix C: mac_length 20 for the _SHA suites (HMAC-SHA1). */
const MAC_LENGTH = HASH_OUTPUT_LENGTH['SHA-1'];
/** padding_length is one byte; with it, the padding takes 1 to 256 bytes. */
const MAX_PADDING_TOTAL = 256;
/** The shortest encrypted part: whole blocks holding at least the MAC and padding_length. */
const MIN_ENCRYPTED_LENGTH = Math.ceil((MAC_LENGTH + 1) / AES_BLOCK_LENGTH) * AES_BLOCK_LENGTH;

/** SHA-1 (FIPS 180-4 §5.1.1) pads a message with 0x80 and a 64-bit length into 64-byte blocks. */
const SHA1_BLOCK_LENGTH = 64;
/** The bytes SHA-1's padding adds at least: 0x80 and the 8-byte length. */
const SHA1_PADDING_MIN = 9;
/**
 * How many more blocks the longest MAC input can need than the shortest: they differ by at most
 * MAX_PADDING_TOTAL - 1 = 255 bytes, which cross at most floor(255 / 64) + 1 = 5 block ends.
 */
const MAX_EXTRA_SHA1_BLOCKS = Math.floor((MAX_PADDING_TOTAL - 1) / SHA1_BLOCK_LENGTH) + 1;
/** A message of this many bytes, plus k whole blocks, costs SHA-1 exactly k + 1 compressions. */
const ONE_BLOCK_MESSAGE = SHA1_BLOCK_LENGTH - SHA1_PADDING_MIN;

const EMPTY = new Uint8Array(0);

/** Compressions SHA-1 makes over a message of `length` bytes (after any absorbed key block). */
function sha1Blocks(length: number): number {
  return Math.ceil((length + SHA1_PADDING_MIN) / SHA1_BLOCK_LENGTH);
}

/** -1 (all bits set) when `a <= b`, else 0, without a branch; for 0 <= a, b < 2^31. */
function lessOrEqualMask(a: number, b: number): number {
  return ~((b - a) >> 31);
}

/** -1 when `a === b`, else 0, without a branch; for -2^30 < a, b < 2^30. */
function equalMask(a: number, b: number): number {
  const difference = a ^ b;
  return ~((difference | -difference) >> 31);
}

class CbcRecordCipher implements RecordCipher {
  /** IV, MAC, and the minimal padding: 1 to 16 bytes with padding_length. */
  readonly maxOverhead = IV_LENGTH + MAC_LENGTH + AES_BLOCK_LENGTH;
  readonly recordIvLength = IV_LENGTH;
  readonly #backend: CryptoBackend;
  readonly #cbc: AesCbcCipher;
  readonly #hmac: HmacKey;
  readonly #iv = new Uint8Array(IV_LENGTH);
  readonly #macHeader = new Uint8Array(ADDITIONAL_DATA_LENGTH);
  /** `macHeader || content`, the MAC input; the content slot is filled per record. */
  readonly #macInput: Uint8Array[] = [this.#macHeader, EMPTY];
  readonly #expectedMac = new Uint8Array(MAC_LENGTH);
  readonly #receivedMac = new Uint8Array(MAC_LENGTH);
  /** Input and output of the dummy SHA-1 that evens out the MAC's work. */
  readonly #dummyMessage = new Uint8Array(
    MAX_EXTRA_SHA1_BLOCKS * SHA1_BLOCK_LENGTH + ONE_BLOCK_MESSAGE,
  );
  readonly #dummyDigest = new Uint8Array(MAC_LENGTH);
  /** Decrypted records land here, never in the caller's buffer, until they authenticate. */
  #workspace = new Uint8Array(0);

  constructor(encryptionKey: Uint8Array, macKey: Uint8Array) {
    if (macKey.length !== MAC_LENGTH) {
      throw new CryptoParameterError(
        `HMAC-SHA1 record MAC key must be ${MAC_LENGTH} bytes, got ${macKey.length}`,
      );
    }
    this.#backend = getCryptoBackend();
    this.#cbc = this.#backend.aesCbc(encryptionKey);
    this.#hmac = this.#backend.hmac('SHA-1', macKey);
  }

  seal(
    contentType: number,
    version: number,
    epoch: number,
    sequenceNumber: number,
    plaintext: Uint8Array,
    out?: Uint8Array,
  ): Uint8Array {
    checkPlaintextLength(plaintext);
    writeAdditionalData(
      this.#macHeader,
      contentType,
      version,
      epoch,
      sequenceNumber,
      plaintext.length,
    );
    const macEnd = plaintext.length + MAC_LENGTH;
    // Minimal padding: padding_length + 1 bytes bring the encrypted part to whole blocks.
    const paddingLength = AES_BLOCK_LENGTH - 1 - (macEnd % AES_BLOCK_LENGTH);
    const encryptedLength = macEnd + paddingLength + 1;
    const fragment = outputView(out, IV_LENGTH + encryptedLength);
    const body = fragment.subarray(IV_LENGTH);
    // A no-op when sealing in place (the plaintext already sits right after the IV).
    body.set(plaintext);
    this.#macInput[1] = body.subarray(0, plaintext.length);
    this.#hmac.macParts(this.#macInput, body.subarray(plaintext.length, macEnd));
    this.#macInput[1] = EMPTY;
    body.fill(paddingLength, macEnd);
    // RFC 5246 §6.2.3.2: the IV SHOULD be chosen at random and MUST be unpredictable.
    this.#backend.randomFill(this.#iv);
    fragment.set(this.#iv);
    this.#cbc.encrypt(this.#iv, body, body);
    return fragment;
  }

  open(
    contentType: number,
    version: number,
    epoch: number,
    sequenceNumber: number,
    fragment: Uint8Array,
    out?: Uint8Array,
  ): Uint8Array {
    const length = fragment.length - IV_LENGTH;
    if (length < MIN_ENCRYPTED_LENGTH || length % AES_BLOCK_LENGTH !== 0) throw badRecordMac();
    const decrypted = this.#decrypt(fragment, length);

    // From here on, nothing branches on or indexes by a decrypted byte until the verdict.
    const paddingLength = decrypted[length - 1] as number;
    let good = lessOrEqualMask(paddingLength + 1 + MAC_LENGTH, length);
    let mismatch = 0;
    const checked = Math.min(MAX_PADDING_TOTAL, length);
    for (let i = 0; i < checked; i++) {
      const inPadding = lessOrEqualMask(i, paddingLength);
      mismatch |= inPadding & ((decrypted[length - 1 - i] as number) ^ paddingLength);
    }
    good &= equalMask(mismatch, 0);
    // Bad padding counts as none (one byte, padding_length 0): the MAC is then computed over
    // bytes no padding check vouched for and fails, so a padding failure looks like a MAC one.
    const contentLength = length - MAC_LENGTH - ((paddingLength & good) + 1);

    writeAdditionalData(
      this.#macHeader,
      contentType,
      version,
      epoch,
      sequenceNumber,
      contentLength,
    );
    this.#macInput[1] = decrypted.subarray(0, contentLength);
    this.#hmac.macParts(this.#macInput, this.#expectedMac);
    this.#macInput[1] = EMPTY;
    this.#evenOutHashWork(length, contentLength);

    const receivedMac = this.#extractMac(decrypted, length, contentLength);
    let difference = 0;
    for (let i = 0; i < MAC_LENGTH; i++) {
      difference |= (receivedMac[i] as number) ^ (this.#expectedMac[i] as number);
    }
    // The one branch on secret data, and it only says pass or fail.
    if ((difference | ~good) !== 0) throw badRecordMac();
    const plaintext = outputView(out, contentLength);
    plaintext.set(decrypted.subarray(0, contentLength));
    return plaintext;
  }

  /** Decrypts the record into the workspace (grown to the longest record seen). */
  #decrypt(fragment: Uint8Array, length: number): Uint8Array {
    if (this.#workspace.length < length) this.#workspace = new Uint8Array(length);
    return this.#cbc.decrypt(
      fragment.subarray(0, IV_LENGTH),
      fragment.subarray(IV_LENGTH),
      this.#workspace,
    );
  }

  /**
   * Runs a dummy SHA-1 of as many blocks as the MAC input fell short of the longest it could
   * have been (no padding) for a record of this length, plus one, so that the compressions of
   * MAC and dummy together depend on the record's length only (Lucky Thirteen).
   */
  #evenOutHashWork(length: number, contentLength: number): void {
    const longest = ADDITIONAL_DATA_LENGTH + length - MAC_LENGTH - 1;
    const actual = ADDITIONAL_DATA_LENGTH + contentLength;
    const missing = sha1Blocks(longest) - sha1Blocks(actual);
    const dummy = this.#dummyMessage.subarray(0, missing * SHA1_BLOCK_LENGTH + ONE_BLOCK_MESSAGE);
    this.#backend.hash('SHA-1', dummy, this.#dummyDigest);
  }

  /**
   * Copies the 20 MAC bytes that start at `macStart` (secret: it depends on the padding) by
   * visiting every position the MAC could occupy and keeping bytes by mask, so the memory read
   * does not depend on where it is.
   */
  #extractMac(decrypted: Uint8Array, length: number, macStart: number): Uint8Array {
    const receivedMac = this.#receivedMac;
    receivedMac.fill(0);
    const scanStart = Math.max(0, length - MAC_LENGTH - MAX_PADDING_TOTAL);
    for (let i = scanStart; i < length; i++) {
      const byte = decrypted[i] as number;
      const position = i - macStart;
      for (let j = 0; j < MAC_LENGTH; j++) {
        receivedMac[j] = (receivedMac[j] as number) | (byte & equalMask(position, j));
      }
    }
    return receivedMac;
  }
}

/**
 * Record protection with AES-CBC and HMAC-SHA1 (RFC 5246 §6.2.3.2): `encryptionKey` is the
 * write key (16 bytes for AES_128_CBC, 32 for AES_256_CBC) and `macKey` the 20-byte MAC write
 * key from the key block (RFC 5246 §6.3). Throws `CryptoParameterError` for other lengths.
 */
export function createCbcCipher(encryptionKey: Uint8Array, macKey: Uint8Array): RecordCipher {
  return new CbcRecordCipher(encryptionKey, macKey);
}
