/**
 * The room: one peer connection per browser, which publishes its camera and microphone on it
 * and receives everyone else's on it. For each track a participant publishes and each other
 * participant, the room adds a local track to the subscriber's connection (a `sendonly`
 * transceiver) and writes every packet the publisher sends into it: a selective forwarding unit
 * without any decoding.
 *
 * Negotiation: the browser offers once, to publish; from then on the server is the only one
 * that offers (on each join and leave), so the two never offer at once. A participant is only
 * given others' tracks once its own offer is answered, since an offer from the server while the
 * browser's is on its way would collide with it.
 */

import {
  type MediaCodecConfiguration,
  MediaStream,
  MediaStreamTrack,
  RTCPeerConnection,
  type RTCRtpReceiver,
  type RTCRtpTransceiver,
  type RtpListener,
} from '@typertc/peerconnection';
import type { WebSocket } from 'ws';
import { type Signaling, signalPeerConnection } from '../shared/signaling.js';
import { PayloadTypeMap } from './payload-types.js';

type RtpPacket = Parameters<RtpListener>[0];

/**
 * One codec per kind for the whole room, so that whatever one browser sends every other can
 * decode. VP8 is numbered 100 in the sections the server offers, where Chromium's own offer
 * numbers it 96: every forwarded video packet changes payload type on the way (as it would
 * between Firefox, 120, and Chromium), which `payload-types.ts` takes care of.
 */
export const ROOM_CODECS: MediaCodecConfiguration = {
  video: [{ mimeType: 'video/VP8', payloadType: 100, rtxPayloadType: 101 }],
  audio: [{ mimeType: 'audio/opus' }],
};

/** Keyframe requests to one publisher: at most one per this interval (the rest wait for it). */
const KEYFRAME_INTERVAL_MS = 500;

/** A track a participant sends to the room. */
interface Publication {
  readonly publisher: Participant;
  readonly track: MediaStreamTrack;
  readonly receiver: RTCRtpReceiver;
  readonly subscriptions: Set<Subscription>;
  lastKeyFrameRequest: number;
  keyFrameTimer: NodeJS.Timeout | undefined;
}

/** A publication forwarded to one other participant. */
interface Subscription {
  readonly publication: Publication;
  readonly subscriber: Participant;
  /** The local track written with the publisher's packets; its sender is the transceiver's. */
  readonly track: MediaStreamTrack;
  readonly transceiver: RTCRtpTransceiver;
  readonly payloadTypes: PayloadTypeMap;
  /** The subscriber's answer has accepted the section: packets written now are sent. */
  live: boolean;
}

interface Participant {
  readonly id: number;
  readonly pc: RTCPeerConnection;
  readonly signaling: Signaling;
  /** Its tracks as the others' pages see them: the stream id tells them whose they are. */
  readonly stream: MediaStream;
  readonly publications: Publication[];
  readonly subscriptions: Set<Subscription>;
  /** Its first offer is answered: the server may offer from now on. */
  ready: boolean;
}

export class Room {
  readonly #participants = new Set<Participant>();
  #nextId = 1;

  get size(): number {
    return this.#participants.size;
  }

  /** A browser at the other end of `socket` joins; it leaves when the socket closes. */
  join(socket: WebSocket): void {
    const pc = new RTCPeerConnection({ codecs: ROOM_CODECS });
    const id = this.#nextId++;
    const participant: Participant = {
      id,
      pc,
      // Not answerOnly: the server offers each time someone joins or leaves.
      signaling: signalPeerConnection(socket, pc),
      stream: new MediaStream(`participant-${id}`),
      publications: [],
      subscriptions: new Set(),
      ready: false,
    };
    this.#participants.add(participant);
    participant.signaling.send({ type: 'welcome', id });
    pc.ontrack = ({ track, receiver }) => this.#publish(participant, track, receiver);
    pc.addEventListener('signalingstatechange', () => {
      if (pc.signalingState !== 'stable') return;
      if (!participant.ready && pc.remoteDescription !== null) {
        participant.ready = true;
        for (const other of this.#participants) {
          if (other === participant) continue;
          for (const publication of other.publications) this.#subscribe(participant, publication);
        }
      }
      this.#negotiated(participant);
    });
    socket.on('close', () => this.leave(participant));
  }

