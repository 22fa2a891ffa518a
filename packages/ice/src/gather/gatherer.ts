/**
 * `CandidateGatherer`: the Node side of candidate gathering (RFC 8445 §5.1.1) for one component.
 * It opens a UDP socket per host address, then learns server-reflexive candidates on each socket
 * from every STUN server of its family (`SrflxGatherer`) and relayed candidates from every TURN
 * server (`TurnTransport`), and reports them one by one as they come — trickle ICE (RFC 8838 §4):
 * a `candidate` event per candidate, then `end-of-candidates` once all are in.
 *
 * Gathering may start before any agent exists (the W3C `iceCandidatePoolSize`): events are sticky,
 * so a listener added late first receives every candidate found so far (and `end-of-candidates`,
 * if gathering is over), and every socket and relay stays open until `close()`. Each candidate
 * comes with the `DatagramTransport` to send from: the host socket for host and server-reflexive
 * candidates (whose base it is, RFC 8445 §5.1.1.3), the TURN relay for relayed ones.
 */

import { networkInterfaces } from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import {
  ClosedError,
  type DatagramTransport,
  Emitter,
  RealClock,
  type Scheduler,
  type SocketAddress,
  type TimerHandle,
  type UdpTransport,
} from '@typertc/common';
import { TurnTransport } from '@typertc/stun';
import { createLocalCandidate, type LocalCandidate, localPreferences } from '../candidate.js';
import { type HostAddressOptions, hostAddresses, type InterfaceAddress } from './host-addresses.js';
import {
  type HostLookup,
  IceServerError,
  type IceServerTransport,
  type IceServerUrl,
  parseIceServers,
  type ResolvedIceServer,
  type RTCIceServer,
  resolveIceServers,
} from './ice-servers.js';
import { openInPortRange, type PortRange } from './port-range.js';
import { SrflxGatherer, type SrflxGathererOptions } from './srflx-gatherer.js';

export interface CandidateGathererOptions extends HostAddressOptions {
  /** STUN and TURN servers; parsed at once, so a bad one throws `IceServerError` from `start`. */
  readonly iceServers?: readonly RTCIceServer[];
  /** Host sockets bind inside this range (`openInPortRange`); default any port. */
  readonly portRange?: PortRange;
  /** Default 1. */
  readonly component?: number;
  /** Extra TLS options for `turns:` servers (`ca`, `servername`, ...). */
  readonly tls?: ConnectionOptions;
  /** Retransmissions of the srflx Binding requests; default gives up after 5.5 s. */
  readonly stunTransaction?: SrflxGathererOptions['transaction'];
  /** Default `os.networkInterfaces`. */
  readonly networkInterfaces?: () => Readonly<
    Record<string, readonly InterfaceAddress[] | undefined>
  >;
  /** Default `dns.promises.lookup`. */
  readonly lookup?: HostLookup;
  /** Time and timers for the srflx requests; default the real clock. */
  readonly scheduler?: Scheduler;
  /**
   * Host candidates on a socket shared with other agents (a `UdpMux` port) instead of sockets of
   * their own: see `SharedSocket`.
   */
  readonly sharedSocket?: SharedSocket;
}

/**
 * A UDP port shared by many agents (single-port server mode). Its host candidates name its
 * address, or, bound to a wildcard address, every host address of its families (chosen by the
 * host-address options) with its port. No server-reflexive candidate is gathered on it: the STUN
 * server's answers would reach the shared socket unrouted. The gatherer never closes it; its
 * owner does.
 */
export interface SharedSocket {
  readonly transport: DatagramTransport;
}

/**
 * RFC 8489 §6.2.1 lets Rc and Rm be configured; its defaults (39.5 s) would hold back
 * end-of-candidates for that long behind one dead server. Four transmissions (0, 0.5, 1.5,
 * 3.5 s) and a 2 s last wait give up at 5.5 s, and still ride out the loss of three requests.
 */
const DEFAULT_STUN_TRANSACTION = { maxTransmissions: 4, lastWaitFactor: 4 } as const;

/**
 * Local preferences of relayed candidates by the transport to the TURN server (RFC 8445
 * §5.1.2.1 leaves the policy to the agent): UDP before TCP before TLS, as each step adds
 * head-of-line blocking or handshake cost to every relayed datagram.
 */
