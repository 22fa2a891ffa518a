/**
 * `SrtpContext`: SRTP and SRTCP protection under one master key (RFC 3711 §3), for every
 * profile in `profiles.ts`. One context per direction is the usual setup (DTLS-SRTP gives each
 * side its own write key, RFC 5764 §4.2), but a context keeps separate per-SSRC state for what
 * it protects and what it unprotects, so using one both ways is also correct.
 *
 * Receiving follows RFC 3711 §3.3: estimate the index, check the replay window, authenticate,
 * and only then decrypt and update ROC, s_l and the window — a forged or replayed packet changes
 * nothing. Per-SSRC state is created on the first authenticated packet of an SSRC; past
 * `maxSsrcs` SSRCs, packets of new SSRCs are rejected (`SrtpSsrcLimitError`) before any crypto,
 * rather than evicting a known stream, whose replay window would then be forgotten.
 */

import {
  BufferOverflowError,
  type CryptoBackend,
  cryptoKernelAvailable,
  getCryptoBackend,
  readU16BE,
  readU32BE,
} from '@typertc/common';
import { RtpParseError, rtpHeaderLength } from '@typertc/rtp-rtcp';
import { AesCmTransform } from './aes-cm-transform.js';
import { AesGcmTransform } from './aes-gcm-transform.js';
import { type SrtpCounters, zeroCounters } from './counters.js';
import {
  SrtpAuthError,
  SrtpConfigError,
  SrtpError,
  SrtpKeyExhaustedError,
  SrtpParseError,
  SrtpReplayError,
  SrtpSsrcLimitError,
} from './errors.js';
import { estimateRolloverCounter, MAX_SRTCP_INDEX, MAX_SRTP_INDEX } from './index-estimation.js';
import { deriveSrtpSessionKeys, type SrtpSessionKeys } from './key-derivation.js';
import { SRTP_PROFILES, type SrtpProfile, type SrtpProfileParameters } from './profiles.js';
import { checkReplayWindowSize, ReplayVerdict } from './replay-window.js';
import { SsrcState } from './stream-state.js';
import type { SrtpTransform } from './transform.js';

/** RFC 3711 §3.3.2's minimum, and libsrtp's and Chromium's default. */
export const DEFAULT_REPLAY_WINDOW = 64;
/**
 * Indexes a sender remembers having used, at least: about a second of video at 1000 packets/s,
 * so that NACK retransmissions without RTX (same SSRC and index) still fall inside it.
 */
export const MIN_SEND_WINDOW = 1024;
/** SSRCs tracked per direction by default: far more than a peer connection's streams. */
export const DEFAULT_MAX_SSRCS = 256;

/** The RTCP fixed header and sender SSRC (RFC 3550 §6.4.1), which SRTCP leaves in the clear. */
const RTCP_MIN = 8;
/**
 * The longest packet accepted, protected or not: the largest UDP payload, and the largest
 * RFC 4571 frame. Longer input is a parse error, which also bounds the kernel's memory.
 */
export const MAX_PACKET_LENGTH = 65_535;

interface CommonOptions {
  readonly profile: SrtpProfile;
  /** Replay window in packets, 64 to 32768 (default 64), for SRTP and SRTCP alike. */
  readonly replayWindow?: number;
  /** Most SSRCs tracked per direction (default 256). */
  readonly maxSsrcs?: number;
  /** Crypto backend for this context's keys (default: `getCryptoBackend()`). */
  readonly backend?: CryptoBackend;
  /**
   * Whether protecting an index already used is allowed (default true, as libwebrtc allows it):
   * a byte-identical retransmission on the same SSRC repeats the same ciphertext and reveals
   * nothing. The packet must really be identical: for AES-GCM profiles a changed header under
   * a repeated nonce reveals the authentication key (RFC 7714 §8.3, NIST SP 800-38D §8).
   * Indexes older than the replay window are always refused.
   */
  readonly allowRepeatTx?: boolean;
}

export interface SrtpMasterKeyOptions extends CommonOptions {
  readonly masterKey: Uint8Array;
  readonly masterSalt: Uint8Array;
}

