/**
 * `UdpMuxRouter`: the sans-I/O core of the single-port mode, where many ICE agents share one
 * UDP port (what a server behind a firewall needs: one port to open, whatever the number of
 * sessions). It decides which agent each datagram arriving on the shared socket is for.
 *
 * Routing: a datagram from a remote address already bound to an agent goes to that agent. A
 * datagram from any other address is routed only if it is a STUN Binding request naming a
 * registered local ufrag (the part of USERNAME before the colon, RFC 8445 §7.2.2); the address
 * is then bound to that agent, so its DTLS, SRTP and consent traffic (RFC 7675) follows. A
 * remote address that sent to one agent first keeps going to it, whatever it sends later:
 * letting a later request move the binding would let anyone who can spoof a peer's address and
 * knows some other agent's ufrag divert that peer's traffic. Everything else from an unbound
 * address (DTLS, SRTP, STUN responses, garbage) is dropped and counted. `route` never throws on
 * any input.
 *
 * The mux does not authenticate: it reads USERNAME but cannot check MESSAGE-INTEGRITY, since the
 * passwords are the agents'. That is acceptable because it only routes. The agent verifies every
 * request it is handed (RFC 8445 §7.3) and ignores the rest, so a forged request only makes the
 * mux bind one forged address to the agent it named, and whatever that address sends goes to
 * that agent, which drops it. What a forger can grow is bounded: bindings are made only by a
 * request naming a registered ufrag, at most `maxBindingsPerSink` per agent (the least recently
 * used goes first) and `maxBindings` in all, and they expire after `idleTimeoutMs` without a
 * datagram. A forger who knows an agent's ufrag (it is in the SDP) and sends from many spoofed
 * addresses can push that agent's genuine peer out of its bindings, until the peer's next
 * request (a consent check at the latest, every few seconds, RFC 7675 §5.1) binds it again; it
 * cannot reach the other agents.
 *
 * The router reads no clock and sets no timer (DESIGN.md, principle 1): it is given `now`, says
 * when the next binding expires with `pollTimeout()`, and expires them in `handleTimeout(now)`.
 * A response to a check an agent sends before its peer's first request arrives is dropped (the
 * address is not bound yet); the agent's retransmission (RFC 8489 §6.2.1) gets through once the
 * peer's own check has bound it.
 */

import type { SocketAddress } from '@typertc/common';
import { isBindingRequest, requestedLocalUfrag } from './binding-request.js';
import {
  type BindingLimits,
  BindingTable,
  type MuxRegistration,
  type MuxSink,
  type UdpMuxCounters,
} from './binding-table.js';
import { UdpMuxError } from './mux-errors.js';

export interface UdpMuxRouterOptions {
  /** Most remote addresses bound to one agent; past it the least recently used goes. Default 64. */
  readonly maxBindingsPerSink?: number;
  /** Most remote addresses bound in all; past it the least recently used goes. Default 65,536. */
  readonly maxBindings?: number;
  /**
   * A binding no datagram came through for this long is removed. Default 30 s, the consent
   * lifetime of RFC 7675 §5.1: an agent whose peer was silent that long has given up on it.
   */
  readonly idleTimeoutMs?: number;
}

const DEFAULT_MAX_BINDINGS_PER_SINK = 64;
const DEFAULT_MAX_BINDINGS = 65_536;
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UdpMuxError(`${name} must be a positive integer, got ${value}`, 'INVALID_OPTION');
  }
  return value;
}

function limitsFrom(options: UdpMuxRouterOptions): BindingLimits {
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  if (!Number.isFinite(idleTimeoutMs) || idleTimeoutMs <= 0) {
    throw new UdpMuxError(`idleTimeoutMs must be positive, got ${idleTimeoutMs}`, 'INVALID_OPTION');
  }
  return {
    maxBindingsPerSink: positiveInteger(
      'maxBindingsPerSink',
      options.maxBindingsPerSink ?? DEFAULT_MAX_BINDINGS_PER_SINK,
    ),
    maxBindings: positiveInteger('maxBindings', options.maxBindings ?? DEFAULT_MAX_BINDINGS),
    idleTimeoutMs,
  };
}

export class UdpMuxRouter {
  /** What was routed and dropped, and why; `routed` and the `dropped*` add up to every input. */
  readonly counters: UdpMuxCounters = {
    routed: 0,
    droppedUnknownAddress: 0,
    droppedUnknownUfrag: 0,
    droppedMalformed: 0,
    evicted: 0,
    expired: 0,
  };
  readonly #table: BindingTable;

  /** Throws `UdpMuxError` (code `INVALID_OPTION`) for a limit that is not positive. */
  constructor(options: UdpMuxRouterOptions = {}) {
    this.#table = new BindingTable(limitsFrom(options), this.counters);
  }

  /** How many remote addresses are bound now. */
  get bindingCount(): number {
    return this.#table.size;
  }

  /**
   * Routes Binding requests naming `localUfrag`, and then everything from their senders, to
   * `sink`. Throws `UfragInUseError` if the ufrag is registered already, `UdpMuxError` (code
   * `INVALID_UFRAG`) if it is empty or has a colon.
   */
  register(localUfrag: string, sink: MuxSink): MuxRegistration {
    return this.#table.register(localUfrag, sink);
  }

  /**
   * Hands `data` to the sink it is for, synchronously, and returns true; or drops it, counts
   * why, and returns false. `now` is the caller's monotonic time in ms. Throws nothing itself;
   * an exception from the sink propagates, after the router's state is updated.
   */
  route(data: Uint8Array, from: SocketAddress, now: number): boolean {
    const table = this.#table;
    const bound = table.lookup(from);
    if (bound !== undefined) {
      table.touch(bound, now);
      this.counters.routed++;
      bound.registration.sink.receive(data, from);
      return true;
    }
    if (!isBindingRequest(data)) {
      this.counters.droppedUnknownAddress++;
      return false;
    }
    const ufrag = requestedLocalUfrag(data);
    if (ufrag === undefined) {
      this.counters.droppedMalformed++;
      return false;
    }
    const registration = table.registrationFor(ufrag);
    if (registration === undefined) {
      this.counters.droppedUnknownUfrag++;
      return false;
    }
    table.bind(from, registration, now);
    this.counters.routed++;
    registration.sink.receive(data, from);
    return true;
  }

  /** When `handleTimeout` next has a binding to expire (ms); undefined when nothing is bound. */
  pollTimeout(): number | undefined {
    return this.#table.nextExpiry();
  }

  /** Removes the bindings idle for `idleTimeoutMs` or longer at `now`. */
  handleTimeout(now: number): void {
    this.#table.expire(now);
  }
}
