/**
 * The stream API the data channel layer runs over, as the shared design fixes it: what
 * `SctpAssociation` offers (user messages on numbered streams, per-stream buffered bytes,
 * outgoing stream reset) and the events it reports. Data channels code against this interface
 * only, so they are tested over an in-memory fake and run over the real association unchanged.
 */

/**
 * One user message for the association (RFC 9260 §6.1). At most one of `maxRetransmits` and
 * `maxLifetimeMs` is set: the RFC 3758 PR-SCTP policy the message is abandoned under.
 */
export interface OutgoingMessage {
  /** 0..65534. */
  readonly streamId: number;
  /** Payload protocol identifier (RFC 9260 §3.3.1), RFC 8831 §8 values for data channels. */
  readonly ppid: number;
  /** Owned by the transport from here on. */
  readonly data: Uint8Array;
  /** RFC 9260 §6.6: delivered as soon as complete, without waiting for earlier messages. */
  readonly unordered: boolean;
  readonly maxRetransmits?: number;
  readonly maxLifetimeMs?: number;
}

/** Implemented by `SctpAssociation`. */
export interface SctpStreamTransport {
  /** Largest message to send: min(ours, the peer's SDP a=max-message-size). */
  readonly maxMessageSize: number;
  /** Queues a message; throws `SctpError` when not established or over `maxMessageSize`. */
  send(message: OutgoingMessage): void;
  /** Bytes queued by `send()` on the stream and not yet handed to the network. */
  bufferedAmount(streamId: number): number;
  /** RFC 6525 outgoing SSN reset of the stream: how a data channel is closed (RFC 8831 §6.7). */
  resetStream(streamId: number): void;
  readonly established: boolean;
}

/** What the association reports (its `pollEvent()`), as far as data channels are concerned. */
export type SctpStreamEvent =
  | { readonly type: 'established' }
  | {
      readonly type: 'message';
      readonly streamId: number;
      readonly ppid: number;
      readonly data: Uint8Array;
      readonly unordered: boolean;
    }
  /** Incoming resets performed: the peer closed its side of these streams. */
  | { readonly type: 'stream-reset'; readonly streamIds: readonly number[] }
  /** Data of the stream left the send queue; `bufferedAmount` is what is still queued. */
  | { readonly type: 'buffered-amount'; readonly streamId: number; readonly bufferedAmount: number }
  /** The peer restarted the association (RFC 9260 §5.2.4): its channels are gone. */
  | { readonly type: 'restarted' }
  | { readonly type: 'closed' }
  | { readonly type: 'aborted'; readonly reason: string };
