/**
 * SCTP on the in-memory network: a `VirtualNetwork` on a `ManualClock` with two hosts, a and b,
 * each with a UDP socket connected to the other's.
 *
 * `SctpNetworkPair` runs two `SctpAssociation`s on it directly (handleDatagram / pollTransmit /
 * handleTimeout) rather than through `AssociationDriver`, whose sends wait for `setImmediate`:
 * a simulation that yielded to the event loop at every instant would be slower, and its batching
 * would depend on the event loop. The pump batches as the driver does, by simulated instant
 * instead of by I/O phase: every packet due at an instant is handled, then everything the
 * associations want to send goes out (one SACK per burst, new data bundled). A run is
 * synchronous and, for a seed, repeats packet for packet. `runDrivers` is for the Node glue
 * (`SctpTransport`), and does go through the event loop.
 *
 * Only host a's link is impaired, so each direction crosses exactly one impaired hop (a → b over
 * a's uplink, b → a over a's downlink); `{ up, down }` sets the two apart. `instrument` makes
 * the path from a to b drop chosen transmissions of chosen DATA chunks, and logs what it saw.
 */

import { ManualClock } from '@typertc/common';
import {
  type DuplexLinkConditions,
  type LinkConditions,
  type VirtualLink,
  VirtualNetwork,
  type VirtualUdpSocket,
} from '@typertc/common/testing';
import { SctpAssociation } from '../src/association/association.js';
import type { SctpAssociationOptions, SctpEvent } from '../src/association/options.js';
import {
  ChunkType,
  COMMON_HEADER_LENGTH,
  createChunkHeader,
  createDataChunkFields,
  type DataChunkFields,
  parseForwardTsnChunk,
  readChunkHeader,
  readDataChunk,
  writeChecksum,
} from '../src/packet/index.js';

export type Side = 'a' | 'b';
const SIDES: readonly Side[] = ['a', 'b'];

export interface PathOptions {
  readonly seed: number;
  /** Impairments of the path: the same both ways, or `{ up: a → b, down: b → a }`. */
  readonly link?: LinkConditions | DuplexLinkConditions;
}

export interface NetworkPairOptions extends PathOptions {
  readonly a?: SctpAssociationOptions;
  readonly b?: SctpAssociationOptions;
}

/** Two hosts on a `VirtualNetwork` with a socket each, connected to the other's. */
export interface VirtualPath {
  readonly clock: ManualClock;
  readonly network: VirtualNetwork;
  readonly sockets: Readonly<Record<Side, VirtualUdpSocket>>;
  /** The impaired hops: `up` carries a → b, `down` b → a (their stats count what they did). */
  readonly links: { readonly up: VirtualLink; readonly down: VirtualLink };
  /** Closes side a's socket and binds a new one in its place (a restarted endpoint). */
  rebindA(): VirtualUdpSocket;
}

export function virtualPath(options: PathOptions): VirtualPath {
  const clock = new ManualClock();
  const network = new VirtualNetwork(clock, { seed: options.seed });
  const hostA = network.addHost({
    name: 'a',
    addresses: ['198.51.100.1'],
    ...(options.link !== undefined && { link: options.link }),
  });
  const hostB = network.addHost({ name: 'b', addresses: ['203.0.113.1'] });
  const addressB = { address: '203.0.113.1', port: 5000, family: 'IPv4' } as const;
  const socketA = hostA.bind({ port: 5000, remote: addressB });
  const socketB = hostB.bind({ port: 5000, remote: socketA.localAddress });
  return {
    clock,
    network,
    sockets: { a: socketA, b: socketB },
    links: { up: hostA.uplink, down: hostA.downlink },
    rebindA() {
      socketA.close();
      return hostA.bind({ port: 5000, remote: addressB });
    },
  };
}

/** Sees each packet a side sends: returns what goes on the wire instead, undefined to drop it. */
export type PacketFilter = (packet: Uint8Array, from: Side, now: number) => Uint8Array | undefined;

export class SctpNetworkPair {
  readonly clock: ManualClock;
  readonly network: VirtualNetwork;
  readonly sockets: Readonly<Record<Side, VirtualUdpSocket>>;
  readonly links: VirtualPath['links'];
  readonly a: SctpAssociation;
  readonly b: SctpAssociation;
  /** What each side reported, unless `onEvent` is replaced. */
  readonly events: Record<Side, SctpEvent[]> = { a: [], b: [] };
  onEvent: (side: Side, event: SctpEvent) => void = (side, event) => {
    this.events[side].push(event);
  };
  filter: PacketFilter | undefined;
  /** Sees each packet that reaches a side, before its association does. */
  onArrival: ((packet: Uint8Array, to: Side, now: number) => void) | undefined;

