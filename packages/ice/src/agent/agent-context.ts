/**
 * What the handlers of received STUN messages (`check-requests.ts`, `check-responses.ts`) need of
 * the agent. State the handlers may change mid-call (the role on a switch, the consent on a
 * nomination) is read through methods, so each read sees the agent as it is now.
 */

import type { CandidatePair } from '../pair.js';
import type { IceTransmit } from './agent-types.js';
import type { CheckSession } from './check-session.js';
import type { LocalCredentials } from './credentials.js';
import type { PairCounters } from './pair-stats.js';
import type { PendingChecks } from './pending-checks.js';
import type { PreviousGeneration } from './previous-generation.js';

export interface AgentContext {
  /** RFC 8445 §2.5. */
  readonly lite: boolean;
  readonly tieBreaker: bigint;
  readonly pending: PendingChecks;
  controlling(): boolean;
  /** Whether the peer is a lite agent. */
  remoteLite(): boolean;
  localCredentials(): LocalCredentials;
  /** During an ICE restart: the old selected pair and its credentials. */
  previous(): PreviousGeneration | undefined;
  session(): CheckSession;
  send(transmit: IceTransmit): void;
  switchRole(controlling: boolean): void;
  nominate(pair: CandidatePair, now: number): void;
  /** The peer answered on the pair carrying data: a consent signal (RFC 7675 §5.1). */
  consentAnswered(now: number): void;
  /** The stats counters of `pair` (webrtc-stats RTCIceCandidatePairStats). */
  counters(pair: CandidatePair): PairCounters;
}
