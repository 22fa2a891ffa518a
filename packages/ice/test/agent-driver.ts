/**
 * Pumps one `IceAgent` on a `ManualClock`, as a real stack's event loop would: what the agent
 * queued goes to the subclass's `transmit`, its events are recorded with the time they came out,
 * and one timer is armed at `pollTimeout`, re-armed after every input.
 */

import type { ManualClock, SocketAddress, TimerHandle } from '@typertc/common';
import type { IceAgentEvent, IceTransmit } from '../src/agent/agent-types.js';
import type { IceAgent } from '../src/agent/ice-agent.js';

export interface TimedEvent {
  readonly time: number;
  readonly event: IceAgentEvent;
}

export abstract class AgentDriver {
  readonly events: TimedEvent[] = [];
  #timer: TimerHandle | undefined;

  constructor(
    readonly agent: IceAgent,
    readonly clock: ManualClock,
  ) {}

  /** Puts one datagram the agent queued on the wire. */
  protected abstract transmit(transmit: IceTransmit): void;

  /** Runs on every pump once transmits and events are drained. */
  protected afterDrain(): void {}

  /** Hands the agent a datagram that arrived on the base `local` from `from`, then pumps. */
  deliver(data: Uint8Array, local: SocketAddress, from: SocketAddress): void {
    this.agent.handleDatagram(data, local, from, this.clock.now());
    this.pump();
  }

  /** Sends what the agent queued, records its events and re-arms its timer. */
  pump(): void {
    for (let t = this.agent.pollTransmit(); t; t = this.agent.pollTransmit()) this.transmit(t);
    for (let e = this.agent.pollEvent(); e; e = this.agent.pollEvent()) {
      this.events.push({ time: this.clock.now(), event: e });
    }
    this.afterDrain();
    this.#timer?.cancel();
    this.#timer = undefined;
    const at = this.agent.pollTimeout();
    if (at !== undefined) {
      this.#timer = this.clock.setTimer(at, () => {
        this.#timer = undefined;
        this.agent.handleTimeout(this.clock.now());
        this.pump();
      });
    }
  }

  states(): string[] {
    return this.events.flatMap(({ event }) => (event.type === 'state' ? [event.state] : []));
  }

  /** When the agent first entered `state`, or undefined. */
  timeOf(state: string): number | undefined {
    return this.events.find(({ event }) => event.type === 'state' && event.state === state)?.time;
  }

  /** Closes the agent and disarms its timer. */
  close(): void {
    this.agent.close();
    this.#timer?.cancel();
  }
}
