/**
 * One direction of a link between a node (host or NAT) and its realm, with the impairments of a
 * real path: MTU, a bandwidth bottleneck with a drop-tail buffer, random loss, latency, jitter,
 * reordering and duplication, applied in that order. Every random choice comes from the link's
 * own seeded stream, so a run repeats exactly.
 *
 * Sizes are UDP payload bytes: IP and UDP headers are not modelled, so `mtu: 1200` passes a
 * 1200-byte datagram, and `bandwidthBps` counts payload bits only.
 */

import type { SeededRandom } from '../random.js';
import type { NetworkContext, Packet } from './context.js';
import { VirtualNetworkError } from './errors.js';

export interface LinkConditions {
  /** Probability (0-1) that a packet is lost. */
  readonly loss?: number;
  /** Fixed one-way latency in ms. */
  readonly delayMs?: number;
  /**
   * Extra latency per packet, drawn uniformly from [0, jitterMs). Jitter never reorders: a packet
   * that would overtake one sent before it waits for it (only `reorder` reorders), so the one-way
   * latency stays within [delayMs, delayMs + jitterMs] when the link has no bandwidth cap. When
   * packets are sent closer together than `jitterMs`, that wait pushes their latencies towards
   * the top of the range.
   */
  readonly jitterMs?: number;
  /** Probability (0-1) that a packet is held back by `reorderDelayMs`, letting later ones pass. */
  readonly reorder?: number;
  /** How long a reordered packet is held beyond its in-order arrival; default `delayMs + 10`. */
  readonly reorderDelayMs?: number;
  /** Probability (0-1) that a packet arrives twice. */
  readonly duplicate?: number;
  /** Largest UDP payload in bytes the link carries; bigger packets are dropped, not fragmented. */
  readonly mtu?: number;
  /** Bottleneck rate in bits per second; packets wait their turn in a FIFO buffer. */
  readonly bandwidthBps?: number;
  /**
   * Bytes the bottleneck buffer holds, the packet being serialised included; a packet that does
   * not fit is dropped (drop-tail). Default 65536. Only used with `bandwidthBps`.
   */
  readonly queueBytes?: number;
}

/** Separate conditions for the two directions: `up` from the node, `down` towards it. */
export interface DuplexLinkConditions {
  readonly up?: LinkConditions;
  readonly down?: LinkConditions;
}

export interface LinkStats {
  /** Packets offered to the link. */
  sent: number;
  /** Packets handed on at the far end, duplicates included. */
  delivered: number;
  droppedLoss: number;
  droppedMtu: number;
  droppedQueue: number;
  /** Extra copies made. */
  duplicated: number;
  /** Packets held back so that later ones could overtake them. */
  reordered: number;
}

const defaultQueueBytes = 65536;

/** Splits a host or NAT's `link` option into its two directions (one set applies to both). */
export function duplexConditions(link: LinkConditions | DuplexLinkConditions | undefined): {
  up: LinkConditions;
  down: LinkConditions;
} {
  if (link === undefined) return { up: {}, down: {} };
  if (isDuplex(link)) return { up: link.up ?? {}, down: link.down ?? {} };
  return { up: link, down: link };
}

function isDuplex(link: LinkConditions | DuplexLinkConditions): link is DuplexLinkConditions {
  return 'up' in link || 'down' in link;
}

interface ResolvedConditions {
  readonly loss: number;
  readonly delayMs: number;
  readonly jitterMs: number;
  readonly reorder: number;
  readonly reorderDelayMs: number;
  readonly duplicate: number;
  readonly mtu: number;
  readonly bandwidthBps: number;
  readonly queueBytes: number;
}

function resolve(link: string, conditions: LinkConditions): ResolvedConditions {
  const check = (name: keyof LinkConditions, valid: (value: number) => boolean): void => {
    const value = conditions[name];
    if (value !== undefined && !valid(value)) {
      throw new VirtualNetworkError(
        `link ${link}: ${name} ${value} is out of range`,
        'INVALID_LINK_CONDITIONS',
      );
    }
  };
  const probability = (value: number): boolean => value >= 0 && value <= 1;
  const duration = (value: number): boolean => value >= 0 && Number.isFinite(value);
  const positive = (value: number): boolean => value > 0;
  check('loss', probability);
  check('reorder', probability);
  check('duplicate', probability);
  check('delayMs', duration);
  check('jitterMs', duration);
  check('reorderDelayMs', duration);
  check('mtu', positive);
  check('bandwidthBps', positive);
  check('queueBytes', positive);
  const delayMs = conditions.delayMs ?? 0;
  return {
    loss: conditions.loss ?? 0,
    delayMs,
    jitterMs: conditions.jitterMs ?? 0,
    reorder: conditions.reorder ?? 0,
    reorderDelayMs: conditions.reorderDelayMs ?? delayMs + 10,
    duplicate: conditions.duplicate ?? 0,
    mtu: conditions.mtu ?? Number.POSITIVE_INFINITY,
    bandwidthBps: conditions.bandwidthBps ?? Number.POSITIVE_INFINITY,
    queueBytes: conditions.queueBytes ?? defaultQueueBytes,
  };
}

