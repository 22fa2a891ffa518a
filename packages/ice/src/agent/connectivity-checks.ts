/**
 * The STUN side of ICE connectivity checks: building a check (RFC 8445 §7.2.2), authenticating a
 * received one (§7.3, RFC 8489 §9.1.3) and building the answers (§7.3.1). Pure functions over
 * `StunMessage`; the agent owns the state.
 */

import type { SocketAddress } from '@typertc/common';
import {
  ERROR_CODE,
  ICE_CONTROLLED,
  ICE_CONTROLLING,
  PRIORITY,
  StunMessage,
  StunMethod,
  USE_CANDIDATE,
  USERNAME,
  XOR_MAPPED_ADDRESS,
} from '@typertc/stun';
import { candidatePriority } from '../candidate.js';
import type { CandidatePair } from '../pair.js';
import type { LocalCredentials, RemoteCredentials } from './credentials.js';

export interface CheckRequestInit {
  readonly localUfrag: string;
  readonly remoteUfrag: string;
  /** The remote password's short-term key (RFC 8445 §7.2.2). */
  readonly remoteKey: Uint8Array;
  /** The priority a peer-reflexive candidate learned from this check would get (§7.1.1). */
  readonly priority: number;
  readonly controlling: boolean;
  readonly tieBreaker: bigint;
  /** Nominates the pair (§7.1.2, §8.1.1). */
  readonly useCandidate: boolean;
}

/** A Binding request for a check (RFC 8445 §7.1, §7.2.2), and its bytes. */
function buildCheckRequest(init: CheckRequestInit): {
  readonly message: StunMessage;
  readonly bytes: Uint8Array;
} {
  const message = new StunMessage('request', StunMethod.Binding)
    // §7.2.2: "RFRAG:LFRAG", the peer's fragment first, so the peer finds its own session.
    .add(USERNAME, `${init.remoteUfrag}:${init.localUfrag}`)
    .add(PRIORITY, init.priority);
  if (init.controlling) message.add(ICE_CONTROLLING, init.tieBreaker);
  else message.add(ICE_CONTROLLED, init.tieBreaker);
  if (init.useCandidate) message.add(USE_CANDIDATE, true);
  return { message, bytes: message.encode({ integrity: init.remoteKey, fingerprint: true }) };
}

/** What `authenticateCheck` concluded about a received Binding request. */
type CheckAuthentication =
  | { readonly ok: true; readonly priority: number; readonly useCandidate: boolean }
  | { readonly ok: false; readonly code: 400 | 401; readonly reason: string };

/**
 * RFC 8489 §9.1.3 as RFC 8445 §7.3 applies it: no USERNAME, no MESSAGE-INTEGRITY or no PRIORITY
 * (§7.1.1 makes it mandatory) is 400; a USERNAME that does not start with our fragment, or an
 * integrity check that fails under our password, is 401.
 */
function authenticateCheck(
  request: StunMessage,
  localUfrag: string,
  localKey: Uint8Array,
): CheckAuthentication {
  const username = request.get(USERNAME);
  const priority = request.get(PRIORITY);
  if (username === undefined || request.integrityAt < 0 || priority === undefined) {
    return { ok: false, code: 400, reason: 'Bad Request' };
  }
  const separator = username.indexOf(':');
  if (separator < 0 || username.slice(0, separator) !== localUfrag) {
    return { ok: false, code: 401, reason: 'Unauthenticated' };
  }
  if (!request.verifyIntegrity(localKey))
    return { ok: false, code: 401, reason: 'Unauthenticated' };
  return { ok: true, priority, useCandidate: request.has(USE_CANDIDATE) };
}

/**
 * The success response (RFC 8445 §7.3.1): XOR-MAPPED-ADDRESS is the request's source, and it is
 * signed with our password (§7.3: the same short-term credential the request used).
 */
function buildSuccessResponse(
  request: StunMessage,
  source: SocketAddress,
  localKey: Uint8Array,
): Uint8Array {
  return StunMessage.responseTo(request, 'success')
    .add(XOR_MAPPED_ADDRESS, source)
    .encode({ integrity: localKey, fingerprint: true });
}

/**
 * An error response. Signed when the request was authenticated (487, 420); unsigned for 400 and
 * 401, where no shared key has been proved (RFC 8489 §9.1.3).
 */
function buildErrorResponse(
  request: StunMessage,
  code: number,
  reason: string,
  key: Uint8Array | undefined,
): Uint8Array {
  const response = StunMessage.responseTo(request, 'error').add(ERROR_CODE, { code, reason });
  return key === undefined
    ? response.encode({ fingerprint: true })
    : response.encode({ integrity: key, fingerprint: true });
}

/** A 401 for a request we refuse to authenticate, unsigned as RFC 8489 §9.1.3 has it. */
export function unauthenticatedResponse(request: StunMessage): Uint8Array {
  return buildErrorResponse(request, 401, 'Unauthenticated', undefined);
}

/**
 * The role a request claims (RFC 8445 §7.1.3): its tie-breaker and whether it says controlling;
 * undefined when it carries neither attribute.
 */
function claimedRole(
  request: StunMessage,
): { readonly controlling: boolean; readonly tieBreaker: bigint } | undefined {
  const controlling = request.get(ICE_CONTROLLING);
  if (controlling !== undefined) return { controlling: true, tieBreaker: controlling };
  const controlled = request.get(ICE_CONTROLLED);
  if (controlled !== undefined) return { controlling: false, tieBreaker: controlled };
  return undefined;
}

