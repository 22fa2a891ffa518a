/**
 * Candidate pairs (RFC 8445 §6.1.2): a local and a remote candidate, the pair's priority, its
 * foundation and its check state. A `Checklist` creates and updates them; this file holds the
 * shape and the pure rules: which candidates pair, a pair's priority and its foundation.
 */

import type { TcpType } from '@typertc/sdp';
import type { IceCandidate, LocalCandidate } from './candidate.js';

/** The pair states of RFC 8445 §6.1.2.6. */
export type CandidatePairState = 'frozen' | 'waiting' | 'in-progress' | 'succeeded' | 'failed';

export interface CandidatePair {
  /**
   * The local candidate checks are sent from: a reflexive candidate has been replaced by its base
   * (RFC 8445 §6.1.2.4), so this is a host or relayed candidate.
   */
  readonly local: LocalCandidate;
  readonly remote: IceCandidate;
  /** The local and remote foundations (RFC 8445 §6.1.2.6); see `pairFoundation`. */
  readonly foundation: string;
  readonly state: CandidatePairState;
  readonly nominated: boolean;
  /** RFC 8445 §6.1.2.3; past 2^53, hence a bigint. */
  readonly priority: bigint;
}

const TWO_POW_32 = 2n ** 32n;

/**
 * pair priority = 2^32·MIN(G,D) + 2·MAX(G,D) + (G>D ? 1 : 0), where G is the priority of the
 * controlling agent's candidate and D the controlled agent's (RFC 8445 §6.1.2.3). With priorities
 * up to 2^31 the result reaches 2^63, beyond a double's 2^53 integers: it is a bigint.
 */
export function pairPriority(
  controlling: boolean,
  local: { readonly priority: number },
  remote: { readonly priority: number },
): bigint {
  const g = BigInt(controlling ? local.priority : remote.priority);
  const d = BigInt(controlling ? remote.priority : local.priority);
  const [min, max] = g < d ? [g, d] : [d, g];
  return TWO_POW_32 * min + 2n * max + (g > d ? 1n : 0n);
}

/**
 * A pair's foundation: the local and the remote foundation joined by `:`, which is no ice-char
 * (RFC 8839 §5.1), so `1` + `23` and `12` + `3` stay apart.
 */
export function pairFoundation(
  local: { readonly foundation: string },
  remote: { readonly foundation: string },
): string {
  return `${local.foundation}:${remote.foundation}`;
}

function isLinkLocal(candidate: IceCandidate): boolean {
  // fe80::/10: the first group is fe80 to febf, always written with four digits.
  return candidate.family === 'IPv6' && /^fe[89ab][0-9a-f]:/i.test(candidate.address);
}

/** RFC 6544 §6.2: an active end connects to a passive one; simultaneous-open pairs with itself. */
const TCP_PEER: Readonly<Record<TcpType, TcpType>> = {
  active: 'passive',
  passive: 'active',
  so: 'so',
};

/**
 * Whether two candidates form a pair (RFC 8445 §6.1.2.2): same component, transport and address
 * family, IPv6 link-local addresses only with link-local ones, and TCP types that can connect.
 */
export function canPair(local: IceCandidate, remote: IceCandidate): boolean {
  if (local.component !== remote.component || local.transport !== remote.transport) return false;
  if (local.family !== remote.family || isLinkLocal(local) !== isLinkLocal(remote)) return false;
  if (local.transport === 'udp') return true;
  return local.tcpType !== undefined && remote.tcpType === TCP_PEER[local.tcpType];
}