/**
 * Session keys given directly instead of derived (RFC 3711 §4.3): for test vectors stated in
 * session keys (RFC 7714 §16-17) and keys derived elsewhere.
 */
export interface SrtpSessionKeyOptions extends CommonOptions {
  readonly sessionKeys: { readonly rtp: SrtpSessionKeys; readonly rtcp: SrtpSessionKeys };
}

export type SrtpContextOptions = SrtpMasterKeyOptions | SrtpSessionKeyOptions;

function checkLength(what: string, bytes: Uint8Array, expected: number, profile: string): void {
  if (bytes.length !== expected) {
    throw new SrtpConfigError(`${profile} needs a ${expected}-byte ${what}, got ${bytes.length}`);
  }
}

export class SrtpContext {
  readonly profile: SrtpProfile;
  readonly parameters: SrtpProfileParameters;
  readonly replayWindow: number;
  readonly allowRepeatTx: boolean;
  readonly maxSsrcs: number;
  /** Running totals; read them, reset them, but do not rely on them for security. */
  readonly counters: SrtpCounters = zeroCounters();
  private readonly transform: SrtpTransform;
  private readonly outbound = new Map<number, SsrcState>();
  private readonly inbound = new Map<number, SsrcState>();
  /** Index counters of outbound SSRCs passed to `removeSsrc`, resumed if they send again. */
  private readonly retired = new Map<
    number,
    { readonly roc: number; readonly highestSeq: number; readonly nextRtcpIndex: number }
  >();

  constructor(options: SrtpContextOptions) {
    const parameters = SRTP_PROFILES[options.profile];
    if (parameters === undefined) {
      throw new SrtpConfigError(`unknown SRTP profile ${JSON.stringify(options.profile)}`);
    }
    this.profile = options.profile;
    this.parameters = parameters;
    this.replayWindow = options.replayWindow ?? DEFAULT_REPLAY_WINDOW;
    this.allowRepeatTx = options.allowRepeatTx ?? true;
    this.maxSsrcs = options.maxSsrcs ?? DEFAULT_MAX_SSRCS;
    if (!Number.isInteger(this.maxSsrcs) || this.maxSsrcs < 1) {
      throw new SrtpConfigError(`maxSsrcs must be a positive integer, got ${this.maxSsrcs}`);
    }
    const backend = options.backend ?? getCryptoBackend();
    const { keyLength, saltLength, authKeyLength } = parameters;
    let keys: { readonly rtp: SrtpSessionKeys; readonly rtcp: SrtpSessionKeys };
    if ('sessionKeys' in options) {
      keys = options.sessionKeys;
      for (const keySet of [keys.rtp, keys.rtcp]) {
        checkLength('session key', keySet.encryptionKey, keyLength, this.profile);
        checkLength('session salt', keySet.salt, saltLength, this.profile);
        checkLength('authentication key', keySet.authenticationKey, authKeyLength, this.profile);
      }
    } else {
      checkLength('master key', options.masterKey, keyLength, this.profile);
      checkLength('master salt', options.masterSalt, saltLength, this.profile);
      keys = deriveSrtpSessionKeys(
        backend,
        options.masterKey,
        options.masterSalt,
        keyLength,
        saltLength,
        authKeyLength,
      );
    }
    // Both transforms run on the crypto kernel (@typertc/common); SRTP has no other path.
    if (!cryptoKernelAvailable()) {
      throw new SrtpError(
        'SRTP needs WebAssembly with SIMD (Node 20 has it unless run with --jitless)',
        'SRTP_NO_WEBASSEMBLY',
      );
    }
    this.transform =
      parameters.cipher === 'AES-CM'
        ? new AesCmTransform(
            backend,
            keys.rtp,
            keys.rtcp,
            parameters.srtpTagLength,
            parameters.srtcpTagLength,
          )
        : new AesGcmTransform(backend, keys.rtp, keys.rtcp);
    checkReplayWindowSize(this.replayWindow);
  }

