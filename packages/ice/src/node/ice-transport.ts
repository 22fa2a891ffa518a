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
 * Each gathered candidate brings the transport to send from (`CandidateGatherer`): its own
 * socket, a TURN relay, or this agent's share of a `UdpMux` port. Every such transport is
 * listened to once (`CandidateSockets`): what arrives is demultiplexed by its first byte (RFC
 * 7983 §7) into STUN for the agent, and data, which is accepted only from the selected pair's
 * remote address. The agent's datagrams leave through the transport whose base is their `from`.
 * An ICE restart starts a new gathering generation and closes the old one once the new checks
 * select a pair. One timer, armed at the agent's `pollTimeout()`, is re-armed after every
 * input; no intervals.
 */

import {
  BaseDatagramTransport,
  type DatagramTransport,
  type DatagramTransportEvents,
  Emitter,
  RealClock,
  type Scheduler,
  type SocketAddress,
  sameSocketAddress,
  type TimerHandle,
} from '@typertc/common';
import type { IceAgentEvent, IceRestartOptions, IceTransportState } from '../agent/agent-types.js';
import { IceAgent } from '../agent/ice-agent.js';
import type { PairCounters } from '../agent/pair-stats.js';
import { formatLocalCandidate, type IceCandidate, parseRemoteCandidate } from '../candidate.js';
import { CandidateGatherer, type GatheredCandidate } from '../gather/gatherer.js';
import type { MuxedTransport } from '../mux/muxed-transport.js';
import { CandidateSockets } from './candidate-sockets.js';
import { classifyDatagram } from './demux.js';
import { IceNotConnectedError, IceUnresolvedCandidateError } from './errors.js';
import { collectIceTransportStats, type IceTransportStats } from './ice-transport-stats.js';
import {
  type IceCredentials,
  type IceGatheringState,
  type IceLocalCandidateEvent,
  type IceRole,
  type IceSelectedPair,
  type IceTransportEvents,
  type IceTransportOptions,
  type IceTransportPolicy,
  validateIceTransportOptions,
} from './ice-transport-types.js';

export * from './ice-transport-types.js';

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
/** How long the old generation receives after a restart selected a new pair (see #retiring). */
const RETIRE_MS = 5000;

interface Selection extends IceSelectedPair {
  readonly transport: DatagramTransport;
  /** The pair's stats counters, where its data is counted (no lookup per packet). */
  readonly counters: PairCounters;
}

/** One gathering: the first, then one per ICE restart (RFC 8445 §9). */
interface Generation {
  readonly id: number;
  readonly gatherer: CandidateGatherer;
  /** The local ufrag it was gathered for (what a shared port routes by). */
  readonly ufrag: string;
  readonly unsubscribes: (() => void)[];
}

