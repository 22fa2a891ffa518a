/**
 * Consent freshness on the selected pair (RFC 7675): the peer's consent to receive is renewed by
 * every authenticated response to our Binding requests on the pair, and expires 30 s after the
 * last one (§5.1), after which the agent must stop sending.
 *
 * Requests go out every 5 s, randomized over 4–6 s (§5.1: 0.8 to 1.2 times the interval, so
 * many agents do not synchronize). Each is its own STUN transaction, retransmitted a few times
 * inside the interval (see `CONSENT_TRANSMISSIONS`), so one lost packet does not cost a round.
 *
 * `disconnected` (W3C) is not in RFC 7675. We follow libwebrtc's 2.5 s receive timeout: when a
 * consent request has gone unanswered for 2.5 s (three transmissions with the default RTO), the
 * path is reported `unanswered`; the first response makes it `fresh` again.
 *
 * A lite agent sends no consent requests: RFC 7675 §4 leaves consent to the full agent and has
 * the lite one answer them as ordinary checks. As the lite side's own liveness signal we count
 * each authenticated check the peer sends on the selected pair as freshness, so 30 s without one
 * expires consent. This is our extension, not RFC 7675's; it cannot cut a healthy session, since
 * a full peer with consent sends a request every 4–6 s, and one without consent stops sending
 * (§5.1).
 *
 * Keepalives (RFC 8445 §11): a full agent's consent requests, every 4–6 s, keep NAT bindings
 * open. A lite agent sends none, so it sends a Binding indication every Tr = 15 s (the least
 * §11 allows) on the selected pair; the peer discards it (§11), the NATs on the way see traffic.
 */

/** RFC 7675 §5.1. */
export const CONSENT_INTERVAL_MS = 5000;
export const CONSENT_EXPIRY_MS = 30_000;
/** libwebrtc's receiving timeout, our `disconnected` threshold. */
export const CONSENT_UNANSWERED_MS = 2500;
/** Transmissions per consent request: at 0, 500 and 1500 ms with RTO 500, done within 4 s. */
export const CONSENT_TRANSMISSIONS = 3;
/** RFC 8445 §11: Tr, the keepalive interval; 15 s by default, and no less. */
export const KEEPALIVE_INTERVAL_MS = 15_000;

export type ConsentStatus = 'fresh' | 'unanswered' | 'expired';

export class ConsentFreshness {
  #lastFreshAt: number;
  #nextRequestAt: number;
  /** A lite agent's next keepalive. */
  #nextKeepaliveAt: number;
  /** When the oldest consent request still unanswered was sent. */
  #unansweredSince: number | undefined;
  readonly #random: () => number;
  /** False for a lite agent, which only hears the peer's requests. */
  readonly #sendsRequests: boolean;

  /** Consent starts fresh: the check that selected the pair was just answered. */
  constructor(now: number, random: () => number, sendsRequests: boolean) {
    this.#random = random;
    this.#sendsRequests = sendsRequests;
    this.#lastFreshAt = now;
    this.#nextRequestAt = now + this.#interval();
    this.#nextKeepaliveAt = now + KEEPALIVE_INTERVAL_MS;
  }

  /** Whether a lite agent's keepalive indication is due now; if so, it is counted as sent. */
  takeDueKeepalive(now: number): boolean {
    if (this.#sendsRequests || now < this.#nextKeepaliveAt || this.status(now) === 'expired') {
      return false;
    }
    this.#nextKeepaliveAt = now + KEEPALIVE_INTERVAL_MS;
    return true;
  }

  /** Whether a consent request is due now; if so, it is counted as sent. */
  takeDueRequest(now: number): boolean {
    if (!this.#sendsRequests || now < this.#nextRequestAt || this.status(now) === 'expired') {
      return false;
    }
    this.#nextRequestAt = now + this.#interval();
    this.#unansweredSince ??= now;
    return true;
  }

  /** An authenticated response to a request on the pair arrived (lite: a request did). */
  handleResponse(now: number): void {
    this.#lastFreshAt = now;
    this.#unansweredSince = undefined;
  }

  status(now: number): ConsentStatus {
    // Compared as `now >= start + span`, the same sums `deadline` returns: a difference could
    // round below the span at exactly the deadline, and the driver would spin there.
    if (now >= this.#lastFreshAt + CONSENT_EXPIRY_MS) return 'expired';
    const since = this.#unansweredSince;
    if (since !== undefined && now >= since + CONSENT_UNANSWERED_MS) return 'unanswered';
    return 'fresh';
  }

  /** The next time the status may change or a request falls due. */
  deadline(now: number): number | undefined {
    if (this.status(now) === 'expired') return undefined;
    let at = this.#lastFreshAt + CONSENT_EXPIRY_MS;
    at = Math.min(at, this.#sendsRequests ? this.#nextRequestAt : this.#nextKeepaliveAt);
    if (this.#unansweredSince !== undefined && this.status(now) === 'fresh') {
      at = Math.min(at, this.#unansweredSince + CONSENT_UNANSWERED_MS);
    }
    return at;
  }

  #interval(): number {
    return CONSENT_INTERVAL_MS * (0.8 + 0.4 * this.#random());
  }
}
