/**
 * The data channels of one SCTP association: creating them (W3C WebRTC §6.2
 * `createDataChannel`), choosing their stream ids, the DCEP handshake (RFC 8832 §6), and routing
 * the association's events to them.
 *
 * A peer connection makes the manager first, since the application may create channels before
 * any association exists, and attaches the association once the DTLS role is known. The driver
 * then hands it every event the association reports:
 *
 *     const manager = new DataChannelManager();
 *     const channel = manager.createDataChannel('chat');    // id null, 'connecting'
 *     manager.attach(association, 'client');                // ids chosen: even for the client
 *     for (let e; (e = association.pollEvent()); ) manager.handleEvent(e);   // 'open'
 */

import { Emitter } from '@typertc/common';
import { SctpError, SctpParseError } from '../errors.js';
import {
  MAX_DATA_CHANNEL_ID,
  parametersFromOpen,
  type RTCDataChannelInit,
  resolveDataChannelInit,
} from './channel-parameters.js';
import { type DataChannelHost, RTCDataChannel, type RTCDataChannelState } from './data-channel.js';
import { type DcepMessage, parseDcepMessage } from './dcep.js';
import { RTCError } from './events.js';
import { Ppid } from './ppid.js';
import type { SctpStreamEvent, SctpStreamTransport } from './stream-transport.js';

/** Our side of the DTLS handshake, which decides the parity of the ids we choose. */
export type DtlsRole = 'client' | 'server';

export interface DataChannelManagerEvents {
  /**
   * The peer opened a channel (W3C: the peer connection's `datachannel` event). The channel is
   * already open; its `open` event is dispatched right after the listeners return.
   */
  datachannel: (channel: RTCDataChannel) => void;
}

/**
 * webrtc-stats RTCPeerConnectionStats: the unique channels that have entered the `open` state
 * (dataChannelsOpened) and that have left it (dataChannelsClosed); a channel closed without ever
 * being open counts in neither.
 */
export interface DataChannelManagerStats {
  readonly dataChannelsOpened: number;
  readonly dataChannelsClosed: number;
}

