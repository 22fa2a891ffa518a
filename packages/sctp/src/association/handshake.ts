/**
 * Association set-up (RFC 9260 §5): the INIT we send, the INIT-ACK we answer with — its State
 * Cookie carrying everything, so nothing is kept until the COOKIE-ECHO (§5.1.3) — and what a
 * COOKIE-ECHO means in each situation (§5.2.4: a new association, the collision of two INITs,
 * or a peer that restarted).
 */

import { getCryptoBackend } from '@typertc/common';
import {
  ChunkType,
  EDMID_DTLS,
  encodeInitAckChunk,
  encodeInitChunk,
  findParameter,
  forwardTsnSupportedParameter,
  type InitChunk,
  ParameterType,
  parseSupportedExtensions,
  parseZeroChecksumAcceptable,
  supportedExtensionsParameter,
  zeroChecksumAcceptableParameter,
} from '../packet/index.js';
import type { ResolvedSctpOptions } from './options.js';
import type { CookieContents, StateCookies } from './state-cookie.js';

/** A random non-zero 32-bit value: tags must not be 0 (§5.3.1), TSNs may be anything. */
export function randomUint32(nonZero: boolean): number {
  const bytes = getCryptoBackend().randomBytes(4);
  const value =
    ((bytes[0] as number) << 24) |
    ((bytes[1] as number) << 16) |
    ((bytes[2] as number) << 8) |
    (bytes[3] as number);
  const unsigned = value >>> 0;
  return nonZero && unsigned === 0 ? 1 : unsigned;
}

/**
 * What an endpoint says it supports: FORWARD-TSN (RFC 3758 §3.1), RE-CONFIG (RFC 6525) and,
 * over DTLS, zero checksums (RFC 9653 §5.1).
 */
function extensionParameters(options: ResolvedSctpOptions) {
  return [
    forwardTsnSupportedParameter(),
    supportedExtensionsParameter([ChunkType.forwardTsn, ChunkType.reconfig]),
    ...(options.zeroChecksum ? [zeroChecksumAcceptableParameter(EDMID_DTLS)] : []),
  ];
}

/** Our side of the association, as an INIT or INIT-ACK announces it. */
export interface LocalInit {
  readonly tag: number;
  readonly initialTsn: number;
}

export function encodeInit(options: ResolvedSctpOptions, local: LocalInit): Uint8Array {
  return encodeInitChunk({
    initiateTag: local.tag,
    advertisedReceiverWindow: options.receiveWindow,
    outboundStreams: options.streams,
    inboundStreams: options.streams,
    initialTsn: local.initialTsn,
    parameters: extensionParameters(options),
  });
}

/** What the peer's INIT or INIT-ACK says it supports. */
export function peerExtensions(init: InitChunk): {
  forwardTsn: boolean;
  reconfig: boolean;
  zeroChecksum: boolean;
} {
  const supported = findParameter(init.parameters, ParameterType.supportedExtensions);
  const chunks = supported === undefined ? [] : parseSupportedExtensions(supported);
  const zero = findParameter(init.parameters, ParameterType.zeroChecksumAcceptable);
  return {
    zeroChecksum: zero !== undefined && parseZeroChecksumAcceptable(zero) === EDMID_DTLS,
    forwardTsn:
      findParameter(init.parameters, ParameterType.forwardTsnSupported) !== undefined ||
      chunks.includes(ChunkType.forwardTsn),
    reconfig: chunks.includes(ChunkType.reconfig),
  };
}

/**
 * The INIT-ACK answering `init` (§5.1.3). `local` is the tag and TSN to offer: fresh ones, or
 * in a collision or restart those §5.2.1/§5.2.2 prescribe; the tie-tags go into the cookie.
 */
export function encodeInitAck(
  options: ResolvedSctpOptions,
  cookies: StateCookies,
  init: InitChunk,
  local: LocalInit,
  tieTags: { readonly local: number; readonly peer: number },
  now: number,
): Uint8Array {
  const supports = peerExtensions(init);
  const contents: CookieContents = {
    peerTag: init.initiateTag,
    peerInitialTsn: init.initialTsn,
    peerReceiverWindow: init.advertisedReceiverWindow,
    peerOutboundStreams: init.outboundStreams,
    peerInboundStreams: init.inboundStreams,
    localTag: local.tag,
    localInitialTsn: local.initialTsn,
    localTieTag: tieTags.local,
    peerTieTag: tieTags.peer,
    peerForwardTsn: supports.forwardTsn,
    peerReconfig: supports.reconfig,
    peerZeroChecksum: supports.zeroChecksum,
    createdAt: now,
  };
  return encodeInitAckChunk({
    initiateTag: local.tag,
    advertisedReceiverWindow: options.receiveWindow,
    outboundStreams: Math.min(options.streams, init.inboundStreams),
    inboundStreams: options.streams,
    initialTsn: local.initialTsn,
    parameters: [
      { type: ParameterType.stateCookie, value: cookies.create(contents) },
      ...extensionParameters(options),
    ],
  });
}

/** What the association needs of the peer's INIT or INIT-ACK. */
export interface PeerInit {
  readonly initiateTag: number;
  readonly initialTsn: number;
  readonly advertisedReceiverWindow: number;
  readonly forwardTsn: boolean;
  /** RFC 9653: the peer accepts zero checksums over DTLS. */
  readonly zeroChecksum: boolean;
}

/** The peer as its INIT-ACK describes it (we sent the INIT). */
export function peerFromInit(init: InitChunk): PeerInit {
  return {
    initiateTag: init.initiateTag,
    initialTsn: init.initialTsn,
    advertisedReceiverWindow: init.advertisedReceiverWindow,
    forwardTsn: peerExtensions(init).forwardTsn,
    zeroChecksum: peerExtensions(init).zeroChecksum,
  };
}

/** The peer as the cookie of our INIT-ACK remembers its INIT. */
export function peerFromCookie(cookie: CookieContents): PeerInit {
  return {
    initiateTag: cookie.peerTag,
    initialTsn: cookie.peerInitialTsn,
    advertisedReceiverWindow: cookie.peerReceiverWindow,
    forwardTsn: cookie.peerForwardTsn,
    zeroChecksum: cookie.peerZeroChecksum,
  };
}

/** How a valid COOKIE-ECHO relates to the association we have (§5.2.4's table). */
export type CookieCase =
  /** No association, or the cookie of the one being set up: (re)establish from it. */
  | 'new'
  /** Our tag matches, the peer's is new: an INIT collision; adopt the peer's tag (case B). */
  | 'collision'
  /** Both tags match what we have: a duplicate, just acknowledge (case D). */
  | 'duplicate'
  /** Both tags new, tie-tags ours: the peer restarted (case A). */
  | 'restart'
  /** Anything else: silently discarded (§5.2.4). */
  | 'discard';

export function classifyCookie(
  cookie: CookieContents,
  current: { readonly localTag: number; readonly peerTag: number } | undefined,
): CookieCase {
  if (current === undefined) return 'new';
  const localMatch = cookie.localTag === current.localTag;
  const peerMatch = cookie.peerTag === current.peerTag;
  if (localMatch && peerMatch) return 'duplicate';
  if (localMatch) return 'collision';
  if (cookie.localTieTag === current.localTag && cookie.peerTieTag === current.peerTag) {
    return 'restart';
  }
  return 'discard';
}
