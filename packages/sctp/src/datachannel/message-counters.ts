/**
 * The message and byte counters of one data channel, as webrtc-stats RTCDataChannelStats defines
 * messagesSent, bytesSent, messagesReceived and bytesReceived: one per API message
 * (a `send()` handed to the transport, a `message` event dispatched) and the message's payload
 * bytes, without SCTP or DCEP headers, so an empty message counts as one message of 0 bytes even
 * though it travels as one byte (RFC 8831 §6.6). Plain number fields, incremented on the data
 * path: nothing is allocated per message.
 */

/** A snapshot of a channel's counters (not W3C API on the channel; read by `getStats()`). */
export interface DataChannelStats {
  readonly messagesSent: number;
  readonly bytesSent: number;
  readonly messagesReceived: number;
  readonly bytesReceived: number;
}

export class MessageCounters {
  #messagesSent = 0;
  #bytesSent = 0;
  #messagesReceived = 0;
  #bytesReceived = 0;

  /** A user message of `bytes` payload bytes was handed to the transport. */
  sent(bytes: number): void {
    this.#messagesSent++;
    this.#bytesSent += bytes;
  }

  /** A user message of `bytes` payload bytes is dispatched as a `message` event. */
  received(bytes: number): void {
    this.#messagesReceived++;
    this.#bytesReceived += bytes;
  }

  /** A fresh plain object, so the caller cannot alter the counters. */
  snapshot(): DataChannelStats {
    return {
      messagesSent: this.#messagesSent,
      bytesSent: this.#bytesSent,
      messagesReceived: this.#messagesReceived,
      bytesReceived: this.#bytesReceived,
    };
  }
}
