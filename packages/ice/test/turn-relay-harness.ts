/**
 * TURN on the in-memory network: a minimal relay server (RFC 8656) on a public host, and an ICE
 * node whose one socket carries its host checks, its srflx gathering and a `TurnClient` whose
 * relayed address is a third local candidate. The server is a small correct subset: long-term
 * authentication with one user, Allocate/Refresh/CreatePermission/ChannelBind, Send indications
 * and ChannelData out, Data indications or ChannelData back, and permissions enforced on the
 * relayed address (RFC 8656 §9: only peers the client installed a permission for get through).
 */

import {
  type ManualClock,
  type SocketAddress,
  sameSocketAddress,
  type TimerHandle,
} from '@typertc/common';
import type { VirtualHost, VirtualUdpSocket } from '@typertc/common/testing';
import {
  CHANNEL_NUMBER,
  DATA,
  ERROR_CODE,
  frameChannelData,
  LIFETIME,
  longTermKey,
  NONCE,
  PasswordAlgorithm,
  parseChannelData,
  REALM,
  StunMessage,
  StunMethod,
  TurnClient,
  USERNAME,
  XOR_MAPPED_ADDRESS,
  XOR_PEER_ADDRESS,
  XOR_RELAYED_ADDRESS,
} from '@typertc/stun';
import type { IceAgentOptions, IceTransmit } from '../src/agent/agent-types.js';
import { IceAgent } from '../src/agent/ice-agent.js';
import { createLocalCandidate, type LocalCandidate } from '../src/candidate.js';
import { SrflxGatherer } from '../src/gather/srflx-gatherer.js';
import { AgentDriver } from './agent-driver.js';
import { GathererDriver } from './gatherer-driver.js';

/** The well-known TURN port (RFC 8656 §3.1, shared with STUN). */
const TURN_PORT = 3478;
const TURN_USER = 'ice-test';
const TURN_PASSWORD = 'relay-secret';
const TURN_REALM = 'typertc.test';
const TURN_NONCE = 'fixed-nonce';
const LIFETIME_S = 600;
/** RFC 8656 §9: a permission lasts 300 s unless refreshed. */
const PERMISSION_LIFETIME_MS = 300_000;

/** A first bit pattern of 01 marks ChannelData (RFC 8656 §12.4); 00 a STUN message. */
function isChannelData(bytes: Uint8Array): boolean {
  return bytes.length > 0 && ((bytes[0] as number) & 0xc0) === 0x40;
}

function keyOf(address: SocketAddress): string {
  return `${address.address}|${address.port}`;
}

/** One client's allocation: its relay socket, permissions by peer IP, channels both ways. */
interface Allocation {
  readonly client: SocketAddress;
  readonly relay: VirtualUdpSocket;
  readonly permissions: Map<string, number>;
  readonly channelByPeer: Map<string, number>;
  readonly peerByChannel: Map<number, SocketAddress>;
}

export class TurnRelayServer {
  readonly address: SocketAddress;
  /** Datagrams relayed to peers and back to clients, for the tests to see the relay was used. */
  relayedOut = 0;
  relayedIn = 0;
  /** Datagrams from peers without a permission, dropped at the relayed address. */
  refused = 0;
  readonly #socket: VirtualUdpSocket;
  readonly #allocations = new Map<string, Allocation>();
  readonly #key = longTermKey(TURN_USER, TURN_REALM, TURN_PASSWORD, PasswordAlgorithm.Md5);

  constructor(
    readonly host: VirtualHost,
    readonly clock: ManualClock,
  ) {
    const address = host.addresses[0];
    this.#socket = host.bind({ port: TURN_PORT, ...(address !== undefined && { address }) });
    this.address = this.#socket.localAddress;
    this.#socket.on('datagram', (data, from) => this.#handle(data, from));
  }

  /** Options for a `TurnClient` that this server accepts. */
  static clientOptions(): { transport: 'udp'; username: string; password: string } {
    return { transport: 'udp', username: TURN_USER, password: TURN_PASSWORD };
  }