/** Who answers a check: our credentials and role. */
export interface CheckResponder {
  readonly localUfrag: string;
  readonly localKey: Uint8Array;
  readonly controlling: boolean;
  readonly tieBreaker: bigint;
  /** A lite agent is always controlled (RFC 8445 §6.1.1): it never takes the other role. */
  readonly lite: boolean;
}

/** The ufrag a request addresses, the part of its USERNAME before the colon (§7.2.2). */
export function addressedUfrag(request: StunMessage): string | undefined {
  const username = request.get(USERNAME);
  const separator = username?.indexOf(':') ?? -1;
  return username === undefined || separator < 0 ? undefined : username.slice(0, separator);
}

/** The answer to a received check, and what it means for the agent. */
export type CheckAnswer =
  | { readonly accepted: false; readonly reply: Uint8Array }
  | {
      readonly accepted: true;
      readonly reply: Uint8Array;
      /** §7.3.1.1: the peer won a role conflict; take the other role. */
      readonly switchRole: boolean;
      readonly priority: number;
      readonly useCandidate: boolean;
    };

/**
 * Answers a Binding request (RFC 8445 §7.3): 400/401 when it does not authenticate, 420 for
 * unknown comprehension-required attributes (RFC 8489 §6.3.1.1), 487 when both agents claim our
 * role and our tie-breaker wins (§7.3.1.1), else a success response; `switchRole` when both
 * claim our role and theirs wins (the larger tie-breaker is controlling). A lite agent cannot
 * switch, so it answers every conflict with 487: the full peer then takes control (§7.2.5.1).
 */
export function answerCheck(
  request: StunMessage,
  source: SocketAddress,
  responder: CheckResponder,
): CheckAnswer {
  const auth = authenticateCheck(request, responder.localUfrag, responder.localKey);
  if (!auth.ok) {
    return {
      accepted: false,
      reply: buildErrorResponse(request, auth.code, auth.reason, undefined),
    };
  }
  const unknown = StunMessage.unknownAttributesResponse(request);
  if (unknown !== undefined) {
    const reply = unknown.encode({ integrity: responder.localKey, fingerprint: true });
    return { accepted: false, reply };
  }
  const role = claimedRole(request);
  let switchRole = false;
  if (role !== undefined && role.controlling === responder.controlling) {
    const weWin = responder.tieBreaker >= role.tieBreaker;
    if (responder.lite || weWin === responder.controlling) {
      const reply = buildErrorResponse(request, 487, 'Role Conflict', responder.localKey);
      return { accepted: false, reply };
    }
    switchRole = true;
  }
  return {
    accepted: true,
    reply: buildSuccessResponse(request, source, responder.localKey),
    switchRole,
    priority: auth.priority,
    useCandidate: auth.useCandidate,
  };
}

/** What a check in flight is for. */
export type CheckPurpose = 'check' | 'nomination' | 'consent';

/** A request the agent sent and waits on. */
export interface PendingCheck {
  readonly purpose: CheckPurpose;
  readonly pair: CandidatePair;
  /** The base it was sent from and where to (for §7.2.5.2.1's symmetry check). */
  readonly from: SocketAddress;
  readonly to: SocketAddress;
  /** The PRIORITY it carried, the priority of a local prflx candidate it discovers. */
  readonly priority: number;
  /** The role it claimed, to tell whether a 487 still applies (§7.2.5.1). */
  readonly controlling: boolean;
  /**
   * The peer's key it was signed with, which the response must verify under (§7.2.5.1): during
   * an ICE restart consent on the old pair still runs on the old credentials.
   */
  readonly remoteKey: Uint8Array;
}

/**
 * The request of a check on `pair` and what the agent remembers of it: signed with the peer's
 * key of `credentials`, claiming `role`, with USE-CANDIDATE when it nominates.
 */
export function prepareCheck(
  pair: CandidatePair,
  purpose: CheckPurpose,
  credentials: { readonly local: LocalCredentials; readonly remote: RemoteCredentials },
  role: { readonly controlling: boolean; readonly tieBreaker: bigint },
): {
  readonly check: PendingCheck;
  readonly transactionId: Uint8Array;
  readonly bytes: Uint8Array;
} {
  // §7.1.1: the priority the local candidate would have as a peer-reflexive one.
  const priority = candidatePriority(
    'prflx',
    (pair.local.priority >>> 8) & 0xffff,
    pair.local.component,
  );
  const { message, bytes } = buildCheckRequest({
    localUfrag: credentials.local.ufrag,
    remoteUfrag: credentials.remote.ufrag,
    remoteKey: credentials.remote.key,
    priority,
    controlling: role.controlling,
    tieBreaker: role.tieBreaker,
    useCandidate: purpose === 'nomination',
  });
  const check: PendingCheck = {
    purpose,
    pair,
    from: pair.local.base,
    to: { address: pair.remote.address, port: pair.remote.port, family: pair.remote.family },
    priority,
    controlling: role.controlling,
    remoteKey: credentials.remote.key,
  };
  return { check, transactionId: message.transactionId, bytes };
}

/**
 * A keepalive (RFC 8445 §11): a Binding indication with FINGERPRINT and nothing to authenticate,
 * which the peer discards; only the NATs on the path need to see it.
 */
export function keepaliveIndication(): Uint8Array {
  return new StunMessage('indication', StunMethod.Binding).encode({ fingerprint: true });
}
