/**
 * `SctpTransport`: SCTP over a datagram transport (RFC 8261: over a `DtlsTransport`) with the
 * data channels on it (RFC 8831) — what the W3C `RTCSctpTransport` and a peer connection's
 * `createDataChannel` stand on.
 *
 *     const sctp = SctpTransport.create({ transport: dtls, role: 'client', maxMessageSize });
 *     const channel = sctp.createDataChannel('chat');
 *     sctp.on('datachannel', (channel) => ...);  // opened by the peer
 *
 * Both sides connect at once, as WebRTC peers do (RFC 8841: no side is told to listen); the
 * association's simultaneous-open handling makes one association of it.
 */

import { type DatagramTransport, Emitter, RealClock, type Scheduler } from '@typertc/common';
import { SctpAssociation } from '../association/association.js';
import type { SctpAssociationOptions, SctpEvent, SctpState } from '../association/options.js';
import { DataChannelManager, type DtlsRole } from '../datachannel/channel-manager.js';
import type { RTCDataChannelInit } from '../datachannel/channel-parameters.js';
import type { RTCDataChannel } from '../datachannel/data-channel.js';
import type { OutgoingMessage, SctpStreamTransport } from '../datachannel/stream-transport.js';
import { AssociationDriver } from './association-driver.js';

export interface SctpTransportOptions extends SctpAssociationOptions {
  readonly transport: DatagramTransport;
  /** Our DTLS role: the client's channels get even stream ids, the server's odd (RFC 8832 §6). */
  readonly role: DtlsRole;
  /** The peer's `a=max-message-size` (RFC 8841 §6); default ours. */
  readonly remoteMaxMessageSize?: number;
  /** Time and timers; default the real clock. */
  readonly scheduler?: Scheduler;
  /**
   * The data channels to run over this association: a peer connection makes its manager
   * first, since channels may be created before any association exists. Default a new one.
   */
  readonly channels?: DataChannelManager;
}

export interface SctpTransportEvents {
  /** The peer opened a data channel. */
  datachannel: (channel: RTCDataChannel) => void;
  /** The association's state changed (`established`, `closed` ...). */
  state: (state: SctpState) => void;
}

export class SctpTransport {
  readonly association: SctpAssociation;
  readonly channels: DataChannelManager;
  readonly #driver: AssociationDriver;
  readonly #events = new Emitter<SctpTransportEvents>();
  #lastState: SctpState;

  static create(options: SctpTransportOptions): SctpTransport {
    return new SctpTransport(options);
  }

  private constructor(options: SctpTransportOptions) {
    const { transport, role, remoteMaxMessageSize, scheduler, channels, ...associationOptions } =
      options;
    this.channels = channels ?? new DataChannelManager();
    // RFC 8261: this transport is DTLS, so offer zero checksums (RFC 9653) unless told not to.
    const association = new SctpAssociation({ zeroChecksum: true, ...associationOptions });
    if (remoteMaxMessageSize !== undefined) {
      association.maxMessageSize = Math.min(association.maxMessageSize, remoteMaxMessageSize);
    }
    this.association = association;
    this.#lastState = association.state;
    this.#driver = new AssociationDriver(
      association,
      transport,
      (event) => this.#onEvent(event),
      scheduler ?? new RealClock(),
    );
    const driver = this.#driver;
    // The data channels' view of the association: sends carry the time (the association's
    // last input may be long past) and are followed by a drain.
    const streams: SctpStreamTransport = {
      get maxMessageSize() {
        return association.maxMessageSize;
      },
      get established() {
        return association.established;
      },
      send(message: OutgoingMessage) {
        association.send(message, driver.now);
        driver.schedule();
      },
      bufferedAmount: (streamId) => association.bufferedAmount(streamId),
      resetStream(streamId) {
        association.resetStream(streamId, driver.now);
        driver.schedule();
      },
    };
    this.channels.attach(streams, role);
    this.channels.on('datachannel', (channel) => this.#events.emit('datachannel', channel));
    association.connect(driver.now);
    driver.schedule();
  }

  get state(): SctpState {
    return this.association.state;
  }

  /** Largest message a data channel may send (W3C `RTCSctpTransport.maxMessageSize`). */
  get maxMessageSize(): number {
    return this.association.maxMessageSize;
  }

  createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
    return this.channels.createDataChannel(label, init);
  }

  on<K extends keyof SctpTransportEvents>(event: K, listener: SctpTransportEvents[K]): () => void {
    return this.#events.on(event, listener);
  }

  /** Closes every channel and shuts the association down gracefully (RFC 9260 §9.2). */
  close(): void {
    this.channels.close();
    this.association.shutdown(this.#driver.now);
    this.#driver.drainNow();
  }

  /** Ends everything at once: ABORT to the peer, timers stopped. */
  abort(reason?: string): void {
    this.channels.close();
    this.association.abort(reason);
    this.#driver.drainNow();
    this.#driver.stop();
  }

  #onEvent(event: SctpEvent): void {
    this.channels.handleEvent(event);
    const state = this.association.state;
    if (state !== this.#lastState) {
      this.#lastState = state;
      this.#events.emit('state', state);
    }
    if (event.type === 'closed' || event.type === 'aborted') this.#driver.stop();
  }
}
