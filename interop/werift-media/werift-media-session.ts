/**
 * The two ends of the werift media tests and the signaling between them, all in this process:
 *
 * - `WeriftMediaPeer`: werift (the npm package) with one audio and one video track it writes
 *   RTP into (`MediaStreamTrack.writeRtp`, werift's own API), counting what comes back on its
 *   remote tracks.
 * - `TypertcEchoPeer`: TypeRTC's `RTCPeerConnection` as docs/media-api.md shows a server using
 *   it: each RTP packet of a remote track is checked, counted and written to a local track of
 *   the same kind, so it goes back to werift.
 * - `negotiate`: one offer/answer with either side offering, candidates trickled both ways.
 */

import { RtpPacket } from '@typertc/rtp-rtcp';
import {
  type RTCIceCandidate as WeriftCandidate,
  RTCPeerConnection as WeriftPeerConnection,
  MediaStreamTrack as WeriftTrack,
  type RTCRtpTransceiver as WeriftTransceiver,
} from 'werift';
import {
  MediaStreamTrack,
  type RTCIceCandidate,
  RTCPeerConnection,
  type RTCPeerConnectionIceEvent,
  type RTCRtpReceiver,
  type RTCTrackEvent,
} from '../../packages/peerconnection/src/index.js';
import { CandidateRelay } from '../peerconnection/candidate-relay.js';

export type Kind = 'audio' | 'video';
export const KINDS: readonly Kind[] = ['audio', 'video'];

/** What one side saw arrive on its remote track of one kind. */
export interface Received {
  packets: number;
  /** Every payload type seen (a set: one value when all is well). */
  readonly payloadTypes: Set<number>;
  /** Packets whose payload was not one werift wrote for this kind (tag byte, length). */
  foreign: number;
}

const received = (): Received => ({ packets: 0, payloadTypes: new Set(), foreign: 0 });

/**
 * The payload werift writes: a tag byte naming the kind (so an echo on the wrong m= line shows)
 * and a counter, then filler to a size like the codec's (an Opus frame, a VP8 packet).
 */
const TAG: Readonly<Record<Kind, number>> = { audio: 0xa0, video: 0xb0 };
const PAYLOAD_BYTES: Readonly<Record<Kind, number>> = { audio: 80, video: 1000 };

function payloadFor(kind: Kind, index: number): Uint8Array {
  const payload = new Uint8Array(PAYLOAD_BYTES[kind]).fill(index & 0xff);
  payload[0] = TAG[kind];
  new DataView(payload.buffer).setUint32(1, index);
  return payload;
}

function isPayloadOf(kind: Kind, payload: Uint8Array): boolean {
  return payload.length === PAYLOAD_BYTES[kind] && payload[0] === TAG[kind];
}

// ---------------------------------------------------------------------------------------------
// werift

/** Host candidates only, IPv4, UDP (werift's defaults would ask stun.l.google.com, gather TCP). */
const WERIFT_CONFIG = { iceServers: [], iceUseTcp: false, iceUseIpv6: false };

export class WeriftMediaPeer {
  readonly pc = new WeriftPeerConnection(WERIFT_CONFIG);
  readonly tracks: Readonly<Record<Kind, WeriftTrack>> = {
    audio: new WeriftTrack({ kind: 'audio' }),
    video: new WeriftTrack({ kind: 'video' }),
  };
  /** The echo werift received back, per kind. */
  readonly echo: Readonly<Record<Kind, Received>> = { audio: received(), video: received() };
  /** PLIs werift's video sender reported (`onPictureLossIndication`). */
  pictureLossIndications = 0;
  #written = 0;
  readonly #sources = {
    audio: { ssrc: 0x1111_0001, sequence: 1000, timestamp: 0, step: 960 },
    video: { ssrc: 0x1111_0002, sequence: 2000, timestamp: 0, step: 3000 },
  };

  constructor() {
    this.pc.onTrack.subscribe((track) => {
      const kind = track.kind as Kind;
      const counts = this.echo[kind];
      track.onReceiveRtp.subscribe((rtp) => {
        counts.packets++;
        counts.payloadTypes.add(rtp.header.payloadType);
        if (!isPayloadOf(kind, rtp.payload)) counts.foreign++;
      });
    });
  }

  /** Offers a sendrecv transceiver per kind, each sending its track. */
  addTransceivers(): void {
    for (const kind of KINDS) this.pc.addTransceiver(this.tracks[kind], { direction: 'sendrecv' });
  }

  /** As answerer: the transceivers the offer created send our tracks too. */
  async sendOnOfferedTransceivers(): Promise<void> {
    for (const transceiver of this.pc.getTransceivers()) {
      const kind = transceiver.kind as Kind;
      await transceiver.sender.replaceTrack(this.tracks[kind]);
      transceiver.setDirection('sendrecv');
    }
  }

  transceiver(kind: Kind): WeriftTransceiver {
    const found = this.pc.getTransceivers().find((t) => t.kind === kind);
    if (found === undefined) throw new Error(`werift: no ${kind} transceiver`);
    return found;
  }

  /** The payload type werift numbered `mimeType` with in this negotiation. */
  payloadType(kind: Kind, mimeType: string): number | undefined {
    return this.transceiver(kind).getPayloadType(mimeType);
  }

  watchPictureLoss(): void {
    this.transceiver('video').sender.onPictureLossIndication.subscribe(() => {
      this.pictureLossIndications++;
    });
  }

  /**
   * One packet per kind, as an encoder's packetizer would hand them over (serialized RTP:
   * werift's `writeRtp` takes a Buffer and rewrites SSRC and payload type itself). The payload
   * type written is a placeholder on purpose: werift must put its negotiated one on the wire.
   */
  writeOneOfEach(): void {
    const index = this.#written++;
    for (const kind of KINDS) {
      const source = this.#sources[kind];
      const packet = new RtpPacket({
        payloadType: 0x7f,
        sequenceNumber: source.sequence,
        timestamp: source.timestamp,
        ssrc: source.ssrc,
        marker: true,
        payload: payloadFor(kind, index),
      });
      source.sequence = (source.sequence + 1) & 0xffff;
      source.timestamp = (source.timestamp + source.step) >>> 0;
      this.tracks[kind].writeRtp(Buffer.from(packet.serialize()));
    }
  }

  get written(): number {
    return this.#written;
  }

  async close(): Promise<void> {
    await this.pc.close();
  }
}