export class VirtualLink {
  readonly stats: LinkStats = {
    sent: 0,
    delivered: 0,
    droppedLoss: 0,
    droppedMtu: 0,
    droppedQueue: 0,
    duplicated: 0,
    reordered: 0,
  };
  readonly #context: NetworkContext;
  readonly #random: SeededRandom;
  readonly #deliver: (packet: Packet) => void;
  #conditions: LinkConditions;
  #resolved: ResolvedConditions;
  /** When the bottleneck finishes serialising everything accepted so far. */
  #busyUntil = Number.NEGATIVE_INFINITY;
  /** Arrival time of the latest packet that was not reordered: later ones may not arrive sooner. */
  #lastInOrderArrival = Number.NEGATIVE_INFINITY;

  /** @internal Links are made by hosts and NATs. */
  constructor(
    context: NetworkContext,
    readonly name: string,
    conditions: LinkConditions,
    deliver: (packet: Packet) => void,
  ) {
    this.#context = context;
    this.#random = context.random(`link ${name}`);
    this.#deliver = deliver;
    this.#resolved = resolve(name, conditions);
    this.#conditions = { ...conditions };
  }

  get conditions(): LinkConditions {
    return this.#conditions;
  }

  /** Changes the impairments for packets sent from now on (a path that degrades mid-test). */
  setConditions(conditions: LinkConditions): void {
    this.#resolved = resolve(this.name, conditions);
    this.#conditions = { ...conditions };
  }

  /** @internal Carries `packet` across, handing it on later through the scheduler. */
  transmit(packet: Packet): void {
    const conditions = this.#resolved;
    const now = this.#context.scheduler.now();
    const size = packet.data.byteLength;
    this.stats.sent++;
    if (size > conditions.mtu) {
      this.stats.droppedMtu++;
      this.#context.drop(packet, 'mtu', this.name);
      return;
    }
    let departure = now;
    if (Number.isFinite(conditions.bandwidthBps)) {
      // A bottleneck sending without pause drains bandwidthBps bits a second, so the bytes still
      // queued are the time it stays busy times that rate; no per-packet bookkeeping is needed.
      const bytesPerMs = conditions.bandwidthBps / 8000;
      const backlog = Math.max(0, this.#busyUntil - now) * bytesPerMs;
      // The tolerance absorbs float rounding, so a buffer exactly full still takes no more.
      if (backlog + size > conditions.queueBytes + 1e-6) {
        this.stats.droppedQueue++;
        this.#context.drop(packet, 'queue-full', this.name);
        return;
      }
      departure = Math.max(now, this.#busyUntil) + size / bytesPerMs;
      this.#busyUntil = departure;
    }
    // Loss after the bottleneck: a packet lost on the wire still used its share of bandwidth.
    if (this.#random.chance(conditions.loss)) {
      this.stats.droppedLoss++;
      this.#context.drop(packet, 'loss', this.name);
      return;
    }
    let arrival = departure + conditions.delayMs;
    if (conditions.jitterMs > 0) arrival += this.#random.float(0, conditions.jitterMs);
    // Jitter alone never reorders: the packet arrives no sooner than the one sent before it.
    arrival = Math.max(arrival, this.#lastInOrderArrival);
    if (this.#random.chance(conditions.reorder)) {
      // Held back from that in-order arrival, so it is late even when jitter is larger than
      // reorderDelayMs; packets behind it do not wait for it.
      this.stats.reordered++;
      arrival += conditions.reorderDelayMs;
    } else {
      this.#lastInOrderArrival = arrival;
    }
    this.#arrive(arrival, packet);
    if (this.#random.chance(conditions.duplicate)) {
      this.stats.duplicated++;
      // The copy gets its own bytes: each delivered datagram belongs to its listener.
      this.#arrive(arrival, { ...packet, data: new Uint8Array(packet.data) });
    }
  }

  #arrive(at: number, packet: Packet): void {
    // Timers due at the same instant fire in the order they were set, so FIFO order holds.
    this.#context.scheduler.setTimer(at, () => {
      this.stats.delivered++;
      this.#deliver(packet);
    });
  }
}
