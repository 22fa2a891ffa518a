/**
 * What an ICE restart (RFC 8445 §9) keeps of the generation it replaces: the pair that was
 * selected and the credentials it was proved with. Until the restart selects a new pair, data
 * keeps flowing on the old one (§9: the restarting agent keeps using the previously selected
 * pair until ICE completes), so its consent (RFC 7675) must keep running; consent requests are
 * ordinary checks of that pair's ICE session and so carry that session's credentials, the old
 * ones, both ways: we sign ours with the peer's old password and answer the peer's, addressed to
 * our old ufrag, under our old one. Once the new pair is selected the old generation is dropped
 * and a request for the old ufrag gets 401 like any unknown one. Until then the restart can be
 * undone (its offer rolled back): the old credentials and session come back as they were.
 *
 * The new generation starts from scratch: the caller gives the peer's new credentials, re-adds
 * the local candidates it wants checked (browsers regather on a restart; gathering is the
 * caller's here) and adds the peer's new candidates. The W3C transport state does not go back to
 * `checking`, which WebRTC 1.0 (`RTCIceTransportState`) reserves for an agent that has no
 * connection yet or has lost consent on every pair; it is `connected` while the new checks run
 * (`completed` would claim there is nothing left to check).
 */

import type { SocketAddress } from '@typertc/common';
import { sameSocketAddress } from '@typertc/common';
import type { CheckSession } from './check-session.js';
import type { LocalCredentials, RemoteCredentials } from './credentials.js';
import type { ValidPair } from './valid-list.js';

export interface PreviousGeneration {
  readonly local: LocalCredentials;
  /** Undefined for a lite agent, which may never learn them: it sends no requests. */
  readonly remote: RemoteCredentials | undefined;
  /** The old selected pair, still carrying data. */
  readonly selected: ValidPair;
  /** The old checks and candidates, for a restart undone (`IceAgent.cancelRestart`). */
  readonly session: CheckSession;
}

/** Whether a datagram from `remote` arriving on the base `local` took `valid`'s path. */
export function onPath(valid: ValidPair, local: SocketAddress, remote: SocketAddress): boolean {
  return (
    sameSocketAddress(valid.pair.local.base, local) &&
    valid.remote.address === remote.address &&
    valid.remote.port === remote.port
  );
}
