/**
 * The peer's Binding requests (RFC 8445 §7.3): answered under the credentials they address, and
 * when authenticated, turned into a triggered check, a nomination, or for a lite agent a proved
 * pair.
 */

import type { SocketAddress } from '@typertc/common';
import type { StunMessage } from '@typertc/stun';
import type { CandidatePair } from '../pair.js';
import type { AgentContext } from './agent-context.js';
import {
  addressedUfrag,
  answerCheck,
  type CheckResponder,
  unauthenticatedResponse,
} from './connectivity-checks.js';
import type { LocalCredentials } from './credentials.js';
import { pairOnPath } from './peer-reflexive.js';
import { onPath, type PreviousGeneration } from './previous-generation.js';

/** A Binding request that arrived on the base `local` from `remote`. */
export function handleCheckRequest(
  agent: AgentContext,
  request: StunMessage,
  local: SocketAddress,
  remote: SocketAddress,
  now: number,
): void {
  const previous = agent.previous();
  if (previous !== undefined && addressedUfrag(request) === previous.local.ufrag) {
    answerPreviousGeneration(agent, request, local, remote, previous, now);
    return;
  }
  const answer = answerCheck(request, remote, responder(agent, agent.localCredentials()));
  agent.send({ data: answer.reply, from: local, to: remote });
  const session = agent.session();
  if (!answer.accepted) {
    // webrtc-stats requestsReceived counts every request on the pair's path, answered or not.
    const known = pairOnPath(session.checklist, local, remote);
    if (known !== undefined) agent.counters(known).requestAnswered();
    return;
  }
  if (answer.switchRole) agent.switchRole(!agent.controlling());
  const pair = session.pairFor(local, remote, answer.priority);
  if (pair === undefined) return;
  agent.counters(pair).requestAnswered();
  if (agent.lite) {
    checkedByPeer(agent, pair, answer.useCandidate, now);
    return;
  }
  // §7.3.1.4: a triggered check, unless the pair has succeeded or is queued already. A check
  // in progress stops retransmitting; the triggered one replaces it.
  if (pair.state !== 'succeeded' && !session.triggered.includes(pair)) {
    agent.pending.supersede(pair);
    session.checklist.markWaiting(pair);
    session.triggered.push(pair);
  }
  // §7.3.1.5: as the controlled agent, USE-CANDIDATE nominates the pair.
  if (answer.useCandidate && !agent.controlling()) {
    if (pair.state === 'succeeded') agent.nominate(pair, now);
    else session.nominateOnSuccess.add(pair);
  }
}

/** Who answers a check addressed to `credentials`' ufrag: the agent, in its current role. */
function responder(agent: AgentContext, credentials: LocalCredentials): CheckResponder {
  return {
    localUfrag: credentials.ufrag,
    localKey: credentials.key,
    controlling: agent.controlling(),
    tieBreaker: agent.tieBreaker,
    lite: agent.lite,
  };
}

/**
 * A request for our old ufrag during a restart. On the old selected pair's path it is the
 * peer's consent check, answered under the old credentials. Anywhere else it would prove a pair
 * of a generation that is going away, which no checklist holds: a peer restarting itself checks
 * its new candidates against our old ones until our answer arrives, and one that succeeded
 * could be nominated and carry data we drop. Such a check gets 401, as an unknown ufrag does
 * (RFC 8445 §7.3), and the peer goes on to our new credentials.
 */
function answerPreviousGeneration(
  agent: AgentContext,
  request: StunMessage,
  local: SocketAddress,
  remote: SocketAddress,
  previous: PreviousGeneration,
  now: number,
): void {
  if (!onPath(previous.selected, local, remote)) {
    agent.send({ data: unauthenticatedResponse(request), from: local, to: remote });
    return;
  }
  const answer = answerCheck(request, remote, responder(agent, previous.local));
  agent.send({ data: answer.reply, from: local, to: remote });
  agent.counters(previous.selected.pair).requestAnswered();
  if (answer.accepted && agent.lite) agent.consentAnswered(now);
}

/**
 * A lite agent's pair proved by the peer's authenticated check (it has no checks of its own),
 * selected on USE-CANDIDATE (RFC 8445 §7.3.2, §8.2); checks on the selected pair are its consent
 * signal (see `consent.ts`).
 */
function checkedByPeer(
  agent: AgentContext,
  pair: CandidatePair,
  useCandidate: boolean,
  now: number,
): void {
  const session = agent.session();
  session.checksStarted = true;
  if (pair.state !== 'succeeded') session.checklist.markSucceeded(pair);
  session.valid.add(pair, pair.local, pair.priority);
  if (useCandidate) agent.nominate(pair, now);
  if (session.valid.selected?.pair === pair) agent.consentAnswered(now);
}
