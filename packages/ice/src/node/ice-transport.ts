/**
 * `IceTransport`: the Node adapter of the sans-I/O `IceAgent`, and itself a `DatagramTransport`
 * for the layer above (DTLS): once a pair is selected, `send(data)` goes out through the selected
 * pair's local socket or relay to its remote address, and the peer's non-STUN datagrams come out
 * as `datagram` events.
 *
 *     const ice = IceTransport.create({ role: 'controlling', iceServers });
 *     ice.on('candidate', ({ candidateString }) => signal(candidateString));   // trickle
 *     ice.on('gathering-state', (state) => state === 'complete' && signal(null));
 *     ice.setRemoteCredentials(remote.credentials);
 *     ice.addRemoteCandidate(remoteCandidateString);  // null: end-of-candidates
 *     ice.on('state', (state) => ...);                 // W3C RTCIceTransportState
 *
 * Each gathered candidate brings the transport to send from (`CandidateGatherer`). Every such
 * transport is listened to once, under its candidates' base: what arrives on it is demultiplexed
 * by its first byte (RFC 7983 §7) into STUN for the agent, and data, which is accepted only from
 * the selected pair's remote address. The agent's datagrams leave through the transport whose
 * base is their `from`. One timer, armed at the agent's `pollTimeout()`, is re-armed after every
 * input; no intervals.
 */

import {
  BaseDatagramTransport,
  type DatagramTransport,
  type DatagramTransportEvents,
  Emitter,
  formatSocketAddress,
  RealClock,
  type Scheduler,
  type SocketAddress,
  sameSocketAddress,
  type TimerHandle,
} from '@typertc/common';
import type { IceAgentEvent, IceAgentOptions, IceTransportState } from '../agent/agent-types.js';
import { IceAgent } from '../agent/ice-agent.js';
import {
  formatLocalCandidate,
  type IceCandidate,
  type LocalCandidate,
  parseRemoteCandidate,
} from '../candidate.js';
import {
  CandidateGatherer,
  type CandidateGathererOptions,
  type GatheredCandidate,
  type GatheringError,
} from '../gather/gatherer.js';
import { classifyDatagram } from './demux.js';
import { IceNotConnectedError, IceUnresolvedCandidateError } from './errors.js';

export type IceRole = 'controlling' | 'controlled';

/** W3C `RTCIceTransportPolicy`: `relay` uses relayed candidates only (WebRTC 1.0 §4.2.1). */
export type IceTransportPolicy = 'all' | 'relay';

/** W3C `RTCIceGathererState`. */
export type IceGatheringState = 'new' | 'gathering' | 'complete';

/** The ICE credentials of one side (RFC 8445 §5.3; W3C `RTCIceParameters`). */
export interface IceCredentials {
  readonly ufrag: string;
  readonly password: string;
}

export interface IceTransportOptions extends Omit<CandidateGathererOptions, 'scheduler'> {
  readonly role: IceRole;
  /** Default `all`. */
  readonly iceTransportPolicy?: IceTransportPolicy;
  /**
   * A gatherer already started (W3C `iceCandidatePoolSize`); the gather options above are then
   * ignored. The transport owns it from here on and closes it with itself.
   */
  readonly gatherer?: CandidateGatherer;
  /** The agent's options other than the role (credentials, Ta, RTO, nomination delay...). */
  readonly agent?: Omit<IceAgentOptions, 'controlling'>;
  /** Time and the one timer; default the real clock. Also drives a gatherer made here. */
  readonly scheduler?: Scheduler;
}

/** A local candidate for the peer, with its W3C `RTCIceCandidate.candidate` string. */
export interface IceLocalCandidateEvent {
  readonly candidate: LocalCandidate;
  readonly candidateString: string;
}

export interface IceSelectedPair {
  /** The local candidate as the peer sees it (prflx when a NAT mapped the base). */
  readonly local: LocalCandidate;
  readonly remote: IceCandidate;
}

