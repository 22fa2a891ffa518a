/**
 * Runs an `SctpAssociation` over a `DatagramTransport` (a `DtlsTransport`, RFC 8261) with real
 * time: packets in, packets out, events to a listener, one timer at the association's next
 * deadline. Sending is deferred to the end of the current I/O phase (`setImmediate`), so that
 * every packet that arrived together is handled before anything is sent: one SACK per received
 * burst, and new data bundled across the sends of one turn.
 */

import {
  type DatagramTransport,
  RealClock,
  type Scheduler,
  type TimerHandle,
} from '@typertc/common';
import type { SctpAssociation } from '../association/association.js';
import type { SctpEvent } from '../association/options.js';

export class AssociationDriver {
  readonly #association: SctpAssociation;
  readonly #transport: DatagramTransport;
  readonly #scheduler: Scheduler;
  readonly #onEvent: (event: SctpEvent) => void;
  readonly #unsubscribes: (() => void)[];
  #drainScheduled = false;
  #timer: TimerHandle | undefined;
  #timerAt: number | undefined;
  #stopped = false;

  constructor(
    association: SctpAssociation,
    transport: DatagramTransport,
    onEvent: (event: SctpEvent) => void,
    scheduler: Scheduler = new RealClock(),
  ) {
    this.#association = association;
    this.#transport = transport;
    this.#scheduler = scheduler;
    this.#onEvent = onEvent;
    this.#unsubscribes = [
      transport.on('datagram', (data) => {
        if (this.#stopped) return;
        // A received datagram belongs to its listener (DatagramTransport's contract).
        association.handleDatagram(data, scheduler.now(), true);
        this.schedule();
      }),
    ];
  }

  get now(): number {
    return this.#scheduler.now();
  }

  /** Sends and reports what the association has, at the end of this turn. */
  schedule(): void {
    if (this.#drainScheduled || this.#stopped) return;
    this.#drainScheduled = true;
    setImmediate(this.#drain);
  }

  /** Sends and reports now (a call from the application that must not wait). */
  drainNow(): void {
    this.#drain();
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
  }

  readonly #drain = (): void => {
    this.#drainScheduled = false;
    if (this.#stopped) return;
    const association = this.#association;
    for (let packet = association.pollTransmit(); packet; packet = association.pollTransmit()) {
      if (this.#transport.closed) continue;
      try {
        this.#transport.send(packet);
      } catch {
        // The lower transport refused (closed under us): SCTP's retransmission or its own
        // close takes care of it.
      }
    }
    for (let event = association.pollEvent(); event; event = association.pollEvent()) {
      this.#onEvent(event);
    }
    // A listener may have sent: drain that too, in this same turn.
    if (this.#drainScheduled) return;
    this.#armTimer();
  };

  #armTimer(): void {
    const at = this.#association.pollTimeout();
    if (at === this.#timerAt) return;
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer =
      at === undefined
        ? undefined
        : this.#scheduler.setTimer(at, () => {
            this.#timer = undefined;
            this.#timerAt = undefined;
            this.#association.handleTimeout(this.#scheduler.now());
            this.#drain();
          });
  }
}
