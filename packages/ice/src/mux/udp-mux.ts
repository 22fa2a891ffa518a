/**
 * `UdpMux`: the single-port mode on a real UDP socket. One socket, one `UdpMuxRouter`, one
 * timer; any number of agents, each with its own `MuxedTransport`:
 *
 *     const mux = await UdpMux.open({ port: 3478 });
 *     const transport = mux.attach(localUfrag);   // a DatagramTransport for one agent
 *     transport.on('datagram', (data, from) => agent.handleDatagram(data, from, now));
 *     transport.send(bytes, remote);              // goes out of the shared port
 *     transport.close();                          // removes this agent only
 *     mux.close();                                // the socket and every transport
 *
 * On an IPv6 socket bound to `::` (dual-stack, unless the system disables it), IPv4 peers
 * arrive as `::ffff:a.b.c.d`. The mux hands them to the agents as plain IPv4 (`a.b.c.d`, family
 * IPv4), the form their candidates have in SDP, and maps IPv4 destinations back to
 * `::ffff:a.b.c.d` on the way out, since a dual-stack socket cannot send to an IPv4 literal
 * (EINVAL); that costs one small object per such datagram sent.
 */

import {
  type AddressFamily,
  ClosedError,
  createLogger,
  type DatagramTransportStats,
  Emitter,
  formatSocketAddress,
  type Scheduler,
  type SocketAddress,
  type TimerHandle,
  UdpTransport,
} from '@typertc/common';
import { BackgroundClock } from './background-clock.js';
import { MuxedTransport, type MuxedTransportHost } from './muxed-transport.js';
import { ipv4FromMapped } from './remote-key.js';
import { UdpMuxRouter, type UdpMuxRouterOptions } from './udp-mux-router.js';

const log = createLogger('ice:mux');

export interface UdpMuxOptions extends UdpMuxRouterOptions {
  /** Default IPv4. An IPv6 socket also receives IPv4 (dual-stack) unless bound to an address. */
  readonly family?: AddressFamily;
  /** Local address to bind; default all interfaces of the family. */
  readonly address?: string;
  /** Local port; default 0, an ephemeral port chosen by the OS. */
  readonly port?: number;
  readonly receiveBufferSize?: number;
  readonly sendBufferSize?: number;
  /**
   * Time and the expiry timer; default the real clock, with a timer that never keeps the
   * process alive. Tests pass a `ManualClock`.
   */
  readonly scheduler?: Scheduler;
}

export interface UdpMuxEvents {
  /** A non-fatal error from the socket (a send to an unreachable or invalid address, say). */
  error: (error: Error) => void;
  /** The mux closed, by `close()` or because its socket did. */
  close: () => void;
}

/** A peer of a dual-stack socket as its candidates name it: IPv4-mapped becomes IPv4. */
function unmapped(from: SocketAddress): SocketAddress {
  const ipv4 = ipv4FromMapped(from.address);
  return ipv4 === undefined ? from : { address: ipv4, port: from.port, family: 'IPv4' };
}

export class UdpMux {
  /** The routing core, for its `counters` and `bindingCount`. */
  readonly router: UdpMuxRouter;
  readonly #socket: UdpTransport;
  readonly #scheduler: Scheduler;
  readonly #dualStack: boolean;
  readonly #transports = new Set<MuxedTransport>();
  readonly #events = new Emitter<UdpMuxEvents>();
  readonly #host: MuxedTransportHost;
  #timer: TimerHandle | undefined;
  #closed = false;

  /**
   * Binds the shared socket and resolves once it listens. Throws `UdpMuxError` for invalid
   * router options (before any socket is opened), or the socket's bind error.
   */
  static async open(options: UdpMuxOptions = {}): Promise<UdpMux> {
    const router = new UdpMuxRouter(options);
    const socket = await UdpTransport.open({
      family: options.family ?? 'IPv4',
      address: options.address,
      port: options.port,
      receiveBufferSize: options.receiveBufferSize,
      sendBufferSize: options.sendBufferSize,
    });
    return new UdpMux(socket, router, options.scheduler ?? new BackgroundClock());
  }

  private constructor(socket: UdpTransport, router: UdpMuxRouter, scheduler: Scheduler) {
    this.router = router;
    this.#socket = socket;
    this.#scheduler = scheduler;
    this.#dualStack = socket.localAddress.family === 'IPv6';
    this.#host = {
      localAddress: socket.localAddress,
      transmit: (data, destination) => this.#transmit(data, destination),
      detach: (transport) => this.#transports.delete(transport),
    };
    socket.on('datagram', (data, from) => this.#receive(data, from));
    socket.on('error', (error) => {
      log.debug('%s: %s', formatSocketAddress(socket.localAddress), error.message);
      this.#events.emit('error', error);
    });
    socket.on('close', () => this.close());
  }

  /** The shared socket's address: the port every agent's host candidate names. */
  get localAddress(): SocketAddress {
    return this.#socket.localAddress;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Datagrams and bytes through the shared socket, all agents together. */
  get stats(): DatagramTransportStats {
    return this.#socket.stats;
  }

  /** How many transports are attached. */
  get transportCount(): number {
    return this.#transports.size;
  }

  /**
   * A transport for the agent whose local ufrag is `localUfrag`. Throws `UfragInUseError` if
   * another attached transport has it, `UdpMuxError` (code `INVALID_UFRAG`) if it is empty or
   * has a colon, `ClosedError` after `close()`.
   */
  attach(localUfrag: string): MuxedTransport {
    if (this.#closed) throw new ClosedError('UDP mux');
    const transport = new MuxedTransport(this.#host, (sink) =>
      this.router.register(localUfrag, sink),
    );
    this.#transports.add(transport);
    return transport;
  }

  on<K extends keyof UdpMuxEvents>(event: K, listener: UdpMuxEvents[K]): () => void {
    return this.#events.on(event, listener);
  }

  off<K extends keyof UdpMuxEvents>(event: K, listener: UdpMuxEvents[K]): void {
    this.#events.off(event, listener);
  }

  /** Closes every attached transport, then the socket, and emits `close` once. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    for (const transport of [...this.#transports]) transport.close();
    this.#socket.close();
    this.#events.emit('close');
    this.#events.removeAllListeners();
  }

  #receive(data: Uint8Array, from: SocketAddress): void {
    const sender = this.#dualStack ? unmapped(from) : from;
    this.router.route(data, sender, this.#scheduler.now());
    this.#schedule();
  }

  #transmit(data: Uint8Array, destination: SocketAddress): void {
    const to =
      this.#dualStack && destination.family === 'IPv4'
        ? {
            address: `::ffff:${destination.address}`,
            port: destination.port,
            family: 'IPv6' as const,
          }
        : destination;
    this.#socket.send(data, to);
  }

  /**
   * Arms the one timer at the router's next expiry, unless it is armed already. An armed timer
   * is never late: every binding made or used since it was armed expires later than it fires
   * (time only moves forward). When it fires early — the oldest binding was used meanwhile, or
   * removed — it expires nothing and re-arms.
   */
  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return;
    const at = this.router.pollTimeout();
    if (at !== undefined) this.#timer = this.#scheduler.setTimer(at, this.#onTimer);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#closed) return;
    this.router.handleTimeout(this.#scheduler.now());
    this.#schedule();
  };
}
