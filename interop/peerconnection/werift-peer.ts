/**
 * werift (the `werift` npm package, an independent TypeScript stack) as the remote peer, in this
 * process, behind the same interface as Chromium's page.
 */

import {
  type RTCDataChannel,
  RTCPeerConnection,
  type RTCIceCandidate as WeriftCandidate,
} from 'werift';
import { PerfectNegotiation } from './perfect-negotiation.js';
import {
  type DataChannelInit,
  type IceCandidateInit,
  patternByte,
  type RemoteEvent,
  RemoteEventLog,
  type RemotePeer,
  type RemoteState,
  type SessionDescriptionInit,
} from './remote-peer.js';

export class WeriftPeer implements RemotePeer {
  readonly name = 'werift';
  readonly #log = new RemoteEventLog();
  readonly #pc: RTCPeerConnection;
  readonly #channels = new Map<string, RTCDataChannel>();
  readonly #received = new Map<string, number>();
  #negotiation: PerfectNegotiation | undefined;
  /**
   * werift emits candidates while setLocalDescription is still running, before the caller can
   * have sent the description they belong to; W3C queues them as tasks after it (§5.3). They
   * are held here until the description is out.
   */
  #deferred: RemoteEvent[] | undefined;

  constructor() {
    // TCP candidates off: werift gathers passive TCP ones by default, which take time to set up
    // and which nothing here uses (TypeRTC does not do ICE-TCP).
    const pc = new RTCPeerConnection({ iceUseTcp: false, iceUseIpv6: false });
    this.#pc = pc;
    const record = (event: RemoteEvent): void => this.#log.record(event);
    pc.onIceCandidate.subscribe((candidate: WeriftCandidate | undefined) => {
      const event: RemoteEvent = {
        type: 'candidate',
        candidate: candidate === undefined ? null : toInit(candidate),
      };
      if (this.#deferred !== undefined) this.#deferred.push(event);
      else record(event);
    });
    pc.onNegotiationneeded.subscribe(() => {
      if (this.#negotiation !== undefined) void this.#negotiation.negotiationNeeded();
      else record({ type: 'negotiationneeded' });
    });
    pc.connectionStateChange.subscribe((state) => record({ type: 'connectionstatechange', state }));
    pc.onDataChannel.subscribe((channel) => {
      this.#adopt(channel);
      record({
        type: 'datachannel',
        label: channel.label,
        id: channel.id,
        ordered: channel.ordered,
        maxRetransmits: channel.maxRetransmits,
        maxPacketLifeTime: channel.maxPacketLifeTime,
        protocol: channel.protocol,
      });
    });
  }

  get events(): readonly RemoteEvent[] {
    return this.#log.events;
  }

  onEvent(listener: (event: RemoteEvent) => void): () => void {
    return this.#log.onEvent(listener);
  }

  async setLocalDescription(description?: SessionDescriptionInit): Promise<SessionDescriptionInit> {
    await this.#setLocal(description);
    setImmediate(() => this.#releaseCandidates());
    return this.#localDescription();
  }

  async #setLocal(description?: SessionDescriptionInit): Promise<void> {
    this.#deferred ??= [];
    await this.#pc.setLocalDescription(description as never);
  }

  #releaseCandidates(): void {
    const deferred = this.#deferred ?? [];
    this.#deferred = undefined;
    for (const event of deferred) this.#log.record(event);
  }

  async setRemoteDescription(description: SessionDescriptionInit): Promise<void> {
    await this.#pc.setRemoteDescription(description as never);
  }

  async addIceCandidate(candidate: IceCandidateInit | null): Promise<void> {
    await this.#pc.addIceCandidate(candidate as never);
  }

  async restartIce(): Promise<void> {
    this.#pc.restartIce();
  }

  async state(): Promise<RemoteState> {
    const pc = this.#pc;
    return {
      signalingState: pc.signalingState,
      connectionState: pc.connectionState,
      iceConnectionState: pc.iceConnectionState,
      maxMessageSize: pc.sctp === null ? null : pc.sctp.maxMessageSize,
    };
  }

  async createDataChannel(label: string, init: DataChannelInit = {}): Promise<void> {
    this.#adopt(this.#pc.createDataChannel(label, init));
  }

  async sendSequence(label: string, prefix: string, count: number): Promise<void> {
    const channel = this.#channel(label);
    for (let i = 0; i < count; i++) channel.send(`${prefix}${i}`);
  }

  async sendPattern(label: string, length: number, seed: number): Promise<void> {
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = patternByte(i, seed);
    this.#channel(label).send(bytes);
  }

  async sendText(label: string, text: string): Promise<void> {
    this.#channel(label).send(text);
  }

  async closeChannel(label: string): Promise<void> {
    this.#channel(label).close();
  }

  async stats(): Promise<Record<string, unknown>[]> {
    const report = await this.#pc.getStats();
    return [...report.values()] as unknown as Record<string, unknown>[];
  }

  async receivedCount(label: string): Promise<number> {
    return this.#received.get(label) ?? 0;
  }

  async perfectNegotiation(polite: boolean): Promise<void> {
    const pc = this.#pc;
    this.#negotiation = new PerfectNegotiation(
      {
        get signalingState() {
          return pc.signalingState;
        },
        get localDescription() {
          return pc.localDescription;
        },
        setLocalDescription: () => this.#setLocal(),
        setRemoteDescription: (description) => pc.setRemoteDescription(description as never),
        addIceCandidate: (candidate) => pc.addIceCandidate(candidate as never),
      },
      polite,
      (message) => {
        if (message.description !== undefined) {
          this.#log.record({ type: 'description', description: message.description });
          this.#releaseCandidates();
        }
      },
      (error) => this.#log.record({ type: 'error', message: String(error) }),
    );
  }

  async signal(message: {
    readonly description?: SessionDescriptionInit;
    readonly candidate?: IceCandidateInit | null;
  }): Promise<void> {
    await this.#negotiation?.receive(message);
  }

  async close(): Promise<void> {
    await this.#pc.close();
  }

  #adopt(channel: RTCDataChannel): void {
    const label = channel.label;
    this.#channels.set(label, channel);
    this.#received.set(label, 0);
    const record = (event: RemoteEvent): void => this.#log.record(event);
    channel.stateChanged.subscribe((state) => {
      if (state === 'open') record({ type: 'channel-open', label });
      else if (state === 'closed') record({ type: 'channel-close', label });
    });
    channel.onMessage.subscribe((data) => {
      this.#received.set(label, (this.#received.get(label) ?? 0) + 1);
      if (label.startsWith('echo')) channel.send(data);
    });
  }

  #channel(label: string): RTCDataChannel {
    const channel = this.#channels.get(label);
    if (channel === undefined) throw new Error(`werift: no channel labelled ${label}`);
    return channel;
  }

  #localDescription(): SessionDescriptionInit {
    const local = this.#pc.localDescription;
    if (local === null) throw new Error('werift: no local description');
    return { type: local.type as SessionDescriptionInit['type'], sdp: local.sdp };
  }
}

function toInit(candidate: WeriftCandidate): IceCandidateInit {
  return {
    candidate: candidate.candidate,
    sdpMid: candidate.sdpMid ?? null,
    sdpMLineIndex: candidate.sdpMLineIndex ?? null,
  };
}
