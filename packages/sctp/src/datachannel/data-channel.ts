/**
 * `RTCDataChannel` (W3C WebRTC §6.2): one data channel, a pair of SCTP streams with the same id
 * (RFC 8831 §6.4), as the application sees it.
 *
 * Channels are made by `DataChannelManager`, which routes the association's events to them
 * through the methods marked "manager". Events caused by the network are dispatched
 * synchronously while the manager handles the association's event; events that follow an
 * application call (`open` after `createDataChannel` on a connected association, `close` after
 * `close()` on a channel that never reached the network) are dispatched from a microtask, as
 * W3C queues a task for them, so a listener added right after the call still sees them.
 *
 * `binaryType` defaults to "arraybuffer", as the W3C specification now has it (and Chrome,
 * Firefox and Safari do); "blob" delivers Node's `Blob`.
 */

import { SctpError } from '../errors.js';
import { BufferedAmount } from './buffered-amount.js';
import type { DataChannelParameters, RTCPriorityType } from './channel-parameters.js';
import { openMessageFor } from './channel-parameters.js';
import { encodeDcepMessage } from './dcep.js';
import { RTCError, RTCErrorEvent } from './events.js';
import { type DataChannelStats, MessageCounters } from './message-counters.js';
import { IncomingUserMessages, Ppid, type UserMessage, userPayload } from './ppid.js';
import type { SctpStreamTransport } from './stream-transport.js';

export type RTCDataChannelState = 'connecting' | 'open' | 'closing' | 'closed';
export type BinaryType = 'blob' | 'arraybuffer';
export type EventHandler<E extends Event = Event> =
  | ((this: RTCDataChannel, event: E) => unknown)
  | null;

/** What a channel tells the manager that owns it. */
export interface DataChannelHost {
  /** The channel is closed: its stream id may be used again. */
  channelClosed(channel: RTCDataChannel): void;
  /** `readyState` went from `from` to `to` (for the peer connection's channel counts). */
  readyStateChanged(from: RTCDataChannelState, to: RTCDataChannelState): void;
}

const utf8Encoder = new TextEncoder();
// W3C §6.2 receiving: text is decoded as UTF-8, malformed bytes become U+FFFD.
const utf8Decoder = new TextDecoder();
const DCEP_ACK = encodeDcepMessage({ type: 'ack' });

export class RTCDataChannel extends EventTarget {
  /** Messages that arrived in the turn the channel was announced (see `announceOpen`). */
  #heldMessages: (string | ArrayBuffer | Blob)[] | undefined;
  readonly #parameters: DataChannelParameters;
  readonly #host: DataChannelHost;
  #id: number | null;
  #readyState: RTCDataChannelState = 'connecting';
  /** Set once the association is established and the channel uses its stream. */
  #transport: SctpStreamTransport | undefined;
  /**
   * RFC 8832 §6: until the peer has sent anything on the channel (the DATA_CHANNEL_ACK or any
   * message), it may not have the DATA_CHANNEL_OPEN, so everything is sent ordered behind it.
   */
  #awaitingAck = false;
  readonly #buffered = new BufferedAmount();
  #bufferedAmountLowThreshold = 0;
  #binaryType: BinaryType = 'arraybuffer';
  readonly #incoming = new IncomingUserMessages();
  readonly #counters = new MessageCounters();
  /** Messages waiting behind a Blob being read, in `send()` order (W3C §6.2 send, Blob). */
  readonly #waiting: (Blob | UserMessage)[] = [];
  readonly #handlers = new Map<string, { handler: EventHandler; listener: (e: Event) => void }>();

  /** Made by `DataChannelManager`; not for applications. */
  constructor(parameters: DataChannelParameters, host: DataChannelHost) {
    super();
    this.#parameters = parameters;
    this.#host = host;
    this.#id = parameters.id;
  }