export class DataChannelManager {
  readonly #events = new Emitter<DataChannelManagerEvents>();
  /** Channels with a stream id, by id. */
  readonly #channels = new Map<number, RTCDataChannel>();
  /** In-band channels created before the DTLS role was known (W3C §6.2 step 18: id null). */
  readonly #unnumbered = new Set<RTCDataChannel>();
  readonly #host: DataChannelHost = {
    channelClosed: (channel) => this.#release(channel),
    readyStateChanged: (from, to) => this.#count(from, to),
  };
  #transport: SctpStreamTransport | undefined;
  #role: DtlsRole | undefined;
  #established = false;
  /** The association ended or the peer connection closed: no more channels. */
  #ended = false;
  /** No id of our parity below this one is free (ids are chosen lowest first). */
  #lowestFreeId = 0;
  #opened = 0;
  #leftOpen = 0;

  on<K extends keyof DataChannelManagerEvents>(
    event: K,
    listener: DataChannelManagerEvents[K],
  ): () => void {
    return this.#events.on(event, listener);
  }

  /** The channel counts of the peer connection's stats (a fresh object each call). */
  get stats(): DataChannelManagerStats {
    return { dataChannelsOpened: this.#opened, dataChannelsClosed: this.#leftOpen };
  }

  /**
   * The channels not yet closed, for their stats (webrtc-stats RTCDataChannelStats). A closed
   * channel is released here, so that its stream id may be used again, and no longer listed.
   */
  get channels(): RTCDataChannel[] {
    return this.#all();
  }

  /**
   * The association the channels run over, and our DTLS role: RFC 8832 §6 has the DTLS client
   * choose even stream ids and the server odd ones. Channels waiting for an id get one now.
   */
  attach(transport: SctpStreamTransport, role: DtlsRole): void {
    if (this.#transport !== undefined) throw new SctpError('an association is already attached');
    if (this.#ended) throw new SctpError('the data channels are closed');
    this.#transport = transport;
    this.#role = role;
    this.#lowestFreeId = role === 'client' ? 0 : 1;
    for (const channel of [...this.#unnumbered]) {
      this.#unnumbered.delete(channel);
      const id = this.#allocateId();
      if (id === undefined) {
        channel.terminate(new RTCError({ errorDetail: 'data-channel-failure' }, 'no free id'));
        continue;
      }
      channel.assignId(id);
      this.#channels.set(id, channel);
    }
    if (transport.established) this.#establish();
  }

  /**
   * W3C WebRTC §6.2 `createDataChannel`. Throws `TypeError` for an invalid init,
   * `InvalidStateError` once closed, `OperationError` when the id is taken or none is free.
   */
  createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
    if (this.#ended) throw new DOMException('the data channels are closed', 'InvalidStateError');
    const parameters = resolveDataChannelInit(label, init);
    let id = parameters.id;
    if (id !== null && this.#channels.has(id)) {
      throw new DOMException(`id ${id} is in use`, 'OperationError');
    }
    if (id === null && this.#role !== undefined) {
      id = this.#allocateId() ?? null;
      if (id === null) throw new DOMException('no stream id is free', 'OperationError');
    }
    const channel = new RTCDataChannel({ ...parameters, id }, this.#host);
    if (id === null) this.#unnumbered.add(channel);
    else this.#channels.set(id, channel);
    if (this.#established) channel.connect(this.#transport as SctpStreamTransport, 'queued');
    return channel;
  }

  /** One event the association reported (its `pollEvent()`). */
  handleEvent(event: SctpStreamEvent): void {
    switch (event.type) {
      case 'established':
        this.#establish();
        return;
      case 'message':
        if (event.ppid === Ppid.dcep) this.#handleDcep(event.streamId, event.data);
        // RFC 8832 §6 would close a stream that carries user data before any OPEN; it is
        // dropped instead, as browsers do, since the app may create a negotiated channel late.
        else this.#channels.get(event.streamId)?.handleMessage(event.ppid, event.data);
        return;
      case 'stream-reset':
        for (const streamId of event.streamIds) this.#channels.get(streamId)?.handleStreamReset();
        return;
      case 'buffered-amount':
        this.#channels.get(event.streamId)?.handleBufferedAmount(event.bufferedAmount);
        return;
      case 'restarted':
        // The peer lost its channels; ours close, and new ones open once established again.
        this.#established = false;
        for (const channel of this.#all()) channel.terminate(sctpFailure('the peer restarted'));
        return;
      case 'closed':
        this.#end(undefined);
        return;
      case 'aborted':
        this.#end(sctpFailure(event.reason));
        return;
    }
  }

  /** The peer connection closed (W3C §4.4.1.6): every channel is closed, without events. */
  close(): void {
    this.#ended = true;
    for (const channel of this.#all()) channel.abandon();
    this.#channels.clear();
    this.#unnumbered.clear();
  }

  #establish(): void {
    if (this.#established) return;
    this.#established = true;
    const transport = this.#transport as SctpStreamTransport;
    for (const channel of [...this.#channels.values()]) channel.connect(transport, 'now');
  }

  #handleDcep(streamId: number, data: Uint8Array): void {
    const channel = this.#channels.get(streamId);
    let message: DcepMessage;
    try {
      message = parseDcepMessage(data);
    } catch (error) {
      if (!(error instanceof SctpParseError)) throw error;
      // RFC 8832 §6: a malformed DATA_CHANNEL_OPEN is refused by closing its stream; a
      // malformed message on a channel's stream is ignored.
      if (channel === undefined) this.#refuse(streamId);
      return;
    }
    if (message.type === 'ack') {
      channel?.handleAck();
      return;
    }
    // RFC 8832 §6: an OPEN on a used stream, or on an id of our parity, closes the channel.
    if (channel !== undefined) {
      channel.close();
      return;
    }
    if (!this.#isPeerId(streamId)) {
      this.#refuse(streamId);
      return;
    }
    const transport = this.#transport as SctpStreamTransport;
    const remote = new RTCDataChannel(parametersFromOpen(streamId, message), this.#host);
    this.#channels.set(streamId, remote);
    if (!remote.accept(transport)) return;
    this.#events.emit('datachannel', remote);
    remote.announceOpen(true);
  }

  /** Closes a stream no channel uses, refusing the peer's DATA_CHANNEL_OPEN on it. */
  #refuse(streamId: number): void {
    try {
      this.#transport?.resetStream(streamId);
    } catch (error) {
      if (!(error instanceof SctpError)) throw error;
    }
  }

  /** RFC 8832 §6: the peer chooses odd ids if we are the DTLS client, even ones if the server. */
  #isPeerId(streamId: number): boolean {
    return streamId % 2 === (this.#role === 'client' ? 1 : 0);
  }

  /** The lowest free id of our parity (RFC 8832 §6), or undefined when none is left. */
  #allocateId(): number | undefined {
    let id = this.#lowestFreeId;
    while (id <= MAX_DATA_CHANNEL_ID && this.#channels.has(id)) id += 2;
    if (id > MAX_DATA_CHANNEL_ID) {
      this.#lowestFreeId = id;
      return undefined;
    }
    this.#lowestFreeId = id + 2;
    return id;
  }

  #release(channel: RTCDataChannel): void {
    this.#unnumbered.delete(channel);
    const id = channel.id;
    if (id === null || this.#channels.get(id) !== channel) return;
    this.#channels.delete(id);
    if (id < this.#lowestFreeId && id % 2 === this.#lowestFreeId % 2) this.#lowestFreeId = id;
  }

  /**
   * A channel's state change, counted as webrtc-stats RTCPeerConnectionStats asks: every state
   * change is one-way (connecting, open, closing, closed), so each channel enters and leaves
   * `open` at most once and the counts are of unique channels.
   */
  #count(from: RTCDataChannelState, to: RTCDataChannelState): void {
    if (to === 'open') this.#opened++;
    else if (from === 'open') this.#leftOpen++;
  }

  /** The association ended: every channel closes, with an error if it aborted (W3C §6.2.4). */
  #end(error: RTCError | undefined): void {
    this.#ended = true;
    for (const channel of this.#all()) channel.terminate(error);
  }

  #all(): RTCDataChannel[] {
    return [...this.#channels.values(), ...this.#unnumbered];
  }
}

function sctpFailure(reason: string): RTCError {
  return new RTCError({ errorDetail: 'sctp-failure' }, reason);
}
