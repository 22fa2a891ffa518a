/**
 * Drives `IceAgent`s over the in-memory network on a `ManualClock`: one socket per host
 * candidate, datagrams in through `handleDatagram`, `pollTransmit` out through the socket whose
 * address is the transmit's base, and one timer armed at `pollTimeout`.
 */

import {
  type ManualClock,
  type SocketAddress,
  sameSocketAddress,
  type TimerHandle,
} from '@typertc/common';
import type { VirtualHost, VirtualUdpSocket } from '@typertc/common/testing';
import { StunMessage } from '@typertc/stun';
import type {
  IceAgentEvent,
  IceAgentOptions,
  IceLiteAgentOptions,
} from '../src/agent/agent-types.js';
import { IceAgent } from '../src/agent/ice-agent.js';
import { createLocalCandidate, type LocalCandidate } from '../src/candidate.js';

export interface TimedEvent {
  readonly time: number;
  readonly event: IceAgentEvent;
}

/** A datagram the agent sent, decoded. */
export interface SentMessage {
  readonly time: number;
  readonly from: SocketAddress;
  readonly to: SocketAddress;
  readonly message: StunMessage;
}

export class AgentNode {
  readonly agent: IceAgent;
  /** The candidates `introduce` announces to the peer and `restartIce` re-adds. */
  readonly candidates: LocalCandidate[] = [];
  readonly events: TimedEvent[] = [];
  readonly sent: SentMessage[] = [];
  readonly #sockets: VirtualUdpSocket[] = [];
  #timer: TimerHandle | undefined;

  constructor(
    readonly clock: ManualClock,
    options: IceAgentOptions | IceLiteAgentOptions,
  ) {
    this.agent = new IceAgent(options);
  }

  /** Binds a socket on `host` (its first address unless told) and adds its host candidate. */
  bind(host: VirtualHost, address?: string, localPreference?: number): LocalCandidate {
    const socket = host.bind(address === undefined ? {} : { address });
    this.#sockets.push(socket);
    const local = socket.localAddress;
    socket.on('datagram', (data, from) => {
      this.agent.handleDatagram(data, local, from, this.clock.now());
      this.pump();
    });
    const candidate = createLocalCandidate({
      type: 'host',
      address: local.address,
      port: local.port,
      ...(localPreference !== undefined && { localPreference }),
    });
    this.candidates.push(candidate);
    this.agent.addLocalCandidate(candidate);
    return candidate;
  }

  /** Sends what the agent queued, records its events and re-arms its timer. */
  pump(): void {
    for (let t = this.agent.pollTransmit(); t; t = this.agent.pollTransmit()) {
      const from: SocketAddress = t.from;
      const socket = this.#sockets.find((s) => sameSocketAddress(s.localAddress, from));
      if (socket === undefined) throw new Error('transmit from an unknown base');
      const message = StunMessage.decode(t.data);
      this.sent.push({ time: this.clock.now(), from: t.from, to: t.to, message });
      socket.send(t.data, t.to);
    }
    for (let e = this.agent.pollEvent(); e; e = this.agent.pollEvent()) {
      this.events.push({ time: this.clock.now(), event: e });
    }
    this.#timer?.cancel();
    this.#timer = undefined;
    const at = this.agent.pollTimeout();
    if (at !== undefined) {
      this.#timer = this.clock.setTimer(at, () => {
        this.#timer = undefined;
        this.agent.handleTimeout(this.clock.now());
        this.pump();
      });
    }
  }

  /** The `selected-pair` events so far. */
  selections(): IceAgentEvent[] {
    return this.events.flatMap(({ event }) => (event.type === 'selected-pair' ? [event] : []));
  }

  states(): string[] {
    return this.events.flatMap(({ event }) => (event.type === 'state' ? [event.state] : []));
  }

  /** When the agent first entered `state`, or undefined. */
  timeOf(state: string): number | undefined {
    return this.events.find(({ event }) => event.type === 'state' && event.state === state)?.time;
  }

  close(): void {
    this.agent.close();
    this.#timer?.cancel();
  }
}

/** Tells each agent the other's credentials and candidates, then starts both. */
export function introduce(
  a: AgentNode,
  b: AgentNode,
  options: { endOfCandidates?: boolean } = {},
): void {
  a.agent.setRemoteCredentials(b.agent.localUfrag, b.agent.localPassword);
  b.agent.setRemoteCredentials(a.agent.localUfrag, a.agent.localPassword);
  for (const c of b.candidates) a.agent.addRemoteCandidate(c);
  for (const c of a.candidates) b.agent.addRemoteCandidate(c);
  if (options.endOfCandidates !== false) {
    a.agent.endOfRemoteCandidates();
    b.agent.endOfRemoteCandidates();
  }
  a.pump();
  b.pump();
}

/**
 * An ICE restart on both sides (RFC 8445 §9): new credentials, each side's `candidates` re-added
 * (the caller regathers in a real stack), then a fresh `introduce`.
 */
export function restartIce(a: AgentNode, b: AgentNode): void {
  for (const node of [a, b]) {
    node.agent.restart();
    for (const candidate of node.candidates) node.agent.addLocalCandidate(candidate);
  }
  introduce(a, b);
}