// ---------------------------------------------------------------------------------------------
// TypeRTC

export class TypertcEchoPeer {
  readonly pc = new RTCPeerConnection();
  readonly echoTracks: Readonly<Record<Kind, MediaStreamTrack>> = {
    audio: new MediaStreamTrack({ kind: 'audio', label: 'echo audio' }),
    video: new MediaStreamTrack({ kind: 'video', label: 'echo video' }),
  };
  /** What werift sent, as TypeRTC's remote tracks handed it over. */
  readonly received: Readonly<Record<Kind, Received>> = { audio: received(), video: received() };
  readonly receivers: Partial<Record<Kind, RTCRtpReceiver>> = {};

  constructor() {
    this.pc.addEventListener('track', (event) => {
      const { track, receiver } = event as RTCTrackEvent;
      const kind = track.kind;
      this.receivers[kind] = receiver;
      const counts = this.received[kind];
      const echo = this.echoTracks[kind];
      track.on('rtp', (packet) => {
        counts.packets++;
        counts.payloadTypes.add(packet.payloadType);
        if (!isPayloadOf(kind, packet.payload)) counts.foreign++;
        echo.writeRtp(packet);
      });
    });
  }

  /** Sends the echo tracks: on new transceivers before an offer, on the offered ones after. */
  addEchoTracks(): void {
    for (const kind of KINDS) this.pc.addTrack(this.echoTracks[kind]);
  }

  receiver(kind: Kind): RTCRtpReceiver {
    const receiver = this.receivers[kind];
    if (receiver === undefined) throw new Error(`TypeRTC: no ${kind} track event yet`);
    return receiver;
  }

  /** The payload type of the negotiated codec `mimeType` on the receiver of `kind`. */
  payloadType(kind: Kind, mimeType: string): number | undefined {
    return this.receiver(kind)
      .getParameters()
      .codecs.find((codec) => codec.mimeType.toLowerCase() === mimeType.toLowerCase())?.payloadType;
  }

  close(): void {
    this.pc.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Signaling

interface CandidateInit {
  candidate: string;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
}

/**
 * One offer/answer, `offerer` first. The answerer's tracks join the transceivers the offer
 * created (TypeRTC: `addTrack` after the offer, W3C's answerer flow; werift: `replaceTrack`
 * and `sendrecv`). Candidates trickle both ways as they surface. Resolves once both
 * descriptions are applied; `errors` collects failed candidate additions.
 */
export async function negotiate(
  typertc: TypertcEchoPeer,
  werift: WeriftMediaPeer,
  offerer: 'typertc' | 'werift',
  errors: string[],
): Promise<void> {
  const toWerift = new CandidateRelay(
    (candidate) => werift.pc.addIceCandidate((candidate as CandidateInit | null) ?? undefined),
    errors,
  );
  const toTypertc = new CandidateRelay(
    (candidate) => typertc.pc.addIceCandidate(candidate ?? undefined),
    errors,
  );
  typertc.pc.addEventListener('icecandidate', (event) => {
    const candidate: RTCIceCandidate | null = (event as RTCPeerConnectionIceEvent).candidate;
    if (candidate === null) return; // werift needs no end-of-candidates
    toWerift.relay({
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid,
      sdpMLineIndex: candidate.sdpMLineIndex,
    });
  });
  werift.pc.onIceCandidate.subscribe((candidate: WeriftCandidate | undefined) => {
    if (candidate === undefined) return;
    toTypertc.relay({
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid ?? null,
      sdpMLineIndex: candidate.sdpMLineIndex ?? null,
    });
  });
  if (offerer === 'typertc') {
    typertc.addEchoTracks();
    await typertc.pc.setLocalDescription();
    const offer = typertc.pc.localDescription;
    if (offer === null) throw new Error('TypeRTC: no offer');
    await werift.pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    toWerift.release();
    await werift.sendOnOfferedTransceivers();
    await werift.pc.setLocalDescription();
    await typertc.pc.setRemoteDescription({ type: 'answer', sdp: weriftSdp(werift) });
    toTypertc.release();
  } else {
    werift.addTransceivers();
    await werift.pc.setLocalDescription();
    await typertc.pc.setRemoteDescription({ type: 'offer', sdp: weriftSdp(werift) });
    toTypertc.release();
    typertc.addEchoTracks();
    await typertc.pc.setLocalDescription();
    const answer = typertc.pc.localDescription;
    if (answer === null) throw new Error('TypeRTC: no answer');
    await werift.pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    toWerift.release();
  }
}

/**
 * werift's local description as text: `localDescription` (what `setLocalDescription` resolves
 * with is werift's parsed `SessionDescription`, whose `sdp` is not the text).
 */
function weriftSdp(werift: WeriftMediaPeer): string {
  const local = werift.pc.localDescription;
  if (local === null) throw new Error('werift: no local description');
  return local.sdp;
}