export interface IceTransportEvents extends DatagramTransportEvents {
  /** A local candidate to signal (trickle ICE, RFC 8838 §4). Sticky: see `on`. */
  candidate: (event: IceLocalCandidateEvent) => void;
  /** Sticky: see `on`. `complete` is where the peer is told end-of-candidates. */
  'gathering-state': (state: IceGatheringState) => void;
  /**
   * A STUN or TURN server, or a host address, that gave no candidate (W3C icecandidateerror).
   * Not sticky: a pre-gathered gatherer's earlier errors stay on the gatherer.
   */
  'candidate-error': (error: GatheringError) => void;
  state: (state: IceTransportState) => void;
  'selected-pair': (pair: IceSelectedPair) => void;
  /** A role conflict (RFC 8445 §7.3.1.1) switched this side's role. */
  'role-changed': (role: IceRole) => void;
}

type IceOnlyEvents = Omit<IceTransportEvents, keyof DatagramTransportEvents>;

const DATAGRAM_EVENTS: ReadonlySet<string> = new Set(['datagram', 'close', 'error']);

/** Before a pair is selected there is no local address to name. */
const UNSELECTED: SocketAddress = { address: '0.0.0.0', port: 0, family: 'IPv4' };

/**
 * The agent asks to be woken at a time already passed only until the wake-up handles it; should
 * it ask again for a time at or before the one just handled, the timer waits this long instead
 * of firing back to back.
 */
const MIN_REARM_MS = 1;

interface Selection extends IceSelectedPair {
  readonly transport: DatagramTransport;
}

export class IceTransport extends BaseDatagramTransport {
  readonly #agent: IceAgent;
  readonly #gatherer: CandidateGatherer;
  readonly #scheduler: Scheduler;
  readonly #policy: IceTransportPolicy;
  readonly #events = new Emitter<IceOnlyEvents>();
  /** Each candidate transport by its base (`formatSocketAddress`). */
  readonly #transports = new Map<string, DatagramTransport>();
  readonly #unsubscribes: (() => void)[] = [];
  readonly #localCandidates: IceLocalCandidateEvent[] = [];
  /** Gathering starts with the transport, so `new` is never observable here. */
  #gatheringState: IceGatheringState = 'gathering';
  #selection: Selection | undefined;
  #timer: TimerHandle | undefined;
  #timerAt: number | undefined;
  #lastTimeoutAt = Number.NEGATIVE_INFINITY;

  /**
   * Creates the agent and starts gathering at once (or adopts `options.gatherer`). Throws
   * `IceServerError` for a malformed `iceServers`, `IceError` for bad agent options.
   */
  static create(options: IceTransportOptions): IceTransport {
    return new IceTransport(options);
  }

