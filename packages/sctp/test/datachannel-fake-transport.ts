/**
 * An in-memory stand-in for a pair of SCTP associations, for the data channel tests: each side's
 * `send()` and `resetStream()` are queued in order, and `step`/`flush` hand them to the other
 * side's manager as the association's events would (with `buffered-amount` reports to the
 * sender). `drop` makes the link lose messages, as PR-SCTP abandons them.
 */

import {
  DataChannelManager,
  type DtlsRole,
  type OutgoingMessage,
  type RTCDataChannel,
  type SctpStreamTransport,
} from '../src/datachannel/index.js';
import { SctpError } from '../src/errors.js';

type Queued =
  | { readonly kind: 'message'; readonly message: OutgoingMessage }
  | { readonly kind: 'reset'; readonly streamId: number };

export class FakeStreamTransport implements SctpStreamTransport {
  maxMessageSize = 65536;
  established = false;
  /** When set, `send` throws `SctpError` as an association does when it cannot take a message. */
  refuse = false;
  /** Everything `send` accepted, in order. */
  readonly sent: OutgoingMessage[] = [];
  readonly resets: number[] = [];
  readonly queue: Queued[] = [];

  send(message: OutgoingMessage): void {
    if (!this.established || this.refuse) throw new SctpError('cannot send');
    if (message.data.length > this.maxMessageSize) throw new SctpError('too large');
    this.sent.push(message);
    this.queue.push({ kind: 'message', message });
  }

  bufferedAmount(streamId: number): number {
    let bytes = 0;
    for (const item of this.queue) {
      if (item.kind === 'message' && item.message.streamId === streamId) {
        bytes += item.message.data.length;
      }
    }
    return bytes;
  }

  resetStream(streamId: number): void {
    this.resets.push(streamId);
    this.queue.push({ kind: 'reset', streamId });
  }
}

export interface Side {
  readonly transport: FakeStreamTransport;
  readonly manager: DataChannelManager;
  /** Channels the peer opened, in `datachannel` order. */
  readonly remoteChannels: RTCDataChannel[];
}

function side(): Side {
  const manager = new DataChannelManager();
  const remoteChannels: RTCDataChannel[] = [];
  manager.on('datachannel', (channel) => remoteChannels.push(channel));
  return { transport: new FakeStreamTransport(), manager, remoteChannels };
}

export class FakeLink {
  /** The DTLS client (even ids). */
  readonly a: Side = side();
  /** The DTLS server (odd ids). */
  readonly b: Side = side();
  /** Messages for which this returns true are lost on the way. */
  drop: (message: OutgoingMessage) => boolean = () => false;

  constructor(options: { attach?: boolean } = {}) {
    if (options.attach ?? true) this.attach();
  }

  attach(): void {
    this.a.manager.attach(this.a.transport, 'client' satisfies DtlsRole);
    this.b.manager.attach(this.b.transport, 'server' satisfies DtlsRole);
  }

  establish(): void {
    for (const { transport, manager } of [this.a, this.b]) {
      transport.established = true;
      manager.handleEvent({ type: 'established' });
    }
  }

  /** Delivers the next thing `from` queued; false when it had nothing. */
  step(from: Side): boolean {
    const to = from === this.a ? this.b : this.a;
    const item = from.transport.queue.shift();
    if (item === undefined) return false;
    if (item.kind === 'reset') {
      to.manager.handleEvent({ type: 'stream-reset', streamIds: [item.streamId] });
      return true;
    }
    const { streamId, ppid, data, unordered } = item.message;
    const bufferedAmount = from.transport.bufferedAmount(streamId);
    from.manager.handleEvent({ type: 'buffered-amount', streamId, bufferedAmount });
    if (!this.drop(item.message)) {
      to.manager.handleEvent({ type: 'message', streamId, ppid, data, unordered });
    }
    return true;
  }

  /** Delivers everything, both ways, until neither side has anything queued. */
  flush(): void {
    for (let rounds = 0; rounds < 1_000_000; rounds++) {
      const movedA = this.step(this.a);
      const movedB = this.step(this.b);
      if (!movedA && !movedB) return;
    }
    throw new Error('the link never went quiet');
  }
}

/** Records the events dispatched at a channel, by type, in order. */
export function recordEvents(channel: RTCDataChannel): string[] {
  const seen: string[] = [];
  for (const type of ['open', 'message', 'bufferedamountlow', 'error', 'closing', 'close']) {
    channel.addEventListener(type, () => seen.push(type));
  }
  return seen;
}

/** Collects the `data` of a channel's message events. */
export function recordMessages(channel: RTCDataChannel): unknown[] {
  const received: unknown[] = [];
  channel.addEventListener('message', (event) => received.push((event as MessageEvent).data));
  return received;
}

/** Lets queued microtasks (W3C queued tasks) run. */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}
