/**
 * The receiver's side of NACK (RFC 4585 §6.2.1) for one video SSRC, sans-I/O: it sees the
 * sequence numbers that arrive (`received`, also for packets RTX recovered) and says which to
 * ask for again (`due`), and when (`nextDueAt`).
 *
 * A gap is asked for at once, then again every `max(rtt, minRetryMs)` until it arrives or has
 * been asked for `maxRetries` times. Memory is bounded: at most `maxMissing` sequence numbers
 * are tracked (the oldest are given up first), and a gap more than `maxAge` numbers behind the
 * newest is given up: that packet's frame has been skipped long since (libwebrtc's NackModule
 * uses the same kinds of limits).
 */

import { SequenceUnwrapper } from '@typertc/rtp-rtcp';

export interface NackGeneratorOptions {
  /** Times one packet is asked for (default 10). */
  readonly maxRetries?: number;
  /** Shortest wait before asking again, whatever the RTT (default 20 ms). */
  readonly minRetryMs?: number;
  /** Most sequence numbers tracked as missing (default 1,000). */
  readonly maxMissing?: number;
  /** A gap further behind the newest than this is given up (default 10,000 numbers). */
  readonly maxAge?: number;
}

interface Missing {
  retries: number;
  /** When it may be asked for next; 0: now. */
  dueAt: number;
}

export class NackGenerator {
  readonly #maxRetries: number;
  readonly #minRetryMs: number;
  readonly #maxMissing: number;
  readonly #maxAge: number;
  readonly #unwrapper = new SequenceUnwrapper();
  /** Missing extended sequence numbers, oldest first (Map keeps insertion order). */
  readonly #missing = new Map<number, Missing>();
  #newest: number | undefined;
  /** The round-trip time used to pace retries, from RTCP (RFC 3550 §6.4.1); default 100 ms. */
  rttMs = 100;

  constructor(options: NackGeneratorOptions = {}) {
    this.#maxRetries = options.maxRetries ?? 10;
    this.#minRetryMs = options.minRetryMs ?? 20;
    this.#maxMissing = options.maxMissing ?? 1000;
    this.#maxAge = options.maxAge ?? 10_000;
  }

  /** How many sequence numbers are tracked as missing. */
  get missingCount(): number {
    return this.#missing.size;
  }

  /** A packet with `sequence` arrived (first time, retransmitted, or recovered from RTX). */
  received(sequence: number): void {
    const extended = this.#unwrapper.unwrap(sequence);
    const newest = this.#newest;
    if (newest === undefined) {
      this.#newest = extended;
      return;
    }
    if (extended <= newest) {
      this.#missing.delete(extended);
      return;
    }
    // Everything between the newest and this one is missing: at most maxMissing of it kept.
    const firstGap = Math.max(newest + 1, extended - this.#maxMissing);
    for (let gap = firstGap; gap < extended; gap++)
      this.#missing.set(gap, { retries: 0, dueAt: 0 });
    this.#newest = extended;
    this.#forgetBeyondLimits();
  }

  /**
   * The sequence numbers to ask for now (16-bit, oldest first), each counted as asked; an
   * empty array when none is due.
   */
  due(now: number): number[] {
    const out: number[] = [];
    const wait = Math.max(this.rttMs, this.#minRetryMs);
    for (const [extended, missing] of this.#missing) {
      if (missing.dueAt > now) continue;
      out.push(extended & 0xffff);
      missing.retries++;
      missing.dueAt = now + wait;
      if (missing.retries >= this.#maxRetries) this.#missing.delete(extended);
    }
    return out;
  }

  /** When `due` will next have something; undefined when nothing is missing. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const missing of this.#missing.values()) {
      if (next === undefined || missing.dueAt < next) next = missing.dueAt;
    }
    return next;
  }

  #forgetBeyondLimits(): void {
    const oldestKept = (this.#newest as number) - this.#maxAge;
    for (const extended of this.#missing.keys()) {
      if (extended >= oldestKept && this.#missing.size <= this.#maxMissing) break;
      this.#missing.delete(extended);
    }
  }
}
