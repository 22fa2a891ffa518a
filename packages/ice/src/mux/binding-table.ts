/**
 * The state behind `UdpMuxRouter`: which local ufrags route to which registration, and which
 * remote addresses are bound to which registration, with the bounds that keep it small however
 * many sources send to the port.
 *
 * A binding is kept in two lists ordered by last use: every binding of the table, and every
 * binding of its registration. The first gives the next binding to expire (and the one to evict
 * when the table is full), the second the one to evict when that registration is full. Marking a
 * binding used moves it in both lists: a few pointer writes, no allocation.
 */

import { ClosedError, type SocketAddress } from '@typertc/common';
import { UdpMuxError, UfragInUseError } from './mux-errors.js';
import { RecencyList, RecencyNode } from './recency-list.js';
import { quickRemoteKey, remoteKey } from './remote-key.js';

/** What receives the datagrams routed to one agent. */
export interface MuxSink {
  /** One datagram for this agent; `from` is the sender as the socket reported it. */
  receive(data: Uint8Array, from: SocketAddress): void;
}

/** One agent's place on the mux, returned by `UdpMuxRouter.register`. */
export interface MuxRegistration {
  readonly sink: MuxSink;
  /** The local ufrags that route new remote addresses here, oldest first. */
  readonly ufrags: readonly string[];
  /** How many remote addresses are bound here now. */
  readonly bindingCount: number;
  /** False once `unregister` was called. */
  readonly registered: boolean;
  /**
   * Routes requests naming `ufrag` here too. On an ICE restart (RFC 8445 §9) the agent adds
   * its new ufrag and keeps the old one until checks under the new one succeed. Throws
   * `UfragInUseError` if another registration has it, `ClosedError` after `unregister`.
   */
  addUfrag(ufrag: string): void;
  /**
   * Stops routing new addresses by `ufrag`; addresses already bound stay bound (they belong to
   * the agent, not to the ufrag). Returns whether the ufrag was this registration's.
   */
  removeUfrag(ufrag: string): boolean;
  /** Removes every ufrag and every binding of this registration; further calls do nothing. */
  unregister(): void;
}

export interface UdpMuxCounters {
  /** Datagrams delivered to a sink. */
  routed: number;
  /** Datagrams from an unbound address that were not STUN Binding requests. */
  droppedUnknownAddress: number;
  /** Binding requests from an unbound address naming a ufrag nobody registered. */
  droppedUnknownUfrag: number;
  /**
   * Binding requests from an unbound address that could not be routed: undecodable, a wrong
   * FINGERPRINT, no USERNAME, or no local ufrag in it.
   */
  droppedMalformed: number;
  /** Bindings removed to make room for a new one (a registration or the table was full). */
  evicted: number;
  /** Bindings removed because no datagram came from their address for the idle timeout. */
  expired: number;
}

export interface BindingLimits {
  readonly maxBindingsPerSink: number;
  readonly maxBindings: number;
  readonly idleTimeoutMs: number;
}

/** One remote address bound to one registration. */
export class Binding {
  readonly inTable: RecencyNode<Binding> = new RecencyNode(this);
  readonly inRegistration: RecencyNode<Binding> = new RecencyNode(this);

  constructor(
    readonly key: string,
    readonly registration: Registration,
    /** When a datagram last came from the address (ms, the router's timeline). */
    public lastSeen: number,
  ) {}
}

/** One agent's ufrags and bindings; handed out as a `MuxRegistration`. */
export class Registration implements MuxRegistration {
  readonly bindings = new RecencyList<Binding>();
  readonly #ufrags = new Set<string>();
  readonly #table: BindingTable;
  #registered = true;

  constructor(
    readonly sink: MuxSink,
    table: BindingTable,
  ) {
    this.#table = table;
  }