  constructor(options: NetworkPairOptions) {
    ({
      clock: this.clock,
      network: this.network,
      sockets: this.sockets,
      links: this.links,
    } = virtualPath(options));
    this.a = new SctpAssociation(options.a);
    this.b = new SctpAssociation(options.b ?? options.a);
    for (const side of SIDES) {
      const association = this.association(side);
      this.sockets[side].on('datagram', (data) => {
        const now = this.clock.now();
        this.onArrival?.(data, side, now);
        association.handleDatagram(data, now);
      });
    }
  }

  association(side: Side): SctpAssociation {
    return side === 'a' ? this.a : this.b;
  }

  /** Both sides connect, as WebRTC peers do; true once both are established. */
  connect(limitMs = 10_000): boolean {
    this.a.connect(this.clock.now());
    this.b.connect(this.clock.now());
    return this.runUntil(() => this.a.established && this.b.established, limitMs);
  }

  /** Puts what both sides queued on the wire and reports their events, until both are quiet. */
  flush(): void {
    const now = this.clock.now();
    for (let busy = true; busy; ) {
      busy = false;
      for (const side of SIDES) {
        const association = this.association(side);
        const socket = this.sockets[side];
        for (let p = association.pollTransmit(); p; p = association.pollTransmit()) {
          const out = this.filter === undefined ? p : this.filter(p, side, now);
          if (out !== undefined) socket.send(out);
        }
        // A listener may send: loop until neither side has anything left.
        for (let e = association.pollEvent(); e; e = association.pollEvent()) {
          busy = true;
          this.onEvent(side, e);
        }
      }
    }
  }

  /**
   * Sends what is due, then moves time to the next delivery or timer (not past `limit`) and
   * handles everything due then. False when nothing is left to happen before `limit`.
   */
  step(limit = Number.POSITIVE_INFINITY): boolean {
    this.flush();
    const next = this.#nextTime();
    if (next === undefined || next > limit) return false;
    this.clock.advanceTo(next);
    for (const side of SIDES) {
      const association = this.association(side);
      const at = association.pollTimeout();
      if (at !== undefined && at <= next) association.handleTimeout(next);
    }
    this.flush();
    return true;
  }

  /** Steps until `done()` holds (true) or `limitMs` of simulated time have passed (false). */
  runUntil(done: () => boolean, limitMs: number): boolean {
    const end = this.clock.now() + limitMs;
    this.flush();
    while (!done()) {
      if (!this.step(end)) {
        if (end > this.clock.now()) this.clock.advanceTo(end);
        return done();
      }
    }
    return true;
  }

  /** Runs `ms` of simulated time. */
  runFor(ms: number): void {
    this.runUntil(() => false, ms);
  }

  #nextTime(): number | undefined {
    let next = this.clock.nextTimerAt();
    for (const side of SIDES) {
      const at = this.association(side).pollTimeout();
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next === undefined ? undefined : Math.max(next, this.clock.now());
  }
}

/** Calls `visit` with each DATA chunk of an SCTP packet (the fields are reused between calls). */
export function forEachDataChunk(packet: Uint8Array, visit: (chunk: DataChunkFields) => void) {
  const header = createChunkHeader();
  const fields = createDataChunkFields();
  for (let at = COMMON_HEADER_LENGTH; at < packet.length; at = header.next) {
    readChunkHeader(packet, at, header);
    if (header.type !== ChunkType.data) continue;
    readDataChunk(packet, header, fields);
    visit(fields);
  }
}

/**
 * The packet without the DATA chunks `drop` picks (checksum rewritten), so a link can lose one
 * transmission of one chunk and not the chunks bundled with it; undefined if nothing is left.
 */
export function withoutDataChunks(
  packet: Uint8Array,
  drop: (chunk: DataChunkFields) => boolean,
): Uint8Array | undefined {
  const header = createChunkHeader();
  const fields = createDataChunkFields();
  const kept: [number, number][] = [];
  for (let at = COMMON_HEADER_LENGTH; at < packet.length; at = header.next) {
    readChunkHeader(packet, at, header);
    if (header.type === ChunkType.data) {
      readDataChunk(packet, header, fields);
      if (drop(fields)) continue;
    }
    kept.push([header.offset, header.next]);
  }
  if (kept.length === 0) return undefined;
  const out = new Uint8Array(
    kept.reduce((length, [start, end]) => length + end - start, COMMON_HEADER_LENGTH),
  );
  out.set(packet.subarray(0, COMMON_HEADER_LENGTH));
  let length = COMMON_HEADER_LENGTH;
  for (const [start, end] of kept) {
    out.set(packet.subarray(start, end), length);
    length += end - start;
  }
  writeChecksum(out);
  return out;
}