  private constructor(options: IceTransportOptions) {
    super('ICE transport', undefined);
    const { role, iceTransportPolicy, gatherer, agent, scheduler, ...gatherOptions } = options;
    this.#scheduler = scheduler ?? new RealClock();
    this.#policy = iceTransportPolicy ?? 'all';
    this.#agent = new IceAgent({ ...agent, controlling: role === 'controlling' });
    this.#gatherer =
      gatherer ?? CandidateGatherer.start({ ...gatherOptions, scheduler: this.#scheduler });
    // The gatherer replays what it already found, so a pre-gathered one feeds the agent here.
    this.#unsubscribes.push(
      this.#gatherer.on('candidate', (gathered) => this.#addLocalCandidate(gathered)),
      this.#gatherer.on('error', (error) => this.#events.emit('candidate-error', error)),
      this.#gatherer.on('end-of-candidates', () => this.#setGatheringState('complete')),
    );
  }

  get localCredentials(): IceCredentials {
    return { ufrag: this.#agent.localUfrag, password: this.#agent.localPassword };
  }

  /** The current role; a role conflict may switch it (`role-changed`). */
  get role(): IceRole {
    return this.#agent.controlling ? 'controlling' : 'controlled';
  }

  get state(): IceTransportState {
    return this.#agent.state;
  }

  get gatheringState(): IceGatheringState {
    return this.#gatheringState;
  }

  /** The candidates signalled so far (under the `relay` policy, relayed ones only). */
  get localCandidates(): readonly IceLocalCandidateEvent[] {
    return this.#localCandidates;
  }

  get selectedPair(): IceSelectedPair | undefined {
    const selection = this.#selection;
    return selection === undefined
      ? undefined
      : { local: selection.local, remote: selection.remote };
  }

  /** The selected local candidate's address as the peer sees it; 0.0.0.0:0 before selection. */
  override get localAddress(): SocketAddress {
    const local = this.#selection?.local;
    return local === undefined
      ? UNSELECTED
      : { address: local.address, port: local.port, family: local.family };
  }

  setRemoteCredentials(credentials: IceCredentials): void {
    if (this.closed) return;
    this.#agent.setRemoteCredentials(credentials.ufrag, credentials.password);
    this.#drive();
  }

  /**
   * A remote candidate: its string (`candidate:...`, with or without `a=`), the parsed
   * candidate, or null for end-of-candidates (RFC 8838 §13). Throws `IceCandidateError` for a
   * string the agent cannot use and `IceUnresolvedCandidateError` for a host-name address.
   */
  addRemoteCandidate(candidate: string | IceCandidate | null): void {
    if (this.closed) return;
    if (candidate === null) {
      this.#agent.endOfRemoteCandidates();
    } else if (typeof candidate === 'string') {
      const parsed = parseRemoteCandidate(candidate, { componentCount: 1 });
      if (parsed.kind === 'needs-resolution') {
        throw new IceUnresolvedCandidateError(parsed.unresolved.hostname);
      }
      this.#agent.addRemoteCandidate(parsed.candidate);
    } else {
      this.#agent.addRemoteCandidate(candidate);
    }
    this.#drive();
  }

  /**
   * Sends `data` on the selected pair (to its remote address unless `to` is given). Throws
   * `IceNotConnectedError` before a pair is selected or after consent is lost, `ClosedError`
   * after `close()`.
   */
  override send(data: Uint8Array, to?: SocketAddress): void {
    if (!this.closed && this.#selection === undefined) throw new IceNotConnectedError();
    super.send(data, to);
  }

  /**
   * Adds a listener. `candidate` and `gathering-state` are sticky, as the gatherer's events are:
   * a listener added late first receives, synchronously, every candidate so far, or the current
   * gathering state.
   */
  override on<K extends keyof IceTransportEvents>(
    event: K,
    listener: IceTransportEvents[K],
  ): () => void {
    if (DATAGRAM_EVENTS.has(event)) {
      return super.on(
        event as keyof DatagramTransportEvents,
        listener as DatagramTransportEvents[keyof DatagramTransportEvents],
      );
    }
    const own = event as keyof IceOnlyEvents;
    if (own === 'candidate') {
      const replay = listener as IceOnlyEvents['candidate'];
      for (const found of [...this.#localCandidates]) replay(found);
    } else if (own === 'gathering-state') {
      (listener as IceOnlyEvents['gathering-state'])(this.#gatheringState);
    }
    if (this.closed) return () => {};
    return this.#events.on(own, listener as IceOnlyEvents[typeof own]);
  }

  override off<K extends keyof IceTransportEvents>(
    event: K,
    listener: IceTransportEvents[K],
  ): void {
    if (DATAGRAM_EVENTS.has(event)) {
      super.off(
        event as keyof DatagramTransportEvents,
        listener as DatagramTransportEvents[keyof DatagramTransportEvents],
      );
    } else {
      const own = event as keyof IceOnlyEvents;
      this.#events.off(own, listener as IceOnlyEvents[typeof own]);
    }
  }

  protected override transmit(data: Uint8Array, destination: SocketAddress): void {
    const selection = this.#selection;
    if (selection === undefined) throw new IceNotConnectedError();
    selection.transport.send(data, destination);
  }

  /** Closes the agent (`state` becomes `closed`), the timer, the gatherer and every socket. */
  protected override release(): void {
    this.#agent.close();
    this.#dispatchEvents();
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = undefined;
    this.#selection = undefined;
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
    this.#transports.clear();
    this.#gatherer.close();
    this.#events.removeAllListeners();
  }

  #addLocalCandidate(gathered: GatheredCandidate): void {
    const { candidate, transport } = gathered;
    // W3C iceTransportPolicy `relay`: the agent never sees, nor the peer learns, other types.
    if (this.closed || (this.#policy === 'relay' && candidate.type !== 'relay')) return;
    const key = formatSocketAddress(candidate.base);
    if (!this.#transports.has(key)) {
      this.#transports.set(key, transport);
      const base = candidate.base;
      this.#unsubscribes.push(
        transport.on('datagram', (data, from) => this.#receive(transport, base, data, from)),
      );
    }
    this.#agent.addLocalCandidate(candidate);
    const found = { candidate, candidateString: formatLocalCandidate(candidate) };
    this.#localCandidates.push(found);
    this.#events.emit('candidate', found);
    this.#drive();
  }

  #setGatheringState(state: IceGatheringState): void {
    if (this.closed || state === this.#gatheringState) return;
    this.#gatheringState = state;
    this.#events.emit('gathering-state', state);
  }

  /** RFC 7983 §7 demultiplexing of what one candidate transport received. */
  #receive(
    transport: DatagramTransport,
    base: SocketAddress,
    data: Uint8Array,
    from: SocketAddress,
  ): void {
    if (this.closed) return;
    const kind = classifyDatagram(data);
    if (kind === 'stun') {
      this.#agent.handleDatagram(data, base, from, this.#scheduler.now());
      this.#drive();
      return;
    }
    const selection = this.#selection;
    if (
      kind === 'other' &&
      selection !== undefined &&
      selection.transport === transport &&
      sameSocketAddress(from, selection.remote)
    ) {
      this.emitDatagram(data, from);
    } else {
      this.stats.droppedFromOthers++;
    }
  }

  /** After every input: send what the agent wants sent, report its events, re-arm the timer. */
  #drive(): void {
    for (let out = this.#agent.pollTransmit(); out; out = this.#agent.pollTransmit()) {
      const transport = this.#transports.get(formatSocketAddress(out.from));
      if (transport === undefined || transport.closed) continue;
      try {
        transport.send(out.data, out.to);
      } catch (error) {
        // A relay that just lost its allocation: the agent's checks on it fail by timeout.
        this.emitError(error as Error);
      }
    }
    this.#dispatchEvents();
    if (!this.closed) this.#armTimer();
  }

  #dispatchEvents(): void {
    for (let event = this.#agent.pollEvent(); event; event = this.#agent.pollEvent()) {
      this.#dispatch(event);
    }
  }

  #dispatch(event: IceAgentEvent): void {
    switch (event.type) {
      case 'selected-pair': {
        const transport = this.#transports.get(formatSocketAddress(event.local.base));
        if (transport === undefined) return;
        this.#selection = { local: event.local, remote: event.remote, transport };
        this.#setRemoteAddress(event.remote);
        this.#events.emit('selected-pair', { local: event.local, remote: event.remote });
        return;
      }
      case 'state':
        // RFC 7675 §5.1: once consent is lost (failed) nothing more is sent on the pair.
        if (event.state === 'failed' || event.state === 'closed') {
          this.#selection = undefined;
          this.#setRemoteAddress(undefined);
        }
        this.#events.emit('state', event.state);
        return;
      case 'role-changed':
        this.#events.emit('role-changed', event.controlling ? 'controlling' : 'controlled');
        return;
    }
  }

  /**
   * `remoteAddress` follows the selected pair. The base class holds it as a plain (TypeScript-
   * readonly) field, so it is written here rather than overridden by a getter.
   */
  #setRemoteAddress(remote: IceCandidate | undefined): void {
    const address =
      remote === undefined
        ? undefined
        : { address: remote.address, port: remote.port, family: remote.family };
    (this as { remoteAddress: SocketAddress | undefined }).remoteAddress = address;
  }

  #armTimer(): void {
    const at = this.#agent.pollTimeout();
    if (at === this.#timerAt) return;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = at;
    if (at === undefined) return;
    // A time already passed fires on the next turn of the event loop (Scheduler.setTimer), never
    // synchronously; the floor keeps an unmoved deadline from firing back to back.
    const wakeAt = Math.max(at, this.#lastTimeoutAt + MIN_REARM_MS);
    this.#timer = this.#scheduler.setTimer(wakeAt, this.#onTimer);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerAt = undefined;
    if (this.closed) return;
    const now = this.#scheduler.now();
    this.#lastTimeoutAt = now;
    this.#agent.handleTimeout(now);
    this.#drive();
  };
}