  get ufrags(): readonly string[] {
    return [...this.#ufrags];
  }

  get bindingCount(): number {
    return this.bindings.size;
  }

  get registered(): boolean {
    return this.#registered;
  }

  addUfrag(ufrag: string): void {
    if (!this.#registered) throw new ClosedError('UDP mux registration');
    this.#table.claimUfrag(ufrag, this);
    this.#ufrags.add(ufrag);
  }

  removeUfrag(ufrag: string): boolean {
    if (!this.#ufrags.delete(ufrag)) return false;
    this.#table.releaseUfrag(ufrag);
    return true;
  }

  unregister(): void {
    if (!this.#registered) return;
    this.#registered = false;
    for (const ufrag of this.#ufrags) this.#table.releaseUfrag(ufrag);
    this.#ufrags.clear();
    this.#table.unbindAll(this);
  }
}

/**
 * What a local ufrag must be to be routable: not empty (a USERNAME with nothing before its
 * colon routes nowhere) and without a colon (the first colon ends the local part).
 */
function checkUfrag(ufrag: string): void {
  if (ufrag === '' || ufrag.includes(':')) {
    throw new UdpMuxError(
      `local ufrag ${JSON.stringify(ufrag)} cannot be routed: it must be non-empty and colon-free`,
      'INVALID_UFRAG',
    );
  }
}

export class BindingTable {
  readonly #byUfrag = new Map<string, Registration>();
  readonly #byRemote = new Map<string, Binding>();
  /** Every binding, least recently used first. */
  readonly #byAge = new RecencyList<Binding>();

  constructor(
    readonly limits: BindingLimits,
    readonly counters: UdpMuxCounters,
  ) {}

  get size(): number {
    return this.#byRemote.size;
  }

  register(ufrag: string, sink: MuxSink): MuxRegistration {
    const registration = new Registration(sink, this);
    registration.addUfrag(ufrag);
    return registration;
  }

  /** Throws `UfragInUseError` when another registration has `ufrag`. */
  claimUfrag(ufrag: string, registration: Registration): void {
    checkUfrag(ufrag);
    const owner = this.#byUfrag.get(ufrag);
    if (owner !== undefined && owner !== registration) throw new UfragInUseError(ufrag);
    this.#byUfrag.set(ufrag, registration);
  }

  releaseUfrag(ufrag: string): void {
    this.#byUfrag.delete(ufrag);
  }

  registrationFor(ufrag: string): Registration | undefined {
    return this.#byUfrag.get(ufrag);
  }

  /**
   * The binding of `remote`, if any. The socket's own spelling is tried first, which is the key
   * itself for IPv4 and for the RFC 5952 text Node gives IPv6 peers; only a miss on an IPv6
   * address pays for canonicalizing it.
   */
  lookup(remote: SocketAddress): Binding | undefined {
    const quickKey = quickRemoteKey(remote);
    const binding = this.#byRemote.get(quickKey);
    if (binding !== undefined || !remote.address.includes(':')) return binding;
    const key = remoteKey(remote);
    return key === quickKey ? undefined : this.#byRemote.get(key);
  }

  /** Records a datagram from the binding's address at `now`. */
  touch(binding: Binding, now: number): void {
    binding.lastSeen = now;
    this.#byAge.touch(binding.inTable);
    binding.registration.bindings.touch(binding.inRegistration);
  }

  /**
   * Binds `remote`, which must be unbound, to `registration`, evicting the least recently used
   * binding first if the registration, or else the table, is full.
   */
  bind(remote: SocketAddress, registration: Registration, now: number): void {
    const { maxBindingsPerSink, maxBindings } = this.limits;
    if (registration.bindings.size >= maxBindingsPerSink) {
      this.#evict(registration.bindings.oldest());
    } else if (this.#byRemote.size >= maxBindings) {
      this.#evict(this.#byAge.oldest());
    }
    const binding = new Binding(remoteKey(remote), registration, now);
    this.#byRemote.set(binding.key, binding);
    this.#byAge.append(binding.inTable);
    registration.bindings.append(binding.inRegistration);
  }

  /** When the least recently used binding goes idle for too long; undefined with none. */
  nextExpiry(): number | undefined {
    const oldest = this.#byAge.oldest();
    return oldest === undefined ? undefined : oldest.lastSeen + this.limits.idleTimeoutMs;
  }

  /** Removes every binding idle for the timeout or longer at `now`. */
  expire(now: number): void {
    for (;;) {
      const oldest = this.#byAge.oldest();
      if (oldest === undefined || oldest.lastSeen + this.limits.idleTimeoutMs > now) return;
      this.#unbind(oldest);
      this.counters.expired++;
    }
  }

  unbindAll(registration: Registration): void {
    let binding = registration.bindings.oldest();
    while (binding !== undefined) {
      this.#unbind(binding);
      binding = registration.bindings.oldest();
    }
  }

  #evict(binding: Binding | undefined): void {
    if (binding === undefined) return;
    this.#unbind(binding);
    this.counters.evicted++;
  }

  #unbind(binding: Binding): void {
    this.#byRemote.delete(binding.key);
    this.#byAge.remove(binding.inTable);
    binding.registration.bindings.remove(binding.inRegistration);
  }
}