/**
 * Message `index`'s content, `size` bytes from a generator seeded by the index (xorshift32), so a
 * receiver checks a message without the sender keeping it.
 */
export function messageContent(index: number, size: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = (Math.imul(index + 1, 0x9e3779b9) ^ 0x5bd1e995) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  return new Uint8Array(words.buffer, 0, size);
}

/**
 * Runs what `AssociationDriver`s (SctpTransport) do on `clock`: lets the drivers' deferred sends
 * (setImmediate) run, then moves the clock to the next delivery or timer, until `done()` holds
 * (true) or `limitMs` of simulated time have passed (whether `done()` holds then). Unlike `SctpNetworkPair`, this goes
 * through the event loop, so it is for tests of the Node glue, not for bulk simulations.
 */
export async function runDrivers(
  clock: ManualClock,
  done: () => boolean,
  limitMs: number,
): Promise<boolean> {
  const end = clock.now() + limitMs;
  for (;;) {
    await settle();
    if (done()) return true;
    const next = clock.nextTimerAt();
    if (next === undefined || next > end) {
      clock.advanceTo(Math.max(end, clock.now()));
      await settle();
      return done();
    }
    clock.advanceTo(next);
  }
}

/**
 * Lets pending setImmediate callbacks run, and those they queue in turn: a drain whose events
 * make a listener send schedules one more drain, a few levels deep at most.
 */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 6; turn++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** What the link from a to b saw of one DATA chunk (one TSN). */
export interface ChunkRecord {
  /** The PPID: the index of the chunk's message. */
  readonly message: number;
  readonly ending: boolean;
  /** When each transmission was sent. */
  readonly times: number[];
  /** Whether any transmission reached b. */
  arrived: boolean;
}

export interface LinkLog {
  readonly chunks: Map<number, ChunkRecord>;
  /** FORWARD-TSNs a sent: when, and the new cumulative TSN. */
  readonly forwardTsns: { readonly time: number; readonly newCumulativeTsn: number }[];
}

/**
 * Instruments the path from a to b: message i loses the first `lost(i)` transmissions of each
 * of its DATA chunks (just those chunks: bundled ones still go), and every transmission,
 * arrival and FORWARD-TSN is logged.
 */
export function instrument(pair: SctpNetworkPair, lost: (message: number) => number): LinkLog {
  const log: LinkLog = { chunks: new Map(), forwardTsns: [] };
  const header = createChunkHeader();
  pair.filter = (packet, from, now) => {
    if (from !== 'a') return packet;
    for (let at = COMMON_HEADER_LENGTH; at < packet.length; at = header.next) {
      readChunkHeader(packet, at, header);
      if (header.type !== ChunkType.forwardTsn) continue;
      const { newCumulativeTsn } = parseForwardTsnChunk(packet, header);
      log.forwardTsns.push({ time: now, newCumulativeTsn });
    }
    return withoutDataChunks(packet, (chunk) => {
      let record = log.chunks.get(chunk.tsn);
      if (record === undefined) {
        record = { message: chunk.ppid, ending: chunk.ending, times: [], arrived: false };
        log.chunks.set(chunk.tsn, record);
      }
      record.times.push(now);
      return record.times.length <= lost(chunk.ppid);
    });
  };
  pair.onArrival = (packet, to) => {
    if (to !== 'b') return;
    forEachDataChunk(packet, (chunk) => {
      const record = log.chunks.get(chunk.tsn);
      if (record !== undefined) record.arrived = true;
    });
  };
  return log;
}

/** The chunk records of each message, in TSN order. */
export function chunksByMessage(log: LinkLog): Map<number, ChunkRecord[]> {
  const byMessage = new Map<number, ChunkRecord[]>();
  for (const record of log.chunks.values()) {
    const list = byMessage.get(record.message) ?? [];
    list.push(record);
    byMessage.set(record.message, list);
  }
  return byMessage;
}

/** Byte equality at memcmp speed (vitest's deep equality walks megabytes slowly). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}