export class IceTransport extends BaseDatagramTransport {
  readonly #agent: IceAgent;
  readonly #scheduler: Scheduler;
  readonly #policy: IceTransportPolicy;
  readonly #events = new Emitter<IceOnlyEvents>();
  readonly #sockets = new CandidateSockets((transport, base, data, from) =>
    this.#receive(transport, base, data, from),
  );
  /** This agent's share of a `UdpMux` port, if it was given one. */
  readonly #muxed: MuxedTransport | undefined;
  /** The current generation's candidates, as signalled. */
  #localCandidates: IceLocalCandidateEvent[] = [];
  /** Gathering starts with the transport, so `new` is never observable here. */
  #gatheringState: IceGatheringState = 'gathering';
  #generation: Generation;
  /** During an ICE restart, the generation whose pair still carries the data. */
  #previous: Generation | undefined;
  /** The generation a restart replaced, still receiving until the peer moves too. */
  #retiring: { generation: Generation; selection: Selection; until: number } | undefined;
  /** Its candidates, should the restart be undone. */
  #previousCandidates: IceLocalCandidateEvent[] = [];
  #selection: Selection | undefined;
  #selectedPairChanges = 0;
  #timer: TimerHandle | undefined;
  #timerAt: number | undefined;
  #lastTimeoutAt = Number.NEGATIVE_INFINITY;

  /**
   * Creates the agent and starts gathering at once (or adopts `options.gatherer`). Throws
   * `IceServerError` for a malformed `iceServers`, `IceError` for bad agent options or options
   * that cannot go together, and `UfragInUseError` if the mux already has the local ufrag.
   */
  static create(options: IceTransportOptions): IceTransport {
    validateIceTransportOptions(options);
    return new IceTransport(options);
  }

  private constructor(options: IceTransportOptions) {
    super('ICE transport', undefined);
    const { role, lite, iceTransportPolicy, udpMux, gatherer, agent, scheduler, ...gather } =
      options;
    this.#scheduler = scheduler ?? new RealClock();
    this.#policy = iceTransportPolicy ?? 'all';
    this.#agent =
      lite === true
        ? new IceAgent({ ...agent, lite: true })
        : new IceAgent({ ...agent, controlling: role === 'controlling' });
    this.#muxed = udpMux?.attach(this.#agent.localUfrag);
    const gatherOptions = {
      ...gather,
      scheduler: this.#scheduler,
      ...(this.#muxed === undefined ? {} : { sharedSocket: { transport: this.#muxed } }),
    };
    const first = gatherer ?? CandidateGatherer.start(gatherOptions);
    this.#generation = { id: 0, gatherer: first, ufrag: this.#agent.localUfrag, unsubscribes: [] };
    this.#listen(this.#generation);
  }

  /** Whether this is an ICE-lite agent (`lite` option). */
  get lite(): boolean {
    return this.#agent.lite;
  }

  /** Whether an ICE restart is under way: the old pair carries data until a new one is selected. */
  get restarting(): boolean {
    return this.#agent.restarting;
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

  /**
   * The current generation's candidates signalled so far (under the `relay` policy, relayed ones
   * only).
   */
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
   * The peer is a lite agent (SDP `a=ice-lite`): this side becomes controlling (RFC 8445 §6.1.1).
   * Throws `IceError` on a lite transport: two lite agents cannot connect.
   */
  setRemoteLite(remoteLite: boolean): void {
    if (this.closed) return;
    this.#agent.setRemoteLite(remoteLite);
    this.#drive();
  }

  /** The role the offer/answer exchange gave this side; see `IceAgent.setRole`. */
  setRole(role: IceRole): void {
    if (this.closed) return;
    this.#agent.setRole(role === 'controlling');
    this.#drive();
  }

  /**
   * ICE restart (RFC 8445 §9): new local credentials, and candidates gathered again with the
   * same options (new sockets and allocations; on a mux, the same port under the new ufrag),
   * trickled as `candidate` events after `gathering-state` turns back to `gathering`. The caller
   * signals the new credentials and candidates, then passes the peer's new ones. The selected
   * pair keeps carrying data meanwhile; once the new checks select a pair, the old generation's
   * sockets and allocations are closed. Throws `IceError` for credentials §5.3 does not allow,
   * `UfragInUseError` if the mux already has the new ufrag.
   */
  restart(options: IceRestartOptions = {}): void {
    if (this.closed) return;
    this.#releaseRetiring();
    const stale = this.#previous === undefined ? undefined : this.#generation;
    this.#agent.restart(options);
    this.#muxed?.addUfrag(this.#agent.localUfrag);
    // A restart during a restart: the generation in between never carried data.
    if (stale !== undefined) this.#release(stale);
    else {
      this.#previous = this.#generation;
      this.#previousCandidates = this.#localCandidates;
    }
    const previousOptions = this.#generation.gatherer.options;
    this.#localCandidates = [];
    this.#gatheringState = 'new';
    this.#setGatheringState('gathering');
    this.#generation = {
      id: this.#generation.id + 1,
      gatherer: CandidateGatherer.start(previousOptions),
      ufrag: this.#agent.localUfrag,
      unsubscribes: [],
    };
    this.#listen(this.#generation);
    // Nothing carried data (no pair selected yet, or consent lost): nothing to keep.
    if (!this.#agent.restarting && this.#previous !== undefined) this.#releasePrevious();
    this.#drive();
  }

  /**
   * Undoes the restart under way (its offer was rolled back, RFC 8829 §4.1.8.2): the old
   * credentials, candidates and selected pair again, the new generation's sockets and relays
   * closed. False, changing nothing, when there is no old generation to return to (none had
   * carried data); the restart then stands.
   */
  cancelRestart(): boolean {
    const previous = this.#previous;
    if (this.closed || previous === undefined || !this.#agent.cancelRestart()) return false;
    const abandoned = this.#generation;
    this.#generation = previous;
    this.#previous = undefined;
    this.#localCandidates = this.#previousCandidates;
    this.#previousCandidates = [];
    this.#release(abandoned);
    this.#setGatheringState(previous.gatherer.complete ? 'complete' : 'gathering');
    this.#drive();
    return true;
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
   * What webrtc-stats reports of this transport, its candidates and its pairs, as a snapshot
   * (see `IceTransportStats`). Not `stats`, which holds the datagram counters of every transport.
   */
  getStats(): IceTransportStats {
    return collectIceTransportStats({
      agent: this.#agent,
      role: this.role,
      signalled: this.#localCandidates,
      datagrams: this.stats,
      selectedCandidatePairChanges: this.#selectedPairChanges,
      now: this.#scheduler.now(),
    });
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
    selection.counters.dataSent(data.byteLength, this.#scheduler.now());
  }

  /** Closes the agent (`state` becomes `closed`), the timer, the gatherer and every socket. */
  protected override release(): void {
    this.#agent.close();
    this.#dispatchEvents();
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = undefined;
    this.#selection = undefined;
    if (this.#previous !== undefined) this.#release(this.#previous);
    this.#previous = undefined;
    this.#releaseRetiring();
    this.#release(this.#generation);
    this.#sockets.clear();
    this.#muxed?.close();
    this.#events.removeAllListeners();
  }

  /**
   * Listens to the current generation's gatherer, which replays what it already found: a
   * pre-gathered one feeds the agent at once.
   */
  #listen(generation: Generation): void {
    const { gatherer } = generation;
    generation.unsubscribes.push(
      gatherer.on('candidate', (gathered) => this.#addLocalCandidate(generation, gathered)),
      gatherer.on('error', (error) => {
        if (generation === this.#generation) this.#events.emit('candidate-error', error);
      }),
      gatherer.on('end-of-candidates', () => {
        if (generation === this.#generation) this.#setGatheringState('complete');
      }),
    );
  }

  /**
   * The restart is over on this side (a new pair is selected), but the peer may send on the old
   * pair until it moves too: the old generation keeps receiving until data arrives on the new
   * pair, or for RETIRE_MS, or until the next restart (RFC 8445 §9; RFC 8445 §12.2: data is
   * taken on any pair still in use).
   */
  #retirePrevious(old: Selection | undefined): void {
    const previous = this.#previous;
    if (previous === undefined) return;
    if (old === undefined || old.transport === this.#selection?.transport) {
      this.#releasePrevious();
      return;
    }
    this.#releaseRetiring();
    this.#retiring = {
      generation: previous,
      selection: old,
      until: this.#scheduler.now() + RETIRE_MS,
    };
    this.#previous = undefined;
    this.#previousCandidates = [];
  }

  #releaseRetiring(): void {
    const retiring = this.#retiring;
    if (retiring === undefined) return;
    this.#retiring = undefined;
    this.#release(retiring.generation);
  }

  /** The restart is over (a new pair is selected): the old sockets and relays can go. */
  #releasePrevious(): void {
    const previous = this.#previous;
    if (previous === undefined) return;
    this.#previous = undefined;
    this.#previousCandidates = [];
    this.#release(previous);
  }

  #release(generation: Generation): void {
    for (const unsubscribe of generation.unsubscribes.splice(0)) unsubscribe();
    this.#sockets.release(generation.id);
    generation.gatherer.close();
    if (generation !== this.#generation) this.#muxed?.removeUfrag(generation.ufrag);
  }

  #addLocalCandidate(generation: Generation, gathered: GatheredCandidate): void {
    const { candidate, transport } = gathered;
    // A superseded generation's late candidates are not this agent's any more.
    if (this.closed || generation !== this.#generation) return;
    // W3C iceTransportPolicy `relay`: the agent never sees, nor the peer learns, other types.
    if (this.#policy === 'relay' && candidate.type !== 'relay') return;
    this.#sockets.add(candidate.base, transport, generation.id);
    this.#agent.addLocalCandidate(candidate);
    const found: IceLocalCandidateEvent = {
      candidate,
      candidateString: formatLocalCandidate(candidate),
      ...(gathered.url === undefined ? {} : { url: gathered.url }),
      ...(gathered.relayProtocol === undefined ? {} : { relayProtocol: gathered.relayProtocol }),
    };
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
      selection.counters.dataReceived(data.byteLength, this.#scheduler.now());
      // The peer uses the new pair: the old generation has nothing more to receive.
      if (this.#retiring !== undefined) this.#releaseRetiring();
      this.emitDatagram(data, from);
      return;
    }
    const retiring = this.#retiring?.selection;
    if (
      kind === 'other' &&
      retiring !== undefined &&
      retiring.transport === transport &&
      sameSocketAddress(from, retiring.remote)
    ) {
      retiring.counters.dataReceived(data.byteLength, this.#scheduler.now());
      this.emitDatagram(data, from);
      return;
    }
    const valid = kind === 'other' ? this.#agent.validPairOnPath(base, from) : undefined;
    if (valid !== undefined) {
      this.#agent.pairCounters(valid).dataReceived(data.byteLength, this.#scheduler.now());
      this.emitDatagram(data, from);
    } else {
      this.stats.droppedFromOthers++;
    }
  }

  /** After every input: send what the agent wants sent, report its events, re-arm the timer. */
  #drive(): void {
    const retiring = this.#retiring;
    if (retiring !== undefined && this.#scheduler.now() >= retiring.until) this.#releaseRetiring();
    for (let out = this.#agent.pollTransmit(); out; out = this.#agent.pollTransmit()) {
      const transport = this.#sockets.transportFor(out.from);
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
        const transport = this.#sockets.transportFor(event.local.base);
        if (transport === undefined) return;
        const counters = this.#agent.pairCounters(event.pair);
        const old = this.#selection;
        this.#selection = { local: event.local, remote: event.remote, transport, counters };
        this.#selectedPairChanges++;
        this.#setRemoteAddress(event.remote);
        if (!this.#agent.restarting) this.#retirePrevious(old);
        this.#events.emit('selected-pair', { local: event.local, remote: event.remote });
        return;
      }
      case 'state':
        // RFC 7675 §5.1: once consent is lost (failed) nothing more is sent on the pair.
        if (event.state === 'failed' || event.state === 'closed') {
          if (this.#selection !== undefined) this.#selectedPairChanges++;
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
