/**
 * The other side of a peer connection interop test: Chromium in a page or werift in this
 * process, driven through one interface so that a single suite runs against both.
 *
 * Channels are named by label. A remote channel whose label starts with `echo` sends every
 * message back as it came, so the TypeRTC side checks both directions of a transfer itself.
 */

export interface SessionDescriptionInit {
  readonly type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  readonly sdp?: string;
}

export interface IceCandidateInit {
  readonly candidate?: string;
  readonly sdpMid?: string | null;
  readonly sdpMLineIndex?: number | null;
  readonly usernameFragment?: string | null;
}

export interface DataChannelInit {
  readonly ordered?: boolean;
  readonly maxPacketLifeTime?: number;
  readonly maxRetransmits?: number;
  readonly protocol?: string;
  readonly negotiated?: boolean;
  readonly id?: number;
}

/** A channel the remote peer's `datachannel` event announced, with the attributes it read. */
export interface RemoteChannelInfo {
  readonly label: string;
  readonly id: number | null;
  readonly ordered: boolean;
  readonly maxRetransmits: number | null;
  readonly maxPacketLifeTime: number | null;
  readonly protocol: string;
}

/** What the remote peer reports, in the order it happened. */
export type RemoteEvent =
  | { readonly type: 'candidate'; readonly candidate: IceCandidateInit | null }
  | { readonly type: 'negotiationneeded' }
  | { readonly type: 'connectionstatechange'; readonly state: string }
  | ({ readonly type: 'datachannel' } & RemoteChannelInfo)
  | { readonly type: 'channel-open'; readonly label: string }
  | { readonly type: 'channel-close'; readonly label: string }
  /** A description the remote's perfect negotiation wants sent to us. */
  | { readonly type: 'description'; readonly description: SessionDescriptionInit }
  | { readonly type: 'error'; readonly message: string };

export interface RemoteState {
  readonly signalingState: string;
  readonly connectionState: string;
  readonly iceConnectionState: string;
  readonly maxMessageSize: number | null;
}

export interface RemotePeer {
  readonly name: string;
  /** Everything reported so far. */
  readonly events: readonly RemoteEvent[];
  /** Calls `listener` for each event from now on; returns a function that stops it. */
  onEvent(listener: (event: RemoteEvent) => void): () => void;

  setLocalDescription(description?: SessionDescriptionInit): Promise<SessionDescriptionInit>;
  setRemoteDescription(description: SessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate: IceCandidateInit | null): Promise<void>;
  restartIce(): Promise<void>;
  state(): Promise<RemoteState>;

  createDataChannel(label: string, init?: DataChannelInit): Promise<void>;
  /** The strings `${prefix}${i}` for i in 0..count-1, in order, on one channel. */
  sendSequence(label: string, prefix: string, count: number): Promise<void>;
  /** `length` bytes of `patternByte(i, seed)`. */
  sendPattern(label: string, length: number, seed: number): Promise<void>;
  sendText(label: string, text: string): Promise<void>;
  closeChannel(label: string): Promise<void>;
  receivedCount(label: string): Promise<number>;
  /** The peer's own getStats() report, as a list. */
  stats(): Promise<Record<string, unknown>[]>;

  /** Runs the W3C perfect negotiation pattern (WebRTC 1.0 §10.7) on the remote side. */
  perfectNegotiation(polite: boolean): Promise<void>;
  /** A message of that pattern from us: a description or a candidate. */
  signal(message: {
    readonly description?: SessionDescriptionInit;
    readonly candidate?: IceCandidateInit | null;
  }): Promise<void>;

  close(): Promise<void>;
}

/** The byte at `index` of a pattern message: what both sides generate and check. */
export function patternByte(index: number, seed: number): number {
  return (index * 7 + seed) & 0xff;
}

/** Keeps the event log and its listeners; each remote peer reports through `record`. */
export class RemoteEventLog {
  readonly events: RemoteEvent[] = [];
  readonly #listeners = new Set<(event: RemoteEvent) => void>();

  record(event: RemoteEvent): void {
    this.events.push(event);
    for (const listener of this.#listeners) listener(event);
  }

  onEvent(listener: (event: RemoteEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** The first event, past or future, that `predicate` accepts. */
export function waitForRemote(
  peer: RemotePeer,
  predicate: (event: RemoteEvent) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<RemoteEvent> {
  const seen = peer.events.find(predicate);
  if (seen !== undefined) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${peer.name}: timed out waiting for ${what}`));
    }, timeoutMs);
    const stop = peer.onEvent((event) => {
      if (!predicate(event)) return;
      clearTimeout(timer);
      stop();
      resolve(event);
    });
  });
}
