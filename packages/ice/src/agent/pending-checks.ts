/**
 * The agent's requests in flight: one STUN transaction each (RFC 8489 §6.2.1 retransmissions),
 * keyed by transaction id, with what each is for. Transmissions go to the sink the agent gives.
 */

import { toHex } from '@typertc/common';
import { StunTransaction, type StunTransactionOptions } from '@typertc/stun';
import type { CandidatePair } from '../pair.js';
import type { IceTransmit } from './agent-types.js';
import type { PendingCheck } from './connectivity-checks.js';

interface PendingEntry {
  readonly check: PendingCheck;
  readonly transaction: StunTransaction;
  /**
   * A triggered check replaced this one (RFC 8445 §7.3.1.4): it no longer retransmits and its
   * timeout fails nothing, but a response to it still counts.
   */
  superseded: boolean;
  /** When the request last went out: a response's round-trip time runs from there. */
  lastSentAt: number;
}

export class PendingChecks {
  readonly #entries = new Map<string, PendingEntry>();

  constructor(private readonly transmit: (transmit: IceTransmit) => void) {}

  /** Starts the transaction of `request` (its id and bytes) and queues its first transmission. */
  start(
    check: PendingCheck,
    request: { readonly transactionId: Uint8Array; readonly bytes: Uint8Array },
    options: StunTransactionOptions,
    now: number,
  ): void {
    const transaction = new StunTransaction(request.transactionId, request.bytes, options);
    const entry: PendingEntry = { check, transaction, superseded: false, lastSentAt: now };
    this.#entries.set(toHex(request.transactionId), entry);
    transaction.start(now);
    this.#drain(entry);
  }

  /** Runs the retransmission timers; returns the checks that timed out and count as failed. */
  handleTimeout(now: number): PendingCheck[] {
    const failed: PendingCheck[] = [];
    for (const [id, entry] of this.#entries) {
      entry.transaction.handleTimeout(now);
      if (this.#drain(entry)) entry.lastSentAt = now;
      if (entry.transaction.state !== 'timed-out') continue;
      this.#entries.delete(id);
      if (!entry.superseded) failed.push(entry.check);
    }
    return failed;
  }

  /** The check a response's transaction id names, without settling it. */
  find(transactionId: Uint8Array): PendingCheck | undefined {
    return this.#entries.get(toHex(transactionId))?.check;
  }

  /**
   * Settles the transaction of an authenticated response and returns its round-trip time in ms;
   * undefined for a late or repeated response. The time runs from the request's last
   * transmission, as libwebrtc measures it: after a retransmission nobody knows which copy was
   * answered (RFC 6298 §3, Karn), and retransmissions are at least an RTO (500 ms) apart, so the
   * answer is almost always to the last one. Every response thus gives a sample, and
   * webrtc-stats' totalRoundTripTime / responsesReceived stays an average.
   */
  complete(transactionId: Uint8Array, now: number): number | undefined {
    const id = toHex(transactionId);
    const entry = this.#entries.get(id);
    if (entry === undefined || !entry.transaction.handleResponse(transactionId, now)) {
      return undefined;
    }
    this.#entries.delete(id);
    return now - entry.lastSentAt;
  }

  /** The ordinary checks of `pair` stop retransmitting: a triggered check replaces them. */
  supersede(pair: CandidatePair): void {
    for (const entry of this.#entries.values()) {
      if (entry.check.pair === pair && entry.check.purpose === 'check') entry.superseded = true;
    }
  }

  /** Drops the checks that match; returns them. */
  cancelWhere(predicate: (check: PendingCheck, superseded: boolean) => boolean): PendingCheck[] {
    const cancelled: PendingCheck[] = [];
    for (const [id, entry] of this.#entries) {
      if (!predicate(entry.check, entry.superseded)) continue;
      entry.transaction.cancel();
      this.#entries.delete(id);
      cancelled.push(entry.check);
    }
    return cancelled;
  }

  /** Whether a check or nomination is still retransmitting. */
  hasActiveChecks(): boolean {
    for (const { check, superseded } of this.#entries.values()) {
      if (check.purpose !== 'consent' && !superseded) return true;
    }
    return false;
  }

  /** The earliest retransmission or timeout. */
  deadline(): number | undefined {
    let earliest: number | undefined;
    for (const { transaction } of this.#entries.values()) {
      const at = transaction.pollTimeout();
      if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
    }
    return earliest;
  }

  /** Sends what the transaction wants sent; true if anything went out. */
  #drain(entry: PendingEntry): boolean {
    let sent = false;
    for (
      let data = entry.transaction.pollTransmit();
      data;
      data = entry.transaction.pollTransmit()
    ) {
      // A superseded check only listens for a late response.
      if (entry.superseded) continue;
      this.transmit({ data, from: entry.check.from, to: entry.check.to });
      sent = true;
    }
    return sent;
  }
}
