/**
 * A retransmission timer of the handshake and shutdown (RFC 9260 §5.1 T1-init and T1-cookie,
 * §9.2 T2-shutdown): a deadline, a count of expiries, and the RTO doubling on each (§6.3.3
 * rule E2), capped at RTO.Max.
 */

export class RetransmissionTimer {
  #deadline: number | undefined;
  #timeoutMs = 0;
  #expiries = 0;

  get deadline(): number | undefined {
    return this.#deadline;
  }

  /** How many times it has expired since `start`. */
  get expiries(): number {
    return this.#expiries;
  }

  start(now: number, rtoMs: number): void {
    this.#timeoutMs = rtoMs;
    this.#expiries = 0;
    this.#deadline = now + rtoMs;
  }

  stop(): void {
    this.#deadline = undefined;
  }

  /** Whether it fired at `now`; if so it is re-armed with twice the timeout, up to `maxMs`. */
  expired(now: number, maxMs: number): boolean {
    if (this.#deadline === undefined || now < this.#deadline) return false;
    this.#expiries++;
    this.#timeoutMs = Math.min(this.#timeoutMs * 2, maxMs);
    this.#deadline = now + this.#timeoutMs;
    return true;
  }
}
