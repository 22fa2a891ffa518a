/**
 * `MuxedTransport`: one agent's `DatagramTransport` on a shared `UdpMux` port. It receives what
 * the mux routes to its local ufrags, and sends through the shared socket; closing it removes
 * only this agent from the mux.
 */

import { BaseDatagramTransport, type SocketAddress } from '@typertc/common';
import type { MuxRegistration, MuxSink } from './binding-table.js';

/** What a `MuxedTransport` needs of the mux that made it. */
export interface MuxedTransportHost {
  readonly localAddress: SocketAddress;
  /** Sends through the shared socket. */
  transmit(data: Uint8Array, destination: SocketAddress): void;
  /** The transport closed: forget it. */
  detach(transport: MuxedTransport): void;
}

export class MuxedTransport extends BaseDatagramTransport {
  readonly #host: MuxedTransportHost;
  readonly #registration: MuxRegistration;

  /**
   * Made by `UdpMux.attach`, not directly. `register` places the transport's sink on the
   * router; whatever it throws (`UfragInUseError`, say) the constructor throws.
   */
  constructor(host: MuxedTransportHost, register: (sink: MuxSink) => MuxRegistration) {
    super('muxed UDP transport', undefined);
    this.#host = host;
    this.#registration = register({ receive: (data, from) => this.emitDatagram(data, from) });
  }

  /** The shared socket's address. */
  override get localAddress(): SocketAddress {
    return this.#host.localAddress;
  }

  /** The local ufrags that route new remote addresses to this transport, oldest first. */
  get ufrags(): readonly string[] {
    return this.#registration.ufrags;
  }

  /** How many remote addresses the mux has bound to this transport. */
  get bindingCount(): number {
    return this.#registration.bindingCount;
  }

  /**
   * Also routes requests naming `ufrag` here: on an ICE restart (RFC 8445 §9) the agent adds its
   * new ufrag and removes the old one once it no longer needs it. Throws `UfragInUseError` if
   * another agent on the mux has it, `ClosedError` after `close()`.
   */
  addUfrag(ufrag: string): void {
    this.#registration.addUfrag(ufrag);
  }

  /** Stops routing new addresses by `ufrag`; returns whether it was this transport's. */
  removeUfrag(ufrag: string): boolean {
    return this.#registration.removeUfrag(ufrag);
  }

  protected override transmit(data: Uint8Array, destination: SocketAddress): void {
    this.#host.transmit(data, destination);
  }

  protected override release(): void {
    this.#registration.unregister();
    this.#host.detach(this);
  }
}
