/**
 * The shapes the sans-I/O `IceAgent` takes and hands out: its options, the datagrams it wants
 * sent, its events and the W3C transport states, plus the defaults it runs with and the random
 * credentials it makes for itself (RFC 8445 §5.3).
 */

import { getCryptoBackend, type SocketAddress } from '@typertc/common';
import type { IceCandidate, LocalCandidate } from '../candidate.js';
import { IceError } from '../errors.js';
import type { CandidatePair } from '../pair.js';

/** W3C `RTCIceTransportState` (WebRTC 1.0 §5.6). */
export type IceTransportState =
  | 'new'
  | 'checking'
  | 'connected'
  | 'completed'
  | 'disconnected'
  | 'failed'
  | 'closed';

/** A datagram the agent wants sent from one of its bases (`from`) to `to`. */
export interface IceTransmit {
  readonly data: Uint8Array;
  readonly from: SocketAddress;
  readonly to: SocketAddress;
}

export type IceAgentEvent =
  | { readonly type: 'state'; readonly state: IceTransportState }
  | {
      readonly type: 'selected-pair';
      /** The local candidate as the peer sees it (a prflx one when a NAT mapped the base). */
      readonly local: LocalCandidate;
      readonly remote: IceCandidate;
      /** The checklist pair checks and consent run on (its counters: `pairCounters`). */
      readonly pair: CandidatePair;
    }
  | { readonly type: 'role-changed'; readonly controlling: boolean };

/** What full and lite agents are configured with alike. */
export interface IceAgentCommonOptions {
  /** 64-bit role-conflict tie-breaker (RFC 8445 §7.1.3); default random. */
  readonly tieBreaker?: bigint;
  /** Default 8 random ice-chars (RFC 8445 §5.3: at least 4). */
  readonly localUfrag?: string;
  /** Default 24 random ice-chars (RFC 8445 §5.3: at least 22). */
  readonly localPassword?: string;
  /** Check pacing Ta in ms (RFC 8445 §14.2); default 5, the least allowed. */
  readonly taMs?: number;
  /** Initial RTO of connectivity checks in ms (RFC 8445 §14.3); default 500. */
  readonly rtoMs?: number;
  /** Most candidate pairs kept (RFC 8445 §6.1.2.5); default 100. */
  readonly maxPairs?: number;
  /**
   * How long the controlling agent waits after the first valid pair before nominating the best
   * valid pair, unless every better pair has failed sooner; default 500 ms (see `IceAgent`).
   */
  readonly nominationDelayMs?: number;
  /** A uniform [0, 1) source for the consent interval jitter; default crypto random. */
  readonly random?: () => number;
}

/** A full agent (RFC 8445 §2.5): it checks, nominates when controlling, and runs consent. */
export interface IceAgentOptions extends IceAgentCommonOptions {
  readonly controlling: boolean;
  readonly lite?: false;
}

/**
 * A lite agent (RFC 8445 §2.5): host candidates only, never sends a request, always controlled
 * (§6.1.1), so `controlling` may only be false.
 */
export interface IceLiteAgentOptions extends IceAgentCommonOptions {
  readonly lite: true;
  readonly controlling?: false;
}

/** New local credentials for an ICE restart (RFC 8445 §9); random when left out. */
export interface IceRestartOptions {
  readonly localUfrag?: string;
  readonly localPassword?: string;
}

/**
 * RFC 8445 §14.2 allows Ta down to 5 ms, and recommends 50 ms for an agent that cannot tell its
 * other traffic. The default is the 5 ms floor, so that two agents on a LAN or loopback connect
 * within a few milliseconds (one Ta sits between the first success and the nomination check),
 * as WebRTC users expect and libwebrtc does; a server running many agents at once, whose checks
 * share one network, should raise it (the RFC's budget is per host, not per agent).
 */
export const DEFAULT_TA_MS = 5;
export const MIN_TA_MS = 5;
/** RFC 8445 §14.3: RTO SHOULD be at least 500 ms. */
export const DEFAULT_CHECK_RTO_MS = 500;
export const DEFAULT_NOMINATION_DELAY_MS = 500;
/**
 * Peer-reflexive remote candidates learned from requests (§7.3.1.3) are capped at this, and at
 * half of `maxPairs`.
 */
export const MAX_REMOTE_PRFLX = 32;

/** RFC 8839 §5.1: ice-char = ALPHA / DIGIT / "+" / "/": 64 characters, 6 bits each. */
const ICE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** `length` random ice-chars, each from 6 random bits (64 characters, so no bias). */
export function randomIceString(length: number): string {
  const bytes = getCryptoBackend().randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ICE_CHARS[(bytes[i] as number) & 63];
  return out;
}

/** A uniformly random 64-bit tie-breaker (RFC 8445 §7.1.3). */
export function randomTieBreaker(): bigint {
  const bytes = getCryptoBackend().randomBytes(8);
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** A uniform [0, 1) number from the crypto backend (consent jitter must not be predictable). */
export function cryptoRandom(): number {
  const bytes = getCryptoBackend().randomBytes(4);
  return (
    ((bytes[0] as number) * 2 ** 24 +
      (bytes[1] as number) * 2 ** 16 +
      (bytes[2] as number) * 2 ** 8 +
      (bytes[3] as number)) /
    2 ** 32
  );
}

/** The options with their defaults filled in and checked. */
export interface ResolvedAgentOptions {
  readonly tieBreaker: bigint;
  readonly taMs: number;
  readonly rtoMs: number;
  readonly nominationDelayMs: number;
  readonly random: () => number;
}

/**
 * Fills in the defaults (credentials are `localCredentials`'s). Throws `IceError` for a Ta under
 * 5 ms (§14.2).
 */
export function resolveAgentOptions(
  options: IceAgentOptions | IceLiteAgentOptions,
): ResolvedAgentOptions {
  const resolved: ResolvedAgentOptions = {
    tieBreaker: options.tieBreaker ?? randomTieBreaker(),
    taMs: options.taMs ?? DEFAULT_TA_MS,
    rtoMs: options.rtoMs ?? DEFAULT_CHECK_RTO_MS,
    nominationDelayMs: options.nominationDelayMs ?? DEFAULT_NOMINATION_DELAY_MS,
    random: options.random ?? cryptoRandom,
  };
  if (!(resolved.taMs >= MIN_TA_MS)) throw new IceError(`Ta must be at least ${MIN_TA_MS} ms`);
  return resolved;
}