  close(): void {
    for (const allocation of this.#allocations.values()) allocation.relay.close();
    this.#socket.close();
  }

  #handle(data: Uint8Array, from: SocketAddress): void {
    const allocation = this.#allocations.get(keyOf(from));
    if (isChannelData(data)) {
      if (allocation === undefined) return;
      const { channel, data: payload } = parseChannelData(data);
      const peer = allocation.peerByChannel.get(channel);
      if (peer !== undefined) this.#relayOut(allocation, payload, peer);
      return;
    }
    const message = StunMessage.decode(data);
    if (message.messageClass === 'indication') {
      // RFC 8656 §11.2: Send indications are unauthenticated; dropped without a permission.
      const peer = message.get(XOR_PEER_ADDRESS);
      const payload = message.get(DATA);
      if (message.method !== StunMethod.Send || allocation === undefined) return;
      if (peer !== undefined && payload !== undefined) this.#relayOut(allocation, payload, peer);
      return;
    }
    if (message.messageClass !== 'request') return;
    const authentic =
      message.integrityAt >= 0 &&
      message.get(USERNAME) === TURN_USER &&
      message.get(REALM) === TURN_REALM &&
      message.get(NONCE) === TURN_NONCE &&
      message.verifyIntegrity(this.#key);
    if (!authentic) {
      // RFC 8656 §7.2 via RFC 8489 §9.2.4: challenge with REALM and NONCE.
      const challenge = StunMessage.responseTo(message, 'error')
        .add(ERROR_CODE, { code: 401, reason: 'Unauthorized' })
        .add(REALM, TURN_REALM)
        .add(NONCE, TURN_NONCE);
      this.#socket.send(challenge.encode({ fingerprint: true }), from);
      return;
    }
    const response = this.#answer(message, from, allocation);
    this.#socket.send(response.encode({ integrity: this.#key, fingerprint: true }), from);
  }

  #answer(request: StunMessage, from: SocketAddress, allocation?: Allocation): StunMessage {
    const now = this.clock.now();
    const peer = request.get(XOR_PEER_ADDRESS);
    switch (request.method) {
      case StunMethod.Allocate: {
        const made = allocation ?? this.#allocate(from);
        return StunMessage.responseTo(request, 'success')
          .add(XOR_RELAYED_ADDRESS, made.relay.localAddress)
          .add(XOR_MAPPED_ADDRESS, from)
          .add(LIFETIME, LIFETIME_S);
      }
      case StunMethod.Refresh:
        if (allocation === undefined) return this.#error(request, 437, 'Allocation Mismatch');
        if (request.get(LIFETIME) === 0) {
          allocation.relay.close();
          this.#allocations.delete(keyOf(from));
        }
        return StunMessage.responseTo(request, 'success').add(
          LIFETIME,
          request.get(LIFETIME) === 0 ? 0 : LIFETIME_S,
        );
      case StunMethod.CreatePermission:
        if (allocation === undefined) return this.#error(request, 437, 'Allocation Mismatch');
        if (peer === undefined) return this.#error(request, 400, 'Bad Request');
        allocation.permissions.set(peer.address, now + PERMISSION_LIFETIME_MS);
        return StunMessage.responseTo(request, 'success');
      case StunMethod.ChannelBind: {
        const channel = request.get(CHANNEL_NUMBER);
        if (allocation === undefined) return this.#error(request, 437, 'Allocation Mismatch');
        if (peer === undefined || channel === undefined) {
          return this.#error(request, 400, 'Bad Request');
        }
        // RFC 8656 §12.2: a channel binding also installs or refreshes the permission.
        allocation.channelByPeer.set(keyOf(peer), channel);
        allocation.peerByChannel.set(channel, peer);
        allocation.permissions.set(peer.address, now + PERMISSION_LIFETIME_MS);
        return StunMessage.responseTo(request, 'success');
      }
      default:
        return this.#error(request, 400, 'Bad Request');
    }
  }

  #error(request: StunMessage, code: number, reason: string): StunMessage {
    return StunMessage.responseTo(request, 'error').add(ERROR_CODE, { code, reason });
  }

  /** A relay socket on the server's public address, a new port per allocation (§7.2). */
  #allocate(client: SocketAddress): Allocation {
    const relay = this.host.bind({ address: this.address.address });
    const allocation: Allocation = {
      client,
      relay,
      permissions: new Map(),
      channelByPeer: new Map(),
      peerByChannel: new Map(),
    };
    relay.on('datagram', (data, peer) => this.#relayIn(allocation, data, peer));
    this.#allocations.set(keyOf(client), allocation);
    return allocation;
  }

  #permitted(allocation: Allocation, peer: SocketAddress): boolean {
    return (allocation.permissions.get(peer.address) ?? 0) > this.clock.now();
  }

  #relayOut(allocation: Allocation, data: Uint8Array, peer: SocketAddress): void {
    if (!this.#permitted(allocation, peer)) return;
    this.relayedOut++;
    allocation.relay.send(data, peer);
  }

  /** RFC 8656 §11.3, §12.5: to the client as ChannelData when bound, else a Data indication. */
  #relayIn(allocation: Allocation, data: Uint8Array, peer: SocketAddress): void {
    if (!this.#permitted(allocation, peer)) {
      this.refused++;
      return;
    }
    this.relayedIn++;
    const channel = allocation.channelByPeer.get(keyOf(peer));
    const bytes =
      channel !== undefined
        ? frameChannelData(channel, data, false)
        : new StunMessage('indication', StunMethod.Data)
            .add(XOR_PEER_ADDRESS, peer)
            .add(DATA, data)
            .encode({ fingerprint: true });
    this.#socket.send(bytes, allocation.client);
  }
}

