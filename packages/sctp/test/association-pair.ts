/**
 * Two `SctpAssociation`s back to back in memory with a simulated clock: `run(ms)` delivers
 * packets (through an optional `link` that may drop, delay, duplicate or alter them) and fires
 * each association's timers in time order, until nothing is left to do or the time is up.
 */

import { SctpAssociation } from '../src/association/association.js';
import type { SctpAssociationOptions, SctpEvent } from '../src/association/options.js';
import type { OutgoingMessage } from '../src/association/send/index.js';
import {
  type ChunkHeader,
  COMMON_HEADER_LENGTH,
  createChunkHeader,
  readChunkHeader,
  readCommonHeader,
  writeChecksum,
  writeCommonHeader,
} from '../src/packet/index.js';

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
  a: SctpAssociation;
  b: SctpAssociation;
  readonly events: Record<Side, SctpEvent[]> = { a: [], b: [] };
  readonly sent: Record<Side, Uint8Array[]> = { a: [], b: [] };
  now = 0;
  link: Link;
  /** Called with each event as it is collected: a test's application logic. */
  onEvent: ((side: Side, event: SctpEvent) => void) | undefined;
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

  /** Swaps in a fresh association on one side: the endpoint restarted and lost its state. */
  replace(side: Side, options: SctpAssociationOptions = {}): SctpAssociation {
    const fresh = new SctpAssociation(options);
    if (side === 'a') this.a = fresh;
    else this.b = fresh;
    return fresh;
  }

  /** `side` queues a message at the pair's current time. */
  send(side: Side, message: OutgoingMessage): void {
    this.association(side).send(message, this.now);
  }

  /** `side` resets an outgoing stream at the pair's current time. */
  resetStream(side: Side, streamId: number): void {
    this.association(side).resetStream(streamId, this.now);
  }

  /**
   * Hands `packet` to one side now, as if it came off the wire, and collects the results;
   * `owned` gives the packet away (see `SctpAssociation.handleDatagram`).
   */
  inject(to: Side, packet: Uint8Array, owned = false): void {
    this.association(to).handleDatagram(packet, this.now, owned);
    this.collect();
  }

  /** A packet as `from` would send it now: the verification tag of its last packet, checksummed. */
  forge(from: Side, chunks: readonly Uint8Array[]): Uint8Array {
    const last = this.sent[from].at(-1);
    if (last === undefined) throw new Error(`${from} has sent nothing yet`);
    return craftPacket(verificationTagOf(last), chunks);
  }

  /** Packets `side` sent since `from` (an index into `sent[side]`). */
  sentSince(side: Side, from: number): Uint8Array[] {
    return this.sent[side].slice(from);
  }

  /**
   * Collects what both sides want sent and the events they report, until neither has more
   * (`onEvent` may make an association send).
   */
  collect(): void {
    for (let more = true; more; ) {
      more = false;
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
        for (let e = association.pollEvent(); e; e = association.pollEvent()) {
          this.events[side].push(e);
          this.onEvent?.(side, e);
          more = true;
        }
      }
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

/** The chunk headers of a packet, each a fresh object. */
export function chunksOf(packet: Uint8Array): ChunkHeader[] {
  const chunks: ChunkHeader[] = [];
  for (let at = COMMON_HEADER_LENGTH; at < packet.length; ) {
    const header = createChunkHeader();
    readChunkHeader(packet, at, header);
    chunks.push(header);
    at = header.next;
  }
  return chunks;
}

/** Whether the packet holds a chunk of `type`. */
export function hasChunk(packet: Uint8Array, type: number): boolean {
  return chunksOf(packet).some((chunk) => chunk.type === type);
}

export function verificationTagOf(packet: Uint8Array): number {
  const header = { sourcePort: 0, destinationPort: 0, verificationTag: 0 };
  readCommonHeader(packet, header);
  return header.verificationTag;
}

/** A checksummed packet of `chunks` with the given tag (ports 5000 unless told). */
export function craftPacket(
  verificationTag: number,
  chunks: readonly Uint8Array[],
  ports = { source: 5000, destination: 5000 },
): Uint8Array {
  const size = chunks.reduce((total, chunk) => total + chunk.length, COMMON_HEADER_LENGTH);
  const packet = new Uint8Array(size);
  writeCommonHeader(packet, ports.source, ports.destination, verificationTag);
  let at = COMMON_HEADER_LENGTH;
  for (const chunk of chunks) {
    packet.set(chunk, at);
    at += chunk.length;
  }
  writeChecksum(packet);
  return packet;
}
