/**
 * What one handshake accumulates and derives, common to both roles: the randoms, the
 * transcript (RFC 6347 §4.2.6: every handshake message as if unfragmented, except a first
 * ClientHello answered by HelloVerifyRequest and that HelloVerifyRequest), the negotiated suite
 * and extensions, the ephemeral key, the peer's certificate, and the master secret with the keys
 * and Finished values cut from it (RFC 5246 §6.3, §7.4.9, §8.1; RFC 7627 §4).
 */

import { concatBytes, getCryptoBackend } from '@typertc/common';
import type { PeerCertificate } from '../certificate/signature.js';
import type { CipherSuiteInfo } from '../crypto/cipher-suites.js';
import type { EphemeralKey } from '../crypto/key-exchange.js';
import { keyLogLine } from '../crypto/key-log.js';
import {
  exportKeyingMaterial,
  extendedMasterSecret,
  finishedVerifyData,
  keyBlock,
  masterSecret,
} from '../crypto/prf.js';
import { DtlsError } from '../errors.js';
import { transcriptBytes } from '../handshake/handshake-header.js';
import {
  createCbcCipher,
  createChaChaCipher,
  createGcmCipher,
  type RecordCipher,
} from '../record/index.js';
import type { DtlsRole } from './options.js';

/** RFC 5705 §4: labels the handshake itself uses cannot be exported. */
const RESERVED_LABELS = new Set([
  'client finished',
  'server finished',
  'master secret',
  'key expansion',
  'extended master secret',
]);

export class HandshakeContext {
  clientRandom: Uint8Array = new Uint8Array(32);
  serverRandom: Uint8Array = new Uint8Array(32);
  suite: CipherSuiteInfo | undefined;
  /** The ServerHello's server_version (RFC 5246 §7.4.1.3), the version the records use. */
  version: number | undefined;
  /** RFC 7627: both sides offered extended_master_secret. */
  extendedMasterSecret = false;
  /** The use_srtp profile both sides agreed on (RFC 5764 §4.1.2). */
  srtpProfile: number | undefined;
  ephemeral: EphemeralKey | undefined;
  peerCertificate: PeerCertificate | undefined;
  master: Uint8Array | undefined;
  readonly #transcript: Uint8Array[] = [];

  /** A handshake message enters the transcript. */
  add(msgType: number, messageSeq: number, body: Uint8Array): void {
    this.#transcript.push(transcriptBytes(msgType, messageSeq, body));
  }

  /** HelloVerifyRequest: the first ClientHello leaves the transcript (RFC 6347 §4.2.6). */
  resetTranscript(): void {
    this.#transcript.length = 0;
  }

  /** Every message so far, concatenated: what CertificateVerify signs (RFC 5246 §7.4.8). */
  transcript(): Uint8Array {
    return concatBytes(...this.#transcript);
  }

  transcriptHash(): Uint8Array {
    return getCryptoBackend().hash(this.#suite().prfHash, this.transcript());
  }

  /**
   * The master secret from the premaster secret, once ClientKeyExchange is in the transcript:
   * RFC 7627's session hash then covers it. Reports the NSS key log line.
   */
  deriveMaster(premaster: Uint8Array, keyLog: ((line: string) => void) | undefined): void {
    const hash = this.#suite().prfHash;
    this.master = this.extendedMasterSecret
      ? extendedMasterSecret(hash, premaster, this.transcriptHash())
      : masterSecret(hash, premaster, this.clientRandom, this.serverRandom);
    premaster.fill(0);
    keyLog?.(keyLogLine(this.clientRandom, this.master));
  }

  /** The record ciphers of both directions, for this side (`role`). */
  recordCiphers(role: DtlsRole): { read: RecordCipher; write: RecordCipher } {
    const suite = this.#suite();
    const keys = keyBlock(
      suite.prfHash,
      this.#master(),
      this.clientRandom,
      this.serverRandom,
      suite,
    );
    const client = cipherFor(suite, keys.clientKey, keys.clientIv, keys.clientMacKey);
    const server = cipherFor(suite, keys.serverKey, keys.serverIv, keys.serverMacKey);
    return role === 'client' ? { read: server, write: client } : { read: client, write: server };
  }

  /** verify_data of `sender`'s Finished over the transcript so far (RFC 5246 §7.4.9). */
  verifyData(sender: DtlsRole): Uint8Array {
    return finishedVerifyData(this.#suite().prfHash, this.#master(), sender, this.transcriptHash());
  }

  /** RFC 5705 §4 keying material; the connection allows it only once connected. */
  exportKeyingMaterial(label: string, length: number, context?: Uint8Array): Uint8Array {
    if (RESERVED_LABELS.has(label)) throw new DtlsError(`label ${label} is reserved`);
    if (context !== undefined && context.length > 0xffff) {
      throw new DtlsError('an exporter context is at most 65535 bytes');
    }
    const hash = this.#suite().prfHash;
    const { clientRandom, serverRandom } = this;
    return exportKeyingMaterial(
      hash,
      this.#master(),
      clientRandom,
      serverRandom,
      label,
      length,
      context,
    );
  }

  #suite(): CipherSuiteInfo {
    if (this.suite === undefined) throw new Error('no cipher suite negotiated yet');
    return this.suite;
  }

  #master(): Uint8Array {
    if (this.master === undefined) throw new Error('no master secret yet');
    return this.master;
  }
}

function cipherFor(
  suite: CipherSuiteInfo,
  key: Uint8Array,
  iv: Uint8Array,
  macKey: Uint8Array,
): RecordCipher {
  switch (suite.bulkCipher) {
    case 'AES_128_GCM':
    case 'AES_256_GCM':
      return createGcmCipher(key, iv);
    case 'CHACHA20_POLY1305':
      return createChaChaCipher(key, iv);
    case 'AES_128_CBC_SHA':
      return createCbcCipher(key, macKey);
  }
}