const RELAY_LOCAL_PREFERENCE = { udp: 65535, tcp: 65534, tls: 65533 } as const;

export interface GatheredCandidate {
  readonly candidate: LocalCandidate;
  /** Where to send from to use the candidate: its host socket, or its TURN relay. */
  readonly transport: DatagramTransport;
  /** The STUN or TURN URL it came from; undefined for host candidates. */
  readonly url?: string;
  /** A relayed candidate's transport to its TURN server (W3C RTCIceServerTransportProtocol). */
  readonly relayProtocol?: IceServerTransport;
}

/**
 * A server or address that gave no candidate (W3C `icecandidateerror`): `url` names the server,
 * or `address` the host address whose socket could not be opened.
 */
export interface GatheringError {
  readonly url?: string;
  readonly address?: string;
  readonly error: Error;
}

interface GathererEvents {
  candidate: (gathered: GatheredCandidate) => void;
  /** RFC 8838 §4: every candidate has been reported. */
  'end-of-candidates': () => void;
  error: (error: GatheringError) => void;
  /** `close()` was called; every listener is removed right after. */
  close: () => void;
}

export class CandidateGatherer {
  readonly #options: CandidateGathererOptions;
  readonly #servers: readonly IceServerUrl[];
  readonly #scheduler: Scheduler;
  readonly #candidates: GatheredCandidate[] = [];
  readonly #errors: GatheringError[] = [];
  readonly #events = new Emitter<GathererEvents>();
  readonly #transports = new Set<DatagramTransport>();
  readonly #cleanups = new Set<() => void>();
  #complete = false;
  #closed = false;

  /**
   * Starts gathering at once. Throws `IceServerError` for a malformed `iceServers`; every later
   * failure (a socket, a server) is an `error` event and gathering carries on without it.
   */
  static start(options: CandidateGathererOptions = {}): CandidateGatherer {
    return new CandidateGatherer(options, parseIceServers(options.iceServers ?? []));
  }

