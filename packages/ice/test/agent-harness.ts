/**
 * Drives `IceAgent`s over the in-memory network on a `ManualClock`: one socket per host
 * candidate, datagrams in through `handleDatagram`, `pollTransmit` out through the socket whose
 * address is the transmit's base, and one timer armed at `pollTimeout`.
 */

import { type ManualClock, type SocketAddress, sameSocketAddress } from '@typertc/common';
import type { VirtualHost, VirtualUdpSocket } from '@typertc/common/testing';
import { StunMessage } from '@typertc/stun';
import type {
  IceAgentEvent,
  IceAgentOptions,
  IceLiteAgentOptions,
  IceTransmit,
} from '../src/agent/agent-types.js';
import { IceAgent } from '../src/agent/ice-agent.js';
import { createLocalCandidate, type LocalCandidate } from '../src/candidate.js';
import { AgentDriver } from './agent-driver.js';

/** A datagram the agent sent, decoded. */
export interface SentMessage {
  readonly time: number;
  readonly from: SocketAddress;
  readonly to: SocketAddress;
  readonly message: StunMessage;
}

export class AgentNode extends AgentDriver {
  /** The candidates `introduce` announces to the peer and `restartIce` re-adds. */
  readonly candidates: LocalCandidate[] = [];
  readonly sent: SentMessage[] = [];
  readonly #sockets: VirtualUdpSocket[] = [];

  constructor(clock: ManualClock, options: IceAgentOptions | IceLiteAgentOptions) {
    super(new IceAgent(options), clock);
  }

  /** Binds a socket on `host` (its first address unless told) and adds its host candidate. */
  bind(host: VirtualHost, address?: string, localPreference?: number): LocalCandidate {
    const socket = host.bind(address === undefined ? {} : { address });
    this.#sockets.push(socket);
    const local = socket.localAddress;
    socket.on('datagram', (data, from) => this.deliver(data, local, from));
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

  /** The `selected-pair` events so far. */
  selections(): IceAgentEvent[] {
    return this.events.flatMap(({ event }) => (event.type === 'selected-pair' ? [event] : []));
  }

  /** Out through the socket whose address is the transmit's base, recorded decoded. */
  protected transmit(transmit: IceTransmit): void {
    const socket = this.#sockets.find((s) => sameSocketAddress(s.localAddress, transmit.from));
    if (socket === undefined) throw new Error('transmit from an unknown base');
    const message = StunMessage.decode(transmit.data);
    this.sent.push({ time: this.clock.now(), from: transmit.from, to: transmit.to, message });
    socket.send(transmit.data, transmit.to);
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
