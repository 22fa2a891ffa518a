/**
 * Drives a sans-I/O `SrflxGatherer` on the in-memory network with a `ManualClock`: its
 * requests out through the node's socket, its candidates to a callback, one timer at its next
 * deadline. Shared by the NAT and TURN harnesses, whose nodes gather server-reflexive
 * candidates on the same socket their agent uses.
 */

import type { ManualClock, SocketAddress, TimerHandle } from '@typertc/common';
import type { LocalCandidate } from '../src/candidate.js';
import type { SrflxGatherer } from '../src/gather/srflx-gatherer.js';

export class GathererDriver {
  #timer: TimerHandle | undefined;

  constructor(
    readonly gatherer: SrflxGatherer,
    private readonly clock: ManualClock,
    private readonly send: (data: Uint8Array, to: SocketAddress) => void,
    private readonly onCandidate: (candidate: LocalCandidate) => void,
  ) {}

  start(): void {
    this.gatherer.start(this.clock.now());
    this.pump();
  }

  /** Offers a datagram; true when it was a response to one of the gatherer's requests. */
  handleDatagram(data: Uint8Array, from: SocketAddress): boolean {
    if (!this.gatherer.handleDatagram(data, from, this.clock.now())) return false;
    this.pump();
    return true;
  }

  get done(): boolean {
    return this.gatherer.done;
  }

  close(): void {
    this.gatherer.close();
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  pump(): void {
    for (let t = this.gatherer.pollTransmit(); t; t = this.gatherer.pollTransmit()) {
      this.send(t.data, t.to);
    }
    for (let e = this.gatherer.pollEvent(); e; e = this.gatherer.pollEvent()) {
      if (e.type === 'candidate') this.onCandidate(e.candidate);
    }
    this.#timer?.cancel();
    this.#timer = undefined;
    const at = this.gatherer.pollTimeout();
    if (at !== undefined) {
      this.#timer = this.clock.setTimer(at, () => {
        this.#timer = undefined;
        this.gatherer.handleTimeout(this.clock.now());
        this.pump();
      });
    }
  }
}