  get label(): string {
    return this.#parameters.label;
  }
  get ordered(): boolean {
    return this.#parameters.ordered;
  }
  get maxPacketLifeTime(): number | null {
    return this.#parameters.maxPacketLifeTime;
  }
  get maxRetransmits(): number | null {
    return this.#parameters.maxRetransmits;
  }
  get protocol(): string {
    return this.#parameters.protocol;
  }
  get negotiated(): boolean {
    return this.#parameters.negotiated;
  }
  get priority(): RTCPriorityType {
    return this.#parameters.priority;
  }
  /** The stream id; null until chosen for an in-band channel (W3C §6.2 step 18). */
  get id(): number | null {
    return this.#id;
  }
  get readyState(): RTCDataChannelState {
    return this.#readyState;
  }
  get bufferedAmount(): number {
    return this.#buffered.value;
  }
  get bufferedAmountLowThreshold(): number {
    return this.#bufferedAmountLowThreshold;
  }
  set bufferedAmountLowThreshold(value: number) {
    // WebIDL unsigned long conversion.
    this.#bufferedAmountLowThreshold = Number(value) >>> 0;
  }
  get binaryType(): BinaryType {
    return this.#binaryType;
  }
  set binaryType(value: BinaryType) {
    // WebIDL: assigning a value outside an enumeration is ignored.
    if (value === 'blob' || value === 'arraybuffer') this.#binaryType = value;
  }
  /** Not W3C API: the message and byte counts `getStats()` reports (webrtc-stats). */
  get stats(): DataChannelStats {
    return this.#counters.snapshot();
  }

  get onopen(): EventHandler {
    return this.#handler('open');
  }
  set onopen(handler: EventHandler) {
    this.#setHandler('open', handler);
  }
  get onbufferedamountlow(): EventHandler {
    return this.#handler('bufferedamountlow');
  }
  set onbufferedamountlow(handler: EventHandler) {
    this.#setHandler('bufferedamountlow', handler);
  }
  get onerror(): EventHandler<RTCErrorEvent> {
    return this.#handler('error');
  }
  set onerror(handler: EventHandler<RTCErrorEvent>) {
    this.#setHandler('error', handler);
  }
  get onclosing(): EventHandler {
    return this.#handler('closing');
  }
  set onclosing(handler: EventHandler) {
    this.#setHandler('closing', handler);
  }
  get onclose(): EventHandler {
    return this.#handler('close');
  }
  set onclose(handler: EventHandler) {
    this.#setHandler('close', handler);
  }
  get onmessage(): EventHandler<MessageEvent> {
    return this.#handler('message');
  }
  set onmessage(handler: EventHandler<MessageEvent>) {
    this.#setHandler('message', handler);
  }