  /** Everyone leaves (the server is closing). */
  close(): void {
    for (const participant of this.#participants) this.leave(participant);
  }

  /** `participant` is gone: its connection closes and the others stop receiving it. */
  leave(participant: Participant): void {
    if (!this.#participants.delete(participant)) return;
    participant.pc.close();
    for (const subscription of participant.subscriptions) {
      subscription.publication.subscriptions.delete(subscription);
    }
    for (const publication of participant.publications) {
      clearTimeout(publication.keyFrameTimer);
      for (const subscription of publication.subscriptions) {
        // Stopping the transceiver rejects its section in the next offer (port 0), which ends
        // the track in the subscriber's page and removes it from its stream.
        subscription.transceiver.stop();
        subscription.track.stop();
        subscription.subscriber.subscriptions.delete(subscription);
      }
      publication.subscriptions.clear();
    }
  }

  /** A track `publisher`'s offer brought: forward it to everyone ready for it. */
  #publish(publisher: Participant, track: MediaStreamTrack, receiver: RTCRtpReceiver): void {
    const publication: Publication = {
      publisher,
      track,
      receiver,
      subscriptions: new Set(),
      lastKeyFrameRequest: 0,
      keyFrameTimer: undefined,
    };
    publisher.publications.push(publication);
    track.on('rtp', (packet) => forward(publication, packet));
    for (const other of this.#participants) {
      if (other !== publisher && other.ready) this.#subscribe(other, publication);
    }
  }

  /** Adds `publication` to `subscriber`'s connection, which renegotiates (the server offers). */
  #subscribe(subscriber: Participant, publication: Publication): void {
    const track = new MediaStreamTrack({
      kind: publication.track.kind,
      label: `participant ${publication.publisher.id}`,
    });
    // addTransceiver, not addTrack: addTrack would reuse the section the subscriber publishes
    // on (a transceiver that never sent) and make it sendrecv.
    const transceiver = subscriber.pc.addTransceiver(track, {
      direction: 'sendonly',
      streams: [publication.publisher.stream],
    });
    const subscription: Subscription = {
      publication,
      subscriber,
      track,
      transceiver,
      payloadTypes: new PayloadTypeMap(
        () => publication.receiver.getParameters().codecs,
        () => transceiver.sender.getParameters().codecs,
      ),
      live: false,
    };
    // The subscriber's decoder lost its place (it joined mid-stream, or lost packets).
    transceiver.sender.on('keyframerequest', () => requestKeyFrame(publication));
    publication.subscriptions.add(subscription);
    subscriber.subscriptions.add(subscription);
  }

  /** An offer/answer exchange with `participant` completed: its new sections can receive. */
  #negotiated(participant: Participant): void {
    for (const subscription of participant.subscriptions) {
      if (subscription.live || subscription.transceiver.currentDirection !== 'sendonly') continue;
      subscription.live = true;
      // The new subscriber can decode nothing before a keyframe: ask the publisher for one now
      // rather than wait for its next (VP8 encoders may go minutes without).
      if (subscription.track.kind === 'video') requestKeyFrame(subscription.publication);
    }
  }
}

/**
 * Writes one of the publisher's packets into each live subscription's track, numbered as that
 * subscriber's connection numbers the codec. The packet is the receiver's own, reused after
 * this returns, and `writeRtp` does not change it: its payload type is set per subscriber and
 * put back.
 */
function forward(publication: Publication, packet: RtpPacket): void {
  const received = packet.payloadType;
  try {
    for (const subscription of publication.subscriptions) {
      if (!subscription.live) continue;
      const payloadType = subscription.payloadTypes.get(received);
      if (payloadType === undefined) continue;
      packet.payloadType = payloadType;
      subscription.track.writeRtp(packet);
    }
  } finally {
    packet.payloadType = received;
  }
}

/**
 * A PLI to the publisher, at most one per KEYFRAME_INTERVAL_MS: several subscribers asking at
 * once are all served by the one keyframe, and a request within the interval is sent at its
 * end rather than dropped (the subscriber asking may have joined after the last keyframe).
 */
function requestKeyFrame(publication: Publication): void {
  if (publication.keyFrameTimer !== undefined) return;
  const send = () => {
    publication.keyFrameTimer = undefined;
    publication.lastKeyFrameRequest = Date.now();
    publication.receiver.requestKeyFrame();
  };
  const wait = publication.lastKeyFrameRequest + KEYFRAME_INTERVAL_MS - Date.now();
  if (wait <= 0) send();
  else publication.keyFrameTimer = setTimeout(send, wait);
}