/**
 * One agent on one host socket with host, srflx and relay candidates. The socket's datagrams
 * from the TURN server go to the `TurnClient`, STUN responses to the gatherer, the rest to the
 * agent on the host base; the client's `data` events reach the agent on the relay base, and the
 * agent's transmits from the relay base leave through `TurnClient.sendTo` (RFC 8445 §5.1.1.2:
 * a relayed candidate's checks are sent through the server).
 */
export class RelayingNode extends AgentDriver {
  readonly socket: VirtualUdpSocket;
  readonly candidates: LocalCandidate[] = [];
  /** The most pairs the agent's checklist held after any input. */
  maxPairsSeen = 0;
  readonly #gatherer: GathererDriver;
  readonly #turn: TurnClient;
  readonly #turnServer: SocketAddress;
  #turnTimer: TimerHandle | undefined;
  #turnDone = false;

  constructor(
    clock: ManualClock,
    host: VirtualHost,
    servers: { stun: SocketAddress; turn: SocketAddress },
    options: IceAgentOptions,
  ) {
    super(new IceAgent(options), clock);
    this.socket = host.bind({
      ...(host.addresses[0] !== undefined && { address: host.addresses[0] }),
    });
    const base = this.socket.localAddress;
    this.#addCandidate(
      createLocalCandidate({ type: 'host', address: base.address, port: base.port }),
    );
    this.#gatherer = new GathererDriver(
      new SrflxGatherer({ base, servers: [servers.stun] }),
      clock,
      (data, to) => this.socket.send(data, to),
      (candidate) => this.#addCandidate(candidate),
    );
    this.#turn = new TurnClient(TurnRelayServer.clientOptions());
    this.#turnServer = servers.turn;
    this.socket.on('datagram', (data, from) => {
      const now = this.clock.now();
      if (sameSocketAddress(from, this.#turnServer)) {
        this.#turn.handleMessage(data, now);
        this.#pumpTurn();
      } else if (!this.#gatherer.handleDatagram(data, from)) {
        this.deliver(data, base, from);
      }
    });
  }

  /** Starts srflx gathering and the TURN allocation. */
  gather(): void {
    this.#gatherer.start();
    this.#turn.start(this.clock.now());
    this.#pumpTurn();
  }

  get gatheringDone(): boolean {
    return this.#gatherer.done && this.#turnDone;
  }

  get relay(): LocalCandidate | undefined {
    return this.candidates.find((c) => c.type === 'relay');
  }

  get srflx(): LocalCandidate | undefined {
    return this.candidates.find((c) => c.type === 'srflx');
  }

  protected transmit(transmit: IceTransmit): void {
    if (sameSocketAddress(transmit.from, this.socket.localAddress)) {
      this.socket.send(transmit.data, transmit.to);
    } else if (this.relay !== undefined && sameSocketAddress(transmit.from, this.relay.base)) {
      this.#turn.sendTo(transmit.data, transmit.to, this.clock.now());
      this.#pumpTurn();
    } else {
      throw new Error('transmit from an unknown base');
    }
  }

  protected override afterDrain(): void {
    this.maxPairsSeen = Math.max(this.maxPairsSeen, this.agent.pairs.length);
  }

  override close(): void {
    super.close();
    this.#gatherer.close();
    this.#turnTimer?.cancel();
    this.socket.close();
  }

  #addCandidate(candidate: LocalCandidate): void {
    this.candidates.push(candidate);
    this.agent.addLocalCandidate(candidate);
  }

  #pumpTurn(): void {
    for (let bytes = this.#turn.pollTransmit(); bytes; bytes = this.#turn.pollTransmit()) {
      this.socket.send(bytes, this.#turnServer);
    }
    for (let e = this.#turn.pollEvent(); e; e = this.#turn.pollEvent()) {
      if (e.type === 'allocated') {
        this.#turnDone = true;
        // RFC 8445 §5.1.1.2: the relayed address is its own base; related is the mapped one.
        this.#addCandidate(
          createLocalCandidate({
            type: 'relay',
            address: e.relayed.address,
            port: e.relayed.port,
            serverAddress: this.#turnServer.address,
            ...(e.mapped !== undefined && {
              relatedAddress: e.mapped.address,
              relatedPort: e.mapped.port,
            }),
          }),
        );
        this.pump();
      } else if (e.type === 'failed') {
        this.#turnDone = true;
      } else if (e.type === 'data' && this.relay !== undefined) {
        this.deliver(e.data, this.relay.base, e.peer);
      }
    }
    this.#turnTimer?.cancel();
    this.#turnTimer = undefined;
    const at = this.#turn.pollTimeout();
    if (at !== undefined) {
      this.#turnTimer = this.clock.setTimer(at, () => {
        this.#turnTimer = undefined;
        this.#turn.handleTimeout(this.clock.now());
        this.#pumpTurn();
      });
    }
  }
}
