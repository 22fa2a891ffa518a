/**
 * Peer-reflexive candidates: the addresses checks reveal that no signalling announced, learned
 * from the source of a request (remote, RFC 8445 §7.3.1.3) or from the XOR-MAPPED-ADDRESS of a
 * response (local, §7.2.5.3.1).
 */

import { type SocketAddress, sameSocketAddress } from '@typertc/common';
import { createLocalCandidate, type LocalCandidate } from '../candidate.js';
import type { Checklist } from '../checklist.js';
import type { CandidatePair } from '../pair.js';
import { randomIceString } from './agent-types.js';

/** The checklist pair checks from `base` to `remote` run on, if any. */
export function pairOnPath(
  checklist: Checklist,
  base: SocketAddress,
  remote: SocketAddress,
): CandidatePair | undefined {
  return checklist.pairs.find(
    (pair) =>
      sameSocketAddress(pair.local.base, base) &&
      pair.remote.address === remote.address &&
      pair.remote.port === remote.port,
  );
}

/**
 * Adds the source of an authenticated request as a remote prflx candidate (§7.3.1.3) with the
 * request's PRIORITY, unless a remote candidate already has that address. True if added.
 */
export function learnRemotePeerReflexive(
  checklist: Checklist,
  source: SocketAddress,
  priority: number,
): boolean {
  const known = checklist.remoteCandidates.some(
    (candidate) => candidate.address === source.address && candidate.port === source.port,
  );
  if (known) return false;
  checklist.addRemoteCandidate({
    // §7.3.1.3: any foundation no other remote candidate has.
    foundation: `prflx${randomIceString(8)}`,
    component: 1,
    transport: 'udp',
    priority,
    address: source.address,
    port: source.port,
    family: source.family,
    type: 'prflx',
  });
  return true;
}

/**
 * The local candidate a success response's mapped address names: a known one, or a new prflx
 * candidate on the check's base with the priority the check carried (§7.2.5.3.1), appended to
 * `locals`.
 */
export function localCandidateAt(
  locals: LocalCandidate[],
  mapped: SocketAddress,
  check: { readonly from: SocketAddress; readonly priority: number; readonly component: number },
): LocalCandidate {
  const known = locals.find((c) => c.address === mapped.address && c.port === mapped.port);
  if (known !== undefined) return known;
  const discovered = createLocalCandidate({
    type: 'prflx',
    address: mapped.address,
    port: mapped.port,
    base: check.from,
    // The PRIORITY of the check is the prflx priority with the base's local preference (§7.1.1).
    localPreference: (check.priority >>> 8) & 0xffff,
    component: check.component,
  });
  locals.push(discovered);
  return discovered;
}
