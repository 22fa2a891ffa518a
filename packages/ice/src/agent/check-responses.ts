/**
 * Responses to the agent's own checks (RFC 8445 §7.2.5): success makes pairs valid and may
 * nominate, 487 switches the role and retries, anything else fails the check.
 */

import type { SocketAddress } from '@typertc/common';
import { sameSocketAddress } from '@typertc/common';
import { ERROR_CODE, type StunMessage, XOR_MAPPED_ADDRESS } from '@typertc/stun';
import { pairPriority } from '../pair.js';
import type { AgentContext } from './agent-context.js';
import type { PendingCheck } from './connectivity-checks.js';
import { localCandidateAt } from './peer-reflexive.js';

/** A Binding response (success or error) that arrived on the base `local` from `remote`. */
export function handleCheckResponse(
  agent: AgentContext,
  response: StunMessage,
  local: SocketAddress,
  remote: SocketAddress,
  now: number,
): void {
  const pending = agent.pending;
  const check = pending.find(response.transactionId);
  if (check === undefined || !response.verifyIntegrity(check.remoteKey)) return;
  const roundTripMs = pending.complete(response.transactionId, now);
  if (roundTripMs === undefined) return;
  agent.counters(check.pair).responseReceived(roundTripMs);
  // §7.2.5.2.1: the response must come from where the request went, to where it came from.
  if (!sameSocketAddress(remote, check.to) || !sameSocketAddress(local, check.from)) {
    checkFailed(agent, check);
    return;
  }
  if (response.messageClass === 'error') {
    const code = response.get(ERROR_CODE)?.code;
    // §7.2.5.1: on 487 take the other role, unless it was already switched, and retry. Against
    // a lite peer we stay controlling (§6.1.1): its 487 is an error like any other.
    if (code === 487 && check.purpose !== 'consent' && !agent.remoteLite()) {
      if (check.controlling === agent.controlling()) agent.switchRole(!agent.controlling());
      const session = agent.session();
      session.checklist.markWaiting(check.pair);
      session.triggered.push(check.pair);
      return;
    }
    checkFailed(agent, check);
    return;
  }
  const mapped = response.get(XOR_MAPPED_ADDRESS);
  if (mapped === undefined) {
    checkFailed(agent, check);
    return;
  }
  if (check.purpose === 'consent') {
    agent.consentAnswered(now);
    return;
  }
  checkSucceeded(agent, check, mapped, now);
}

/** A check that got an error, a misrouted response or no response at all. */
export function checkFailed(agent: AgentContext, check: PendingCheck): void {
  const session = agent.session();
  // Consent expiry decides, not one consent transaction.
  if (check.purpose === 'consent' || !session.listed(check.pair)) return;
  session.checklist.markFailed(check.pair);
  session.valid.remove(check.pair);
  if (check.purpose === 'nomination') session.nominating = false;
}

/** §7.2.5.3: the pair and the one the mapped address makes are valid. */
function checkSucceeded(
  agent: AgentContext,
  check: PendingCheck,
  mapped: SocketAddress,
  now: number,
): void {
  const { pair } = check;
  const session = agent.session();
  if (!session.listed(pair)) return;
  const local = localCandidateAt(session.locals, mapped, {
    from: check.from,
    priority: check.priority,
    component: pair.local.component,
  });
  session.checklist.markSucceeded(pair);
  agent.pending.cancelWhere((other, superseded) => superseded && other.pair === pair);
  session.valid.add(pair, local, pairPriority(agent.controlling(), local, pair.remote));
  session.firstValidAt ??= now;
  if (check.purpose === 'nomination' || session.nominateOnSuccess.has(pair))
    agent.nominate(pair, now);
  if (session.valid.selected?.pair === pair) agent.consentAnswered(now);
}
