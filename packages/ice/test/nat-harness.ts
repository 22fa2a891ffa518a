/**
 * Drives an `IceAgent` and an `SrflxGatherer` sharing one socket on the in-memory network, on a
 * `ManualClock`, plus a minimal STUN server for the public side. The socket's datagrams go to the
 * gatherer first: it takes only the responses to its own transactions (RFC 8489 §6.3.3 matches
 * by transaction id), and everything else goes to the agent, as a real stack demultiplexes one
 * socket between gathering and connectivity checks.
 */

import { type ManualClock, type SocketAddress, sameSocketAddress } from '@typertc/common';
import type { VirtualHost, VirtualUdpSocket } from '@typertc/common/testing';
import { StunMessage, StunMethod, XOR_MAPPED_ADDRESS } from '@typertc/stun';
import type { IceAgentOptions, IceTransmit } from '../src/agent/agent-types.js';
import { IceAgent } from '../src/agent/ice-agent.js';
import {
  createLocalCandidate,
  type LocalCandidate,
  parseRemoteCandidate,
  type UnresolvedCandidate,
} from '../src/candidate.js';
import { SrflxGatherer } from '../src/gather/srflx-gatherer.js';
import { AgentDriver } from './agent-driver.js';
import { GathererDriver } from './gatherer-driver.js';

/** The well-known STUN port (RFC 8489 §18.2). */
const STUN_PORT = 3478;

/**
 * Binds a STUN server on `host` (its first address unless told) that answers every Binding
 * request with the source it saw as XOR-MAPPED-ADDRESS (RFC 8489 §14.2): all a server-reflexive
 * gatherer needs.
 */
export function startStunServer(host: VirtualHost, address = host.addresses[0]): SocketAddress {
  const socket = host.bind({ port: STUN_PORT, ...(address !== undefined && { address }) });
  socket.on('datagram', (data, from) => {
    const request = StunMessage.decode(data);
    if (request.messageClass !== 'request' || request.method !== StunMethod.Binding) return;
    const response = StunMessage.responseTo(request, 'success').add(XOR_MAPPED_ADDRESS, from);
    socket.send(response.encode({ fingerprint: true }), from);
  });
  return socket.localAddress;
}

/** One agent on one host socket, gathering host and server-reflexive candidates. */
export class GatheringNode extends AgentDriver {
  readonly socket: VirtualUdpSocket;
  readonly candidates: LocalCandidate[];
  /** The most pairs the agent's checklist held after any input. */
  maxPairsSeen = 0;
  readonly #gatherer: GathererDriver;

  constructor(
    clock: ManualClock,
    host: VirtualHost,
    stunServers: readonly SocketAddress[],
    options: IceAgentOptions,
  ) {
    super(new IceAgent(options), clock);
    this.socket = host.bind({
      ...(host.addresses[0] !== undefined && { address: host.addresses[0] }),
    });
    const base = this.socket.localAddress;
    const hostCandidate = createLocalCandidate({
      type: 'host',
      address: base.address,
      port: base.port,
    });
    this.candidates = [hostCandidate];
    this.agent.addLocalCandidate(hostCandidate);
    this.#gatherer = new GathererDriver(
      new SrflxGatherer({ base, servers: stunServers }),
      clock,
      (data, to) => this.socket.send(data, to),
      (candidate) => {
        this.candidates.push(candidate);
        this.agent.addLocalCandidate(candidate);
      },
    );
    this.socket.on('datagram', (data, from) => {
      if (!this.#gatherer.handleDatagram(data, from)) this.deliver(data, base, from);
    });
  }

  /** Starts the Binding requests; candidates arrive in `candidates` as the clock runs. */
  gather(): void {
    this.#gatherer.start();
  }

  get gatheringDone(): boolean {
    return this.#gatherer.done;
  }

  get srflx(): LocalCandidate | undefined {
    return this.candidates.find((c) => c.type === 'srflx');
  }

  /** Out through the one socket, which every transmit must have as its base. */
  protected transmit(transmit: IceTransmit): void {
    if (!sameSocketAddress(transmit.from, this.socket.localAddress)) {
      throw new Error('transmit from an unknown base');
    }
    this.socket.send(transmit.data, transmit.to);
  }

  protected override afterDrain(): void {
    this.maxPairsSeen = Math.max(this.maxPairsSeen, this.agent.pairs.length);
  }

  override close(): void {
    super.close();
    this.#gatherer.close();
    this.socket.close();
  }
}

/**
 * Adds candidates received as `candidate:` strings (as signalling carries them) to `agent`.
 * Host names need resolving first; this caller has no mDNS resolver, so it ignores `.local`
 * names (draft-ietf-mmusic-mdns-ice-candidates §3.2: an agent that cannot resolve them ignores
 * them) and returns what it ignored.
 */
export function addSignalledCandidates(
  agent: IceAgent,
  lines: readonly string[],
): UnresolvedCandidate[] {
  const ignored: UnresolvedCandidate[] = [];
  for (const line of lines) {
    const parsed = parseRemoteCandidate(line, { componentCount: 1 });
    if (parsed.kind === 'needs-resolution') ignored.push(parsed.unresolved);
    else agent.addRemoteCandidate(parsed.candidate);
  }
  return ignored;
}

/** Runs the clock until both nodes finished gathering (each server answered or timed out). */
export function gatherBoth(a: GatheringNode, b: GatheringNode, limitMs = 60_000): void {
  a.gather();
  b.gather();
  const deadline = a.clock.now() + limitMs;
  while (!(a.gatheringDone && b.gatheringDone) && a.clock.now() < deadline) a.clock.advance(10);
}

/** Tells each agent the other's credentials and candidates, end-of-candidates, then starts. */
export function exchange(a: GatheringNode, b: GatheringNode): void {
  const hand = (from: GatheringNode, to: GatheringNode): void => {
    to.agent.setRemoteCredentials(from.agent.localUfrag, from.agent.localPassword);
    for (const candidate of from.candidates) to.agent.addRemoteCandidate(candidate);
    to.agent.endOfRemoteCandidates();
  };
  hand(a, b);
  hand(b, a);
  a.pump();
  b.pump();
}