  /** Protects an RTP packet into a new array (`packet.length + srtpTagLength` bytes). */
  protectRtp(packet: Uint8Array): Uint8Array {
    const out = new Uint8Array(packet.length + this.parameters.srtpTagLength);
    this.protectRtpInto(packet, out);
    return out;
  }

  /**
   * Protects an RTP packet into `out` and returns the bytes written. `out` may share memory
   * with `packet` when both start at the same offset (e.g. `packet = buffer.subarray(0, n)`,
   * `out = buffer` with room for the tag).
   */
  protectRtpInto(packet: Uint8Array, out: Uint8Array): number {
    const headerLength = this.rtpHeaderLength(packet, packet.length);
    checkRoom(out, packet.length + this.parameters.srtpTagLength);
    const ssrc = readU32BE(packet, 8);
    const seq = readU16BE(packet, 2);
    const state = this.outboundState(ssrc);
    if (!state.started) state.advance(0, seq);
    // The sender estimates its own ROC the same way (so retransmissions of older sequence
    // numbers get the ROC they were first sent with); it never goes below 0.
    const roc = Math.max(0, estimateRolloverCounter(state.roc, state.highestSeq, seq));
    const index = roc * 0x1_0000 + seq;
    if (index > MAX_SRTP_INDEX) throw new SrtpKeyExhaustedError('SRTP');
    // Never two different packets under one index (RFC 3711 §9.1). An index behind the sending
    // window (`MIN_SEND_WINDOW` or the replay window) cannot be told apart from one already
    // used — a sequence number jumping back, or more than 2^15 ahead, which Appendix A
    // estimates as behind — so it is refused.
    const verdict = state.rtpReplay.check(index);
    if (verdict === ReplayVerdict.TooOld || !this.allowRepeatTx) this.checkReplay(verdict, index);
    state.advance(roc, seq);
    state.rtpReplay.accept(index);
    const written = this.transform.protectRtp(
      packet,
      headerLength,
      ssrc,
      index,
      roc,
      out,
      state.keystream,
    );
    this.counters.rtpProtected++;
    return written;
  }

  /** Verifies and decrypts an SRTP packet into a new array. */
  unprotectRtp(packet: Uint8Array): Uint8Array {
    const out = new Uint8Array(Math.max(0, packet.length - this.parameters.srtpTagLength));
    const written = this.unprotectRtpInto(packet, out);
    return written === out.length ? out : out.subarray(0, written);
  }

  /**
   * Verifies and decrypts an SRTP packet into `out` (which may be `packet` itself) and returns
   * the RTP packet's length. Throws `SrtpParseError`, `SrtpReplayError`, `SrtpAuthError`,
   * `SrtpSsrcLimitError` or `SrtpKeyExhaustedError`, after which nothing in the context has
   * changed.
   */
  unprotectRtpInto(packet: Uint8Array, out: Uint8Array): number {
    const tagLength = this.parameters.srtpTagLength;
    const end = packet.length - tagLength;
    if (end < 12) {
      this.counters.parseErrors++;
      throw new SrtpParseError(
        `SRTP packet of ${packet.length} bytes is shorter than an RTP header and a ${tagLength}-byte tag`,
      );
    }
    const headerLength = this.rtpHeaderLength(packet, end);
    checkRoom(out, end);
    const ssrc = readU32BE(packet, 8);
    const seq = readU16BE(packet, 2);
    const state = this.inbound.get(ssrc);
    // RFC 3711 §3.3.1: the first packet of an SSRC is taken to have ROC 0.
    let roc = 0;
    if (state === undefined) {
      this.checkSsrcRoom(this.inbound, ssrc);
    } else if (state.started) {
      // Appendix A's ROC - 1 from ROC 0 is taken as ROC 0, exactly as the sender (ours, and
      // libsrtp's) does: a sender that protected seq 0 and then 65535 (reordered input, e.g. a
      // forwarding SFU) used ROC 0 for both and ROC 1 from then on. Rejecting the packet would
      // leave this receiver at ROC 0 while the sender moved to ROC 1: every later packet would
      // fail authentication. Authentication still decides whether the guess was right.
      roc = Math.max(0, estimateRolloverCounter(state.roc, state.highestSeq, seq));
    }
    const index = roc * 0x1_0000 + seq;
    // ROC 2^32 does not exist (RFC 3711 §3.3.1: the index is 48 bits); the tag would be
    // computed over ROC mod 2^32 and the keystream of index 0 — accept nothing past it.
    if (index > MAX_SRTP_INDEX) throw new SrtpKeyExhaustedError('SRTP');
    if (state !== undefined) {
      this.checkReplay(state.rtpReplay.check(index), index);
    }
    try {
      this.transform.unprotectRtp(
        packet,
        headerLength,
        ssrc,
        index,
        roc,
        out,
        state?.keystream ?? null,
      );
    } catch (error) {
      if (error instanceof SrtpAuthError) this.counters.authFailures++;
      throw error;
    }
    let known = state;
    if (known === undefined) {
      known = new SsrcState(this.replayWindow, false);
      this.inbound.set(ssrc, known);
    }
    known.advance(roc, seq);
    known.rtpReplay.accept(index);
    this.counters.rtpUnprotected++;
    return end;
  }

