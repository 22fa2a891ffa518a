/**
 * Congestion control for the one destination a WebRTC association has (RFC 9260 §7.2): the
 * congestion window, slow start and congestion avoidance as SACKs arrive (§7.2.1, §7.2.2), the
 * reductions on loss (§7.2.3), and the Fast Recovery state that keeps one window's losses from
 * cutting cwnd more than once (§7.2.4). Sizes are bytes of user data, as the flight size is.
 */

import { tsnLessOrEqual } from '../../packet/tsn.js';

/**
 * Max.Burst (RFC 9260 §6.1, §16): the most packets an endpoint sends in one go, so a window
 * opened wide by one SACK does not leave as a line-rate burst.
 */
export const MAX_BURST = 4;

/** The initial cwnd (RFC 9260 §7.2.1): min(4*MTU, max(2*MTU, 4404 bytes)). */
export function initialCwnd(mtu: number): number {
  return Math.min(4 * mtu, Math.max(2 * mtu, 4404));
}

export class CongestionControl {
  readonly #mtu: number;
  #cwnd: number;
  #ssthresh: number;
  #partialBytesAcked = 0;
  /** The Fast Recovery exit point: the highest TSN outstanding when it was entered (§7.2.4). */
  #fastRecoveryExit: number | undefined;

  /**
   * `initialSsthresh` is the peer's a_rwnd: §7.2.1 asks for an arbitrarily high ssthresh, and
   * the largest window the peer can advertise is as high as matters.
   */
  constructor(mtu: number, initialSsthresh: number) {
    this.#mtu = mtu;
    this.#cwnd = initialCwnd(mtu);
    this.#ssthresh = initialSsthresh;
  }

  get cwnd(): number {
    return this.#cwnd;
  }

  get ssthresh(): number {
    return this.#ssthresh;
  }

  get partialBytesAcked(): number {
    return this.#partialBytesAcked;
  }

  get inFastRecovery(): boolean {
    return this.#fastRecoveryExit !== undefined;
  }

  /**
   * A SACK newly acknowledged `ackedBytes` (by the cumulative ack and gap blocks); `flightBefore`
   * is the flight size when it arrived. cwnd only grows while it is being fully used, and never
   * in Fast Recovery (§7.2.1, §7.2.4).
   */
  onAck(ackedBytes: number, flightBefore: number, cumulativeAdvanced: boolean): void {
    if (ackedBytes <= 0 || this.inFastRecovery) return;
    const fullyUtilized = flightBefore >= this.#cwnd;
    if (this.#cwnd <= this.#ssthresh) {
      // §7.2.1: slow start grows by at most one MTU per SACK (the bound against ACK splitting),
      // and only for a SACK that advances the cumulative ack.
      if (fullyUtilized && cumulativeAdvanced) this.#cwnd += Math.min(ackedBytes, this.#mtu);
      return;
    }
    // §7.2.2: congestion avoidance, one MTU per cwnd of data acknowledged.
    this.#partialBytesAcked += ackedBytes;
    if (this.#partialBytesAcked < this.#cwnd) return;
    if (fullyUtilized) {
      this.#partialBytesAcked -= this.#cwnd;
      this.#cwnd += this.#mtu;
    } else {
      this.#partialBytesAcked = this.#cwnd;
    }
  }

  /** Everything sent has been acknowledged (§7.2.2): partial_bytes_acked starts over. */
  onAllAcked(): void {
    this.#partialBytesAcked = 0;
  }

  /**
   * Loss detected from SACKs (§7.2.4 steps 1-2): outside Fast Recovery, ssthresh and cwnd drop
   * as §7.2.3 says and Fast Recovery runs until `exitTsn` is cumulatively acked. Returns false
   * (changing nothing) when already in Fast Recovery.
   */
  enterFastRecovery(exitTsn: number): boolean {
    if (this.inFastRecovery) return false;
    this.#ssthresh = Math.max(Math.floor(this.#cwnd / 2), 4 * this.#mtu);
    this.#cwnd = this.#ssthresh;
    this.#partialBytesAcked = 0;
    this.#fastRecoveryExit = exitTsn;
    return true;
  }

  /** §6.2.1 D iv: Fast Recovery ends once the cumulative ack reaches its exit point. */
  onCumulativeAck(cumulativeTsnAck: number): void {
    const exit = this.#fastRecoveryExit;
    if (exit !== undefined && tsnLessOrEqual(exit, cumulativeTsnAck)) {
      this.#fastRecoveryExit = undefined;
    }
  }

  /**
   * T3-rtx expired (§6.3.3 E1, §7.2.3): back to one MTU and slow start. Fast Recovery ends too
   * (as in Linux): its losses are now being repaired by the timeout, and staying in it would
   * forbid the slow start the timeout calls for.
   */
  onT3Expiry(): void {
    this.#ssthresh = Math.max(Math.floor(this.#cwnd / 2), 4 * this.#mtu);
    this.#cwnd = this.#mtu;
    this.#partialBytesAcked = 0;
    this.#fastRecoveryExit = undefined;
  }

  /**
   * No data was sent for `idleMs` (§7.2.1, §7.2.2): cwnd SHOULD decay to max(cwnd/2, 4*MTU)
   * per RTO of idleness, so a stale window is not used as a burst.
   */
  onIdle(idleMs: number, rtoMs: number): void {
    for (let elapsed = rtoMs; elapsed <= idleMs && this.#cwnd > 4 * this.#mtu; elapsed += rtoMs) {
      this.#cwnd = Math.max(Math.floor(this.#cwnd / 2), 4 * this.#mtu);
    }
  }
}
