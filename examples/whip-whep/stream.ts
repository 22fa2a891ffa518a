/**
 * One stream: the publisher's media (a WHIP session, RFC 9725) forwarded to every player (WHEP
 * sessions, draft-ietf-wish-whep). There is no transcoding: each RTP packet the publisher's
 * remote track receives is written to each player's local track of that kind, with the payload
 * type the player's own answer gave that codec (RFC 3264 §6.1: RTP sent to a peer uses the
 * peer's numbering, and a publisher such as OBS numbers H.264 differently from Chromium).
 *
 * Keyframes: a player that joins, or whose decoder asks (PLI/FIR), gets one by a keyframe
 * request to the publisher, since only the publisher's encoder can make one.
 */

import {
  type MediaKind,
  type MediaStreamTrack,
  parseH264ProfileLevelId,
  type RTCRtpCodecParameters,
  type RTCRtpReceiver,
  type RTCRtpSender,
  type RtpListener,
} from '@typertc/peerconnection';

type RtpPacket = Parameters<RtpListener>[0];

function fmtp(line: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (line ?? '').split(';')) {
    const [key, value] = part.split('=');
    if (key !== undefined && key.trim() !== '') out.set(key.trim().toLowerCase(), value ?? '');
  }
  return out;
}

/** Whether a player can take what the publisher sends in `codec` as the same bitstream. */
function sameCodec(a: RTCRtpCodecParameters, b: RTCRtpCodecParameters): boolean {
  if (a.mimeType.toLowerCase() !== b.mimeType.toLowerCase() || a.clockRate !== b.clockRate) {
    return false;
  }
  if ((a.channels ?? 1) !== (b.channels ?? 1)) return false;
  const mime = a.mimeType.toLowerCase();
  const pa = fmtp(a.sdpFmtpLine);
  const pb = fmtp(b.sdpFmtpLine);
  if (mime === 'video/h264') {
    // RFC 6184 §8.1: the packetization mode must agree; the profile (not the level) too.
    const profile = (p: Map<string, string>) =>
      parseH264ProfileLevelId(p.get('profile-level-id'))?.profile;
    return (
      (pa.get('packetization-mode') ?? '0') === (pb.get('packetization-mode') ?? '0') &&
      profile(pa) === profile(pb)
    );
  }
  if (mime === 'video/vp9') return (pa.get('profile-id') ?? '0') === (pb.get('profile-id') ?? '0');
  return true;
}

/** A WHEP session's output: a local track and sender per kind that it plays. */
export class Player {
  readonly #senders = new Map<MediaKind, RTCRtpSender>();
  /** The publisher's codec (mime, rate, fmtp) → our payload type for it, or undefined: none. */
  readonly #payloadTypes = new Map<string, number | undefined>();
  /** Packets of a codec this player's answer did not negotiate. */
  dropped = 0;

  constructor(senders: readonly RTCRtpSender[]) {
    for (const sender of senders) {
      const kind = sender.track?.kind;
      if (kind !== undefined && !this.#senders.has(kind)) this.#senders.set(kind, sender);
    }
  }

  forward(kind: MediaKind, packet: RtpPacket, codec: RTCRtpCodecParameters): void {
    const sender = this.#senders.get(kind);
    const track: MediaStreamTrack | null | undefined = sender?.track;
    if (sender === undefined || track === null || track === undefined) return;
    const key = `${codec.mimeType}/${codec.clockRate}/${codec.channels ?? 1}/${codec.sdpFmtpLine}`;
    if (!this.#payloadTypes.has(key)) {
      const ours = sender.getParameters().codecs;
      const exact = ours.find((c) => sameCodec(c, codec) && c.sdpFmtpLine === codec.sdpFmtpLine);
      this.#payloadTypes.set(key, (exact ?? ours.find((c) => sameCodec(c, codec)))?.payloadType);
    }
    const payloadType = this.#payloadTypes.get(key);
    if (payloadType === undefined) {
      this.dropped++;
      return;
    }
    // writeRtp copies the header, so the publisher's packet is only borrowed for the call.
    const original = packet.payloadType;
    packet.payloadType = payloadType;
    track.writeRtp(packet);
    packet.payloadType = original;
  }
}

/** What publishes to a stream: a WHIP session. */
export interface Publisher {
  close(): void;
}

/** A stream's one publisher and its players. */
export class Stream {
  readonly players = new Set<Player>();
  /** Sessions being set up for the stream, not yet its publisher or among its players. */
  joining = 0;
  /** The session publishing now (RFC 9725 §4.4.2: one MediaStream, one audio and one video). */
  #publisher: Publisher | undefined;
  #videoReceiver: RTCRtpReceiver | undefined;
  #unsubscribe: (() => void)[] = [];

  constructor(readonly name: string) {}

  get publisher(): Publisher | undefined {
    return this.#publisher;
  }

  /** Nobody publishes or plays: the server forgets the stream. */
  get idle(): boolean {
    return this.#publisher === undefined && this.players.size === 0 && this.joining === 0;
  }

  /**
   * `owner` publishes from now on, and the previous publisher's session ends: a client that
   * reconnects (OBS after a network change) takes over from its old, perhaps dead, session.
   */
  publish(owner: Publisher): void {
    const previous = this.#publisher;
    this.unpublish(previous);
    this.#publisher = owner;
    previous?.close();
  }

  unpublish(owner: Publisher | undefined): void {
    if (owner === undefined || owner !== this.#publisher) return;
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#publisher = undefined;
    this.#videoReceiver = undefined;
  }

  /** A track of `owner`'s: each packet, with its codec, to every player. */
  addPublisherTrack(owner: Publisher, track: MediaStreamTrack, receiver: RTCRtpReceiver): void {
    if (owner !== this.#publisher) return;
    const kind = track.kind;
    const codecs = new Map<number, RTCRtpCodecParameters>();
    this.#unsubscribe.push(
      track.on('rtp', (packet) => {
        let codec = codecs.get(packet.payloadType);
        if (codec === undefined) {
          for (const c of receiver.getParameters().codecs) codecs.set(c.payloadType, c);
          codec = codecs.get(packet.payloadType);
          if (codec === undefined) return;
        }
        for (const player of this.players) player.forward(kind, packet, codec);
      }),
    );
    if (kind === 'video') {
      this.#videoReceiver = receiver;
      // Players already waiting start with this publisher's next keyframe.
      if (this.players.size > 0) receiver.requestKeyFrame();
    }
  }

  /** A PLI (or FIR) to the publisher, for a player that joined or lost its picture. */
  requestKeyFrame(): void {
    this.#videoReceiver?.requestKeyFrame();
  }
}