  /** Protects an RTCP (compound) packet into a new array. */
  protectRtcp(packet: Uint8Array): Uint8Array {
    const out = new Uint8Array(packet.length + 4 + this.parameters.srtcpTagLength);
    this.protectRtcpInto(packet, out);
    return out;
  }

  /** Protects an RTCP packet into `out` (same sharing rules as `protectRtpInto`). */
  protectRtcpInto(packet: Uint8Array, out: Uint8Array): number {
    this.checkRtcpHeader(packet, packet.length);
    checkRoom(out, packet.length + 4 + this.parameters.srtcpTagLength);
    const ssrc = readU32BE(packet, 4);
    const state = this.outboundState(ssrc);
    const index = state.nextRtcpIndex;
    // RFC 3711 §3.4 counts modulo 2^31, but a repeated index would repeat keystream.
    if (index > MAX_SRTCP_INDEX) throw new SrtpKeyExhaustedError('SRTCP');
    state.nextRtcpIndex = index + 1;
    const written = this.transform.protectRtcp(packet, ssrc, index, out);
    this.counters.rtcpProtected++;
    return written;
  }

  /** Verifies and decrypts an SRTCP packet into a new array. */
  unprotectRtcp(packet: Uint8Array): Uint8Array {
    const length = Math.max(0, packet.length - 4 - this.parameters.srtcpTagLength);
    const out = new Uint8Array(length);
    this.unprotectRtcpInto(packet, out);
    return out;
  }

  /** Verifies and decrypts an SRTCP packet into `out` and returns the RTCP packet's length. */
  unprotectRtcpInto(packet: Uint8Array, out: Uint8Array): number {
    const tagLength = this.parameters.srtcpTagLength;
    const end = packet.length - 4 - tagLength;
    this.checkRtcpHeader(packet, end);
    checkRoom(out, end);
    const word = readU32BE(packet, this.transform.rtcpTrailerOffset(packet.length));
    const encrypted = word >>> 31 === 1;
    const index = word & MAX_SRTCP_INDEX;
    const ssrc = readU32BE(packet, 4);
    const state = this.inbound.get(ssrc);
    if (state === undefined) {
      this.checkSsrcRoom(this.inbound, ssrc);
    } else {
      this.checkReplay(state.rtcpReplay?.check(index) ?? ReplayVerdict.Fresh, index);
    }
    try {
      this.transform.unprotectRtcp(packet, ssrc, index, encrypted, out);
    } catch (error) {
      if (error instanceof SrtpAuthError) this.counters.authFailures++;
      throw error;
    }
    let known = state;
    if (known === undefined) {
      // An SSRC first seen in RTCP: its RTP state starts with its first RTP packet.
      known = new SsrcState(this.replayWindow, false);
      this.inbound.set(ssrc, known);
    }
    known.rtcpReplay?.accept(index);
    this.counters.rtcpUnprotected++;
    return end;
  }