  private constructor(options: CandidateGathererOptions, servers: readonly IceServerUrl[]) {
    this.#options = options;
    this.#servers = servers;
    this.#scheduler = options.scheduler ?? new RealClock();
    this.#gather().then(
      () => this.#end(),
      // Not a server's or socket's failure (those are handled where they happen): a bug. Report
      // it, and still end, so nobody waits for end-of-candidates forever.
      (error: unknown) => {
        this.#error({ error: error instanceof Error ? error : new Error(String(error)) });
        this.#end();
      },
    );
  }

  /** The options it gathers with: an ICE restart gathers again with the same. */
  get options(): CandidateGathererOptions {
    return this.#options;
  }

  /** Every candidate so far, in the order found. */
  get candidates(): readonly GatheredCandidate[] {
    return this.#candidates;
  }

  /** Whether `end-of-candidates` has happened. */
  get complete(): boolean {
    return this.#complete;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Adds a listener and first replays to it, synchronously, what it missed: every candidate or
   * error so far, `end-of-candidates` if gathering is over, `close` if closed. Returns a function
   * removing it.
   */
  on<K extends keyof GathererEvents>(event: K, listener: GathererEvents[K]): () => void {
    if (event === 'candidate') {
      const replay = listener as GathererEvents['candidate'];
      for (const gathered of [...this.#candidates]) replay(gathered);
    } else if (event === 'error') {
      const replay = listener as GathererEvents['error'];
      for (const error of [...this.#errors]) replay(error);
    } else if (event === 'end-of-candidates' ? this.#complete : this.#closed) {
      (listener as () => void)();
    }
    return this.#closed ? () => {} : this.#events.on(event, listener);
  }

  /**
   * Resolves with every candidate once gathering is complete (at once, if it is); rejects with
   * `ClosedError` if the gatherer is closed first.
   */
  finished(): Promise<readonly GatheredCandidate[]> {
    if (this.#complete) return Promise.resolve(this.#candidates);
    if (this.#closed) return Promise.reject(new ClosedError('candidate gatherer'));
    return new Promise((resolve, reject) => {
      const offEnd = this.#events.once('end-of-candidates', () => {
        offClose();
        resolve(this.#candidates);
      });
      const offClose = this.#events.once('close', () => {
        offEnd();
        reject(new ClosedError('candidate gatherer'));
      });
    });
  }

  /** Stops gathering and closes every socket and relay, the ones handed out included. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const cleanup of this.#cleanups) cleanup();
    this.#cleanups.clear();
    for (const transport of this.#transports) transport.close();
    this.#transports.clear();
    this.#events.emit('close');
    this.#events.removeAllListeners();
  }

  async #gather(): Promise<void> {
    const resolving = resolveIceServers(this.#servers, this.#options.lookup);
    const shared = this.#options.sharedSocket;
    const hosts = shared === undefined ? await this.#openHostSockets() : this.#sharedHosts(shared);
    const { resolved, failed } = await resolving;
    for (const { server, error } of failed) this.#error({ url: server.url, error });
    const stunServers: ResolvedIceServer[] = [];
    for (const server of resolved) {
      if (server.kind !== 'stun') continue;
      // A srflx candidate is a UDP mapping; STUN over TLS cannot observe one, nor can a shared
      // port, whose socket would not route the answers here.
      const unsupported =
        server.transport === 'tls'
          ? 'STUN over TLS cannot give UDP candidates'
          : shared !== undefined
            ? 'no server-reflexive candidates are gathered on a shared UDP port'
            : undefined;
      if (unsupported === undefined) {
        stunServers.push(server);
      } else {
        const error = new IceServerError('unsupported', unsupported, server.url);
        this.#error({ url: server.url, error });
      }
    }
    await Promise.all([
      ...hosts.map((host) => this.#gatherReflexive(host, stunServers)),
      ...resolved.filter((s) => s.kind === 'turn').map((s) => this.#gatherRelayed(s)),
    ]);
  }

  #end(): void {
    if (this.#closed) return;
    this.#complete = true;
    this.#events.emit('end-of-candidates');
  }

  /** Binds one socket per host address and reports its host candidate (RFC 8445 §5.1.1.1). */
  async #openHostSockets(): Promise<{ socket: UdpTransport; localPreference: number }[]> {
    const interfaces = (this.#options.networkInterfaces ?? networkInterfaces)();
    const addresses = hostAddresses(interfaces, this.#options);
    const preferences = localPreferences(addresses);
    const opened = await Promise.all(
      addresses.map(async ({ address, family }) => {
        try {
          return await openInPortRange(address, family, this.#options.portRange);
        } catch (error) {
          this.#error({ address, error: error as Error });
          return undefined;
        }
      }),
    );
    const hosts: { socket: UdpTransport; localPreference: number }[] = [];
    opened.forEach((socket, i) => {
      if (socket === undefined || !this.#adopt(socket)) return;
      const localPreference = preferences[i] as number;
      const { address, port } = socket.localAddress;
      const candidate = createLocalCandidate({
        type: 'host',
        address,
        port,
        localPreference,
        ...this.#component(),
      });
      this.#found({ candidate, transport: socket });
      hosts.push({ socket, localPreference });
    });
    return hosts;
  }

  /** Reports the host candidates of a shared socket; none of them gathers srflx. */
  #sharedHosts(shared: SharedSocket): [] {
    const { address, port, family } = shared.transport.localAddress;
    const wildcard = address === '0.0.0.0' || address === '::';
    // An IPv6 wildcard socket is dual-stack: it receives IPv4 too (see `UdpMux`).
    const families = family === 'IPv4' ? ['IPv4' as const] : (['IPv6', 'IPv4'] as const);
    const addresses = wildcard
      ? hostAddresses((this.#options.networkInterfaces ?? networkInterfaces)(), {
          ...this.#options,
          families: families.filter((f) => this.#options.families?.includes(f) ?? true),
        })
      : [{ address, family }];
    const preferences = localPreferences(addresses);
    addresses.forEach((host, i) => {
      const localPreference = preferences[i] as number;
      const candidate = createLocalCandidate({
        type: 'host',
        address: host.address,
        port,
        localPreference,
        ...this.#component(),
      });
      this.#found({ candidate, transport: shared.transport });
    });
    return [];
  }

  /** Runs an `SrflxGatherer` on the socket until it is done (or the gatherer closes). */
  #gatherReflexive(
    host: { socket: UdpTransport; localPreference: number },
    servers: readonly ResolvedIceServer[],
  ): Promise<void> {
    const { socket, localPreference } = host;
    const key = (address: SocketAddress): string => `${address.address} ${address.port}`;
    const urls = new Map<string, string>();
    for (const server of [...servers].reverse()) urls.set(key(server.address), server.url);
    /** The URL a srflx event's server was given as (the first, if two name one address). */
    const urlOf = (server: SocketAddress): { url?: string } => {
      const url = urls.get(key(server));
      return url === undefined ? {} : { url };
    };
    const srflx = new SrflxGatherer({
      base: socket.localAddress,
      servers: servers.map((s) => s.address),
      localPreference,
      transaction: this.#options.stunTransaction ?? DEFAULT_STUN_TRANSACTION,
      ...this.#component(),
    });
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined;
      const stop = (): void => {
        offDatagram();
        offClose();
        timer?.cancel();
        srflx.close();
        this.#cleanups.delete(stop);
        resolve();
      };
      const pump = (): void => {
        for (let out = srflx.pollTransmit(); out; out = srflx.pollTransmit()) {
          socket.send(out.data, out.to);
        }
        for (let event = srflx.pollEvent(); event; event = srflx.pollEvent()) {
          if (event.type === 'candidate') {
            this.#found({ candidate: event.candidate, transport: socket, ...urlOf(event.server) });
          } else if (event.type === 'server-failed') {
            this.#error({ ...urlOf(event.server), error: event.error });
          } else {
            stop();
            return;
          }
        }
        timer?.cancel();
        const at = srflx.pollTimeout();
        timer =
          at === undefined
            ? undefined
            : this.#scheduler.setTimer(at, () => {
                srflx.handleTimeout(this.#scheduler.now());
                pump();
              });
      };
      const offDatagram = socket.on('datagram', (data, from) => {
        if (srflx.handleDatagram(data, from, this.#scheduler.now())) pump();
      });
      const offClose = socket.on('close', stop);
      this.#cleanups.add(stop);
      srflx.start(this.#scheduler.now());
      pump();
    });
  }

  /** Allocates on a TURN server and reports the relayed candidate (RFC 8445 §5.1.1.2). */
  async #gatherRelayed(server: ResolvedIceServer & { kind: 'turn' }): Promise<void> {
    const tls = server.transport === 'tls' ? this.#tlsOptions(server) : undefined;
    let relay: TurnTransport;
    try {
      relay = await TurnTransport.connect({
        server: server.address,
        transport: server.transport,
        username: server.username,
        password: server.credential,
        ...(server.address.family === 'IPv6' ? { requestedFamily: 'IPv6' } : {}),
        ...(tls === undefined ? {} : { tls }),
      });
    } catch (error) {
      if (!this.#closed) this.#error({ url: server.url, error: error as Error });
      return;
    }
    if (!this.#adopt(relay)) return;
    const mapped = relay.mappedAddress;
    const candidate = createLocalCandidate({
      type: 'relay',
      address: relay.localAddress.address,
      port: relay.localAddress.port,
      serverAddress: server.address.address,
      localPreference: RELAY_LOCAL_PREFERENCE[server.transport],
      // RFC 8839 §5.1: a relayed candidate's related address is its mapped address.
      ...(mapped === undefined ? {} : { relatedAddress: mapped.address, relatedPort: mapped.port }),
      ...this.#component(),
    });
    this.#found({
      candidate,
      transport: relay,
      url: server.url,
      relayProtocol: server.transport,
    });
  }

  /** The TLS options of a `turns:` server: the name to verify is its host unless given. */
  #tlsOptions(server: ResolvedIceServer): ConnectionOptions {
    const byName = server.host !== server.address.address ? { servername: server.host } : {};
    return { ...byName, ...this.#options.tls };
  }

  #component(): { component?: number } {
    const component = this.#options.component;
    return component === undefined ? {} : { component };
  }

  /** Keeps a transport until `close()`; closes it at once, and returns false, if already closed. */
  #adopt(transport: DatagramTransport): boolean {
    if (this.#closed) {
      transport.close();
      return false;
    }
    this.#transports.add(transport);
    return true;
  }

  #found(gathered: GatheredCandidate): void {
    if (this.#closed) return;
    this.#candidates.push(gathered);
    this.#events.emit('candidate', gathered);
  }

  #error(error: GatheringError): void {
    if (this.#closed) return;
    this.#errors.push(error);
    this.#events.emit('error', error);
  }
}
