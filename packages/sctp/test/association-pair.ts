/**
 * Two `SctpAssociation`s back to back in memory with a simulated clock: `run(ms)` delivers
 * packets (through an optional `link` that may drop, delay, duplicate or alter them) and fires
 * each association's timers in time order, until nothing is left to do or the time is up.
 */

import { SctpAssociation } from '../src/association/association.js';
import type { SctpAssociationOptions, SctpEvent } from '../src/association/options.js';

export type Side = 'a' | 'b';

/** What becomes of one packet: copies to deliver, each after a delay in ms. */
export type Link = (
  packet: Uint8Array,
  from: Side,
  now: number,
) => { packet: Uint8Array; delayMs: number }[];

export const perfectLink: Link = (packet) => [{ packet, delayMs: 1 }];

interface InFlight {
  readonly at: number;
  readonly to: Side;
  readonly packet: Uint8Array;
  readonly order: number;
}

export class AssociationPair {
  readonly a: SctpAssociation;
  readonly b: SctpAssociation;
  readonly events: Record<Side, SctpEvent[]> = { a: [], b: [] };
  readonly sent: Record<Side, Uint8Array[]> = { a: [], b: [] };
  now = 0;
  link: Link;
  readonly #inFlight: InFlight[] = [];
  #order = 0;

  constructor(
    options: SctpAssociationOptions = {},
    link: Link = perfectLink,
    optionsB: SctpAssociationOptions = options,
  ) {
    this.a = new SctpAssociation(options);
    this.b = new SctpAssociation(optionsB);
    this.link = link;
  }

  association(side: Side): SctpAssociation {
    return side === 'a' ? this.a : this.b;
  }

  /** Collects what both sides want sent and the events they report. */
  collect(): void {
    for (const side of ['a', 'b'] as const) {
      const association = this.association(side);
      for (let p = association.pollTransmit(); p; p = association.pollTransmit()) {
        this.sent[side].push(p);
        for (const copy of this.link(p, side, this.now)) {
          this.#inFlight.push({
            at: this.now + copy.delayMs,
            to: side === 'a' ? 'b' : 'a',
            packet: copy.packet,
            order: this.#order++,
          });
        }
      }
      for (let e = association.pollEvent(); e; e = association.pollEvent())
        this.events[side].push(e);
    }
  }

  /** Advances time up to `ms` from now, delivering packets and firing timers in order. */
  run(ms: number, until?: () => boolean): void {
    const end = this.now + ms;
    this.collect();
    for (let steps = 0; steps < 10_000_000; steps++) {
      if (until?.()) return;
      const next = this.#nextTime();
      if (next === undefined || next > end) break;
      this.now = Math.max(this.now, next);
      this.#inFlight.sort((x, y) => x.at - y.at || x.order - y.order);
      while ((this.#inFlight[0]?.at ?? Number.POSITIVE_INFINITY) <= this.now) {
        const flight = this.#inFlight.shift() as InFlight;
        this.association(flight.to).handleDatagram(flight.packet, this.now);
      }
      for (const side of ['a', 'b'] as const) {
        const association = this.association(side);
        const at = association.pollTimeout();
        if (at !== undefined && at <= this.now) association.handleTimeout(this.now);
      }
      this.collect();
    }
    this.now = Math.max(this.now, end);
  }

  #nextTime(): number | undefined {
    let next: number | undefined;
    for (const flight of this.#inFlight)
      if (next === undefined || flight.at < next) next = flight.at;
    for (const association of [this.a, this.b]) {
      const at = association.pollTimeout();
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  messages(side: Side): Extract<SctpEvent, { type: 'message' }>[] {
    return this.events[side].filter(
      (e): e is Extract<SctpEvent, { type: 'message' }> => e.type === 'message',
    );
  }
}