  /**
   * Frees an SSRC's slot in both directions (e.g. after an RTCP BYE). Inbound state is forgotten,
   * replay window included: packets of that SSRC recorded earlier would be accepted again, so
   * remove only streams that have ended. Outbound, the SRTP index (ROC, s_l) and the next SRTCP
   * index are kept aside (a few numbers, outside `maxSsrcs`) and resumed if the SSRC is
   * protected again: restarting them at 0 would encrypt new packets with keystream already used.
   */
  removeSsrc(ssrc: number): void {
    const sent = this.outbound.get(ssrc);
    if (sent !== undefined) {
      this.retired.set(ssrc, {
        roc: sent.roc,
        highestSeq: sent.highestSeq,
        nextRtcpIndex: sent.nextRtcpIndex,
      });
      this.outbound.delete(ssrc);
    }
    this.inbound.delete(ssrc);
  }

  /** SSRCs with state: those protected, and those unprotected (authenticated) so far. */
  get ssrcCount(): { readonly outbound: number; readonly inbound: number } {
    return { outbound: this.outbound.size, inbound: this.inbound.size };
  }

  /** The sending state of `ssrc`, created (or resumed after `removeSsrc`) when missing. */
  private outboundState(ssrc: number): SsrcState {
    let state = this.outbound.get(ssrc);
    if (state === undefined) {
      this.checkSsrcRoom(this.outbound, ssrc);
      state = new SsrcState(Math.max(this.replayWindow, MIN_SEND_WINDOW), true);
      const retired = this.retired.get(ssrc);
      if (retired !== undefined) {
        state.roc = retired.roc;
        state.highestSeq = retired.highestSeq;
        state.nextRtcpIndex = retired.nextRtcpIndex;
        // Which indexes in the window were used is forgotten: treat them all as used.
        const top = state.highestIndex;
        for (let index = Math.max(0, top - state.rtpReplay.size + 1); index <= top; index++) {
          state.rtpReplay.accept(index);
        }
        this.retired.delete(ssrc);
      }
      this.outbound.set(ssrc, state);
    }
    return state;
  }

  private rtpHeaderLength(packet: Uint8Array, end: number): number {
    this.checkMaxLength(packet, 'SRTP');
    try {
      return rtpHeaderLength(packet, end);
    } catch (error) {
      if (!(error instanceof RtpParseError)) throw error;
      this.counters.parseErrors++;
      throw new SrtpParseError(error.message, { cause: error });
    }
  }

  private checkMaxLength(packet: Uint8Array, kind: 'SRTP' | 'SRTCP'): void {
    if (packet.length > MAX_PACKET_LENGTH) {
      this.counters.parseErrors++;
      throw new SrtpParseError(
        `${kind} input of ${packet.length} bytes is longer than any datagram (${MAX_PACKET_LENGTH})`,
      );
    }
  }

  private checkRtcpHeader(packet: Uint8Array, end: number): void {
    this.checkMaxLength(packet, 'SRTCP');
    if (end < RTCP_MIN) {
      this.counters.parseErrors++;
      throw new SrtpParseError(`SRTCP packet of ${packet.length} bytes is too short`);
    }
    if ((packet[0] as number) >>> 6 !== 2) {
      this.counters.parseErrors++;
      throw new SrtpParseError(`RTCP version ${(packet[0] as number) >>> 6}, not 2`);
    }
  }

  private checkSsrcRoom(map: Map<number, SsrcState>, ssrc: number): void {
    if (map.size >= this.maxSsrcs) {
      this.counters.ssrcLimitRejections++;
      throw new SrtpSsrcLimitError(ssrc, this.maxSsrcs);
    }
  }

  private checkReplay(verdict: ReplayVerdict, index: number): void {
    if (verdict === ReplayVerdict.Replayed) this.rejectReplay(index, 'replayed');
    if (verdict === ReplayVerdict.TooOld) this.rejectReplay(index, 'too-old');
  }

  private rejectReplay(index: number, reason: 'replayed' | 'too-old'): never {
    this.counters.replayRejections++;
    throw new SrtpReplayError(index, reason);
  }
}

function checkRoom(out: Uint8Array, needed: number): void {
  if (out.length < needed) throw new BufferOverflowError(needed, out.length);
}
