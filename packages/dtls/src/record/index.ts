/**
 * The DTLS 1.2 record layer (RFC 6347 §4.1): record headers, the per-epoch anti-replay window,
 * and record protection with AES-GCM, ChaCha20-Poly1305 and AES-CBC/HMAC-SHA1.
 */

export {
  CHACHA_IV_LENGTH,
  createChaChaCipher,
  createGcmCipher,
  GCM_SALT_LENGTH,
} from './aead-cipher.js';
export { createCbcCipher } from './cbc-cipher.js';
export type { RecordCipher } from './record-cipher.js';
export {
  ContentType,
  DTLS_1_0,
  DTLS_1_2,
  MAX_CIPHERTEXT_LENGTH,
  MAX_EPOCH,
  MAX_PLAINTEXT_LENGTH,
  MAX_SEQUENCE_NUMBER,
  RECORD_HEADER_LENGTH,
  type RecordHeader,
  readRecordHeader,
  writeRecordHeader,
} from './record-header.js';
export { REPLAY_WINDOW_SIZE, ReplayWindow } from './replay-window.js';