  /**
   * W3C §6.2 send(): throws `InvalidStateError` unless open, `TypeError` over the transport's
   * maxMessageSize, `OperationError` when the transport refuses the message.
   */
  send(data: string | ArrayBuffer | ArrayBufferView | Blob): void {
    if (this.#readyState !== 'open') {
      throw new DOMException(`data channel is ${this.#readyState}`, 'InvalidStateError');
    }
    const maxMessageSize = (this.#transport as SctpStreamTransport).maxMessageSize;
    const message = data instanceof Blob ? data : userMessageOf(data);
    const size = message instanceof Blob ? message.size : message.data.length;
    if (size > maxMessageSize) {
      throw new TypeError(`message of ${size} bytes is over maxMessageSize ${maxMessageSize}`);
    }
    if (message instanceof Blob || this.#waiting.length > 0) {
      this.#waiting.push(message);
      this.#buffered.add(size);
      if (this.#waiting.length === 1) void this.#sendWaiting();
      return;
    }
    try {
      this.#transmit(message);
    } catch (error) {
      if (!(error instanceof SctpError)) throw error;
      throw new DOMException(error.message, 'OperationError');
    }
    this.#buffered.add(size);
  }

  /** W3C §6.2.4 close(): starts the closing procedure (RFC 8831 §6.7: reset our stream). */
  close(): void {
    if (this.#readyState === 'closing' || this.#readyState === 'closed') return;
    this.#setReadyState('closing');
    this.#waiting.length = 0;
    if (this.#transport === undefined) {
      // The stream was never used: nothing to reset.
      queueMicrotask(() => this.#closed());
      return;
    }
    this.#resetStream();
  }

  /** Manager: the chosen stream id of an in-band channel. */
  assignId(id: number): void {
    this.#id = id;
  }

  /**
   * Manager: the association is established. An in-band channel announces itself with
   * DATA_CHANNEL_OPEN (RFC 8832 §6) and, like a negotiated one, is open at once: data may
   * follow the OPEN without waiting for the ACK.
   */
  connect(transport: SctpStreamTransport, announce: 'now' | 'queued'): void {
    if (this.#readyState !== 'connecting' || this.#transport !== undefined) return;
    this.#transport = transport;
    if (!this.negotiated) {
      this.#awaitingAck = true;
      if (!this.#sendControl(encodeDcepMessage(openMessageFor(this.#parameters)))) return;
    }
    if (announce === 'now') this.announceOpen();
    else queueMicrotask(() => this.announceOpen());
  }

  /**
   * Manager: the peer opened this channel; acknowledge it (RFC 8832 §6). W3C §6.2: the channel
   * is open before the `datachannel` event; `announceOpen()` fires `open` after it. False when
   * the ACK could not be sent (the channel then failed).
   */
  accept(transport: SctpStreamTransport): boolean {
    this.#transport = transport;
    if (!this.#sendControl(DCEP_ACK)) return false;
    this.#setReadyState('open');
    return true;
  }

  /**
   * Manager: fires `open` (W3C "announce the data channel as open"). For a channel the peer
   * opened (`holdMessages`), W3C §6.2 queues a task per message after the task that fired
   * `datachannel`: a listener that awaits something before setting `onmessage` still gets the
   * messages that came with the DATA_CHANNEL_OPEN. Those wait for the next macrotask; later
   * ones are dispatched as they come.
   */
  announceOpen(holdMessages = false): void {
    if (this.#readyState === 'closing' || this.#readyState === 'closed') return;
    this.#setReadyState('open');
    if (holdMessages) {
      this.#heldMessages = [];
      setImmediate(() => this.#releaseHeldMessages());
    }
    this.dispatchEvent(new Event('open'));
  }

  /** Manager: DATA_CHANNEL_ACK arrived (RFC 8832 §6). */
  handleAck(): void {
    this.#awaitingAck = false;
  }

  /** Manager: a user message arrived on the channel's stream. */
  handleMessage(ppid: number, data: Uint8Array): void {
    // RFC 8832 §6: any message from the peer shows that it has the DATA_CHANNEL_OPEN.
    this.#awaitingAck = false;
    // W3C §6.2 receiving: messages are discarded unless the channel is open.
    if (this.#readyState !== 'open') return;
    const maxMessageSize = (this.#transport as SctpStreamTransport).maxMessageSize;
    const message = this.#incoming.receive(ppid, data, maxMessageSize);
    if (message === undefined) return;
    this.#counters.received(message.data.length);
    const eventData = this.#eventData(message);
    if (this.#heldMessages !== undefined) this.#heldMessages.push(eventData);
    else this.dispatchEvent(new MessageEvent('message', { data: eventData }));
  }

  #releaseHeldMessages(): void {
    const held = this.#heldMessages ?? [];
    this.#heldMessages = undefined;
    for (const data of held) this.dispatchEvent(new MessageEvent('message', { data }));
  }

  /** Manager: the association reports what it still queues of this stream. */
  handleBufferedAmount(queued: number): void {
    const before = this.#buffered.value;
    this.#buffered.update(queued);
    const threshold = this.#bufferedAmountLowThreshold;
    // W3C §6.2: fired when bufferedAmount falls from above the threshold to at or below it.
    if (before > threshold && this.#buffered.value <= threshold) {
      this.dispatchEvent(new Event('bufferedamountlow'));
    }
  }

  /**
   * Manager: the peer reset its outgoing stream (RFC 8831 §6.7). If we had not started closing,
   * the peer did: `closing`, then reset our side too; either way both sides are now done.
   */
  handleStreamReset(): void {
    if (this.#readyState === 'closed') return;
    if (this.#readyState !== 'closing') {
      this.#setReadyState('closing');
      this.#waiting.length = 0;
      this.dispatchEvent(new Event('closing'));
      this.#resetStream();
    }
    this.#closed();
  }

  /**
   * Manager: the channel's transport is gone (the association ended, or no stream id was left
   * for it): `closed` now, with an `error` event first when `error` says why (W3C §6.2.4).
   */
  terminate(error?: RTCError): void {
    this.#closed(error);
  }

  /** Manager: the peer connection closed: `closed` without any event (W3C §4.4.1.6). */
  abandon(): void {
    this.#setReadyState('closed');
    this.#waiting.length = 0;
  }

  /** Throws `SctpError` when the transport refuses the message. */
  #transmit(message: UserMessage): void {
    const payload = userPayload(message);
    this.#sendOnStream(payload.ppid, payload.data, false);
    this.#buffered.handOver(payload.data.length, message.data.length);
    this.#counters.sent(message.data.length);
  }

  #setReadyState(state: RTCDataChannelState): void {
    const before = this.#readyState;
    if (state === before) return;
    this.#readyState = state;
    this.#host.readyStateChanged(before, state);
  }

  /** Sends DCEP; false (and the channel failed) when the transport refuses. */
  #sendControl(data: Uint8Array): boolean {
    try {
      this.#sendOnStream(Ppid.dcep, data, true);
    } catch (error) {
      if (!(error instanceof SctpError)) throw error;
      this.#closed(new RTCError({ errorDetail: 'data-channel-failure' }, error.message));
      return false;
    }
    this.#buffered.handOver(data.length, 0);
    return true;
  }

  #sendOnStream(ppid: number, data: Uint8Array, control: boolean): void {
    const parameters = this.#parameters;
    // RFC 8832 §6: DCEP messages are ordered and reliable; user messages follow the channel.
    const unordered = !control && !parameters.ordered && !this.#awaitingAck;
    const reliability = control
      ? {}
      : parameters.maxRetransmits !== null
        ? { maxRetransmits: parameters.maxRetransmits }
        : parameters.maxPacketLifeTime !== null
          ? { maxLifetimeMs: parameters.maxPacketLifeTime }
          : {};
    (this.#transport as SctpStreamTransport).send({
      streamId: this.#id as number,
      ppid,
      data,
      unordered,
      ...reliability,
    });
  }

  /** Hands over the messages queued behind Blobs, reading each Blob in turn. */
  async #sendWaiting(): Promise<void> {
    try {
      while (this.#waiting.length > 0) {
        const next = this.#waiting[0] as Blob | UserMessage;
        const message =
          next instanceof Blob
            ? { binary: true, data: new Uint8Array(await next.arrayBuffer()) }
            : next;
        // Closing empties the queue: what was waiting is not sent.
        if (this.#readyState !== 'open') return;
        this.#waiting.shift();
        this.#transmit(message);
      }
    } catch (error) {
      // No caller to throw to: the channel fails.
      if (this.#readyState !== 'open') return;
      const reason = error instanceof Error ? error.message : String(error);
      const rtcError = new RTCError({ errorDetail: 'data-channel-failure' }, reason);
      this.dispatchEvent(new RTCErrorEvent('error', { error: rtcError }));
      this.close();
    }
  }

  #resetStream(): void {
    try {
      this.#transport?.resetStream(this.#id as number);
    } catch (error) {
      // The association is ending; its `closed` or `aborted` event closes the channel.
      if (!(error instanceof SctpError)) throw error;
    }
  }

  /** W3C §6.2.4 "the underlying data transport has been closed". */
  #closed(error?: RTCError): void {
    if (this.#readyState === 'closed') return;
    this.#setReadyState('closed');
    this.#waiting.length = 0;
    this.#host.channelClosed(this);
    if (error !== undefined) this.dispatchEvent(new RTCErrorEvent('error', { error }));
    this.dispatchEvent(new Event('close'));
  }

  #eventData(message: UserMessage): string | ArrayBuffer | Blob {
    if (!message.binary) return utf8Decoder.decode(message.data);
    if (this.#binaryType === 'blob') return new Blob([message.data]);
    // The association hands out messages it copied out of the packets: one that fills its own
    // buffer can be given away as is.
    const data = message.data;
    const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    return whole && data.buffer instanceof ArrayBuffer ? data.buffer : data.slice().buffer;
  }

  #handler<E extends Event>(type: string): EventHandler<E> {
    return (this.#handlers.get(type)?.handler ?? null) as EventHandler<E>;
  }

  /** HTML event handler attributes: one listener, added when a handler is first set. */
  #setHandler<E extends Event>(type: string, handler: EventHandler<E>): void {
    const existing = this.#handlers.get(type);
    if (typeof handler !== 'function') {
      if (existing !== undefined) this.removeEventListener(type, existing.listener);
      this.#handlers.delete(type);
      return;
    }
    if (existing !== undefined) {
      existing.handler = handler as EventHandler;
      return;
    }
    const entry = {
      handler: handler as EventHandler,
      listener: (event: Event) => entry.handler?.call(this, event),
    };
    this.#handlers.set(type, entry);
    this.addEventListener(type, entry.listener);
  }
}

/** W3C §6.2 send(): the bytes of `data`, copied, since the caller may reuse its buffer. */
function userMessageOf(data: string | ArrayBuffer | ArrayBufferView): UserMessage {
  if (typeof data === 'string') return { binary: false, data: utf8Encoder.encode(data) };
  if (data instanceof ArrayBuffer) return { binary: true, data: new Uint8Array(data.slice(0)) };
  if (ArrayBuffer.isView(data)) {
    return {
      binary: true,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice(),
    };
  }
  // WebIDL overload resolution: anything else is converted to a string.
  return { binary: false, data: utf8Encoder.encode(String(data)) };
}
