/**
 * The media half of an `RTCPeerConnection`: its set of transceivers (W3C WebRTC 1.0 §5.1:
 * `addTrack`, `removeTrack`, `addTransceiver`, and the transceivers remote offers create), the
 * remote streams, and the RTP session they all send and receive through.
 */

import { randomBytes } from 'node:crypto';
import type { RtcpPacket } from '@typertc/rtp-rtcp';
import { invalidAccessError, invalidStateError } from '../errors.js';
import { RTCTrackEvent } from '../events.js';
import { receives, sends } from '../jsep/media-negotiation.js';
import type { RemoteMediaHost, TrackEventInit } from '../jsep/remote-media.js';
import type { RTCStatsReport } from '../stats/index.js';
import type { RTCDtlsTransport } from '../transport/w3c-transports.js';
import type { MediaCodecConfiguration, MediaKind } from './codec-capabilities.js';
import { internals } from './internals.js';
import { MediaSession, type SessionSection } from './media-session.js';
import { type MediaStream, MediaStreamTrack } from './media-stream-track.js';
import { randomCname } from './rtcp-reports.js';
import type { RTCRtpEncodingParameters } from './rtp-parameters.js';
import { RtpReceiveStream } from './rtp-receive-stream.js';
import { RTCRtpReceiver } from './rtp-receiver.js';
import { RtpSendStream } from './rtp-send-stream.js';
import { RTCRtpSender } from './rtp-sender.js';
import {
  RTCRtpTransceiver,
  type RTCRtpTransceiverDirection,
  type RTCRtpTransceiverInit,
} from './rtp-transceiver.js';

export interface TransceiverSetHost {
  readonly closed: boolean;
  updateNegotiationNeeded(): void;
  codecConfiguration(): MediaCodecConfiguration | undefined;
  transport(): RTCDtlsTransport | null;
  getStats(selector: RTCRtpSender | RTCRtpReceiver): Promise<RTCStatsReport>;
}

const DIRECTIONS: readonly RTCRtpTransceiverDirection[] = [
  'sendrecv',
  'sendonly',
  'recvonly',
  'inactive',
];

function randomSsrc(): number {
  return randomBytes(4).readUInt32BE(0);
}

/** W3C §5.1 addTransceiver step "validate sendEncodings": rids are RFC 8851 §10 tokens. */
function checkEncodings(encodings: readonly RTCRtpEncodingParameters[]): void {
  for (const encoding of encodings) {
    if (encoding.rid !== undefined && !/^[A-Za-z0-9_-]{1,16}$/.test(encoding.rid)) {
      throw new TypeError(`rid ${encoding.rid} is not an RFC 8851 identifier`);
    }
    if (encoding.scaleResolutionDownBy !== undefined && encoding.scaleResolutionDownBy < 1) {
      throw new RangeError('scaleResolutionDownBy must be at least 1');
    }
  }
}

export class TransceiverSet implements RemoteMediaHost {
  readonly cname = randomCname();
  readonly session = new MediaSession(this.cname);
  readonly remoteStreams = new Map<string, MediaStream>();
  #list: RTCRtpTransceiver[] = [];
  readonly #host: TransceiverSetHost;

  constructor(host: TransceiverSetHost) {
    this.#host = host;
  }

  /** W3C: the connection's set, in creation order; stopped ones are gone from it. */
  transceivers(): readonly RTCRtpTransceiver[] {
    return this.#list;
  }

  createTransceiver(kind: MediaKind): RTCRtpTransceiver {
    return this.#create(kind, 'recvonly', null, [], undefined);
  }

  removeTransceiver(transceiver: RTCRtpTransceiver): void {
    this.#list = this.#list.filter((t) => t !== transceiver);
  }

  /** W3C §5.1 addTrack. */
  addTrack(track: MediaStreamTrack, streams: readonly MediaStream[]): RTCRtpSender {
    if (this.#host.closed) throw invalidStateError('the peer connection is closed');
    if (this.#list.some((t) => t.sender.track === track)) {
      throw invalidAccessError('the track already has a sender on this connection');
    }
    // A transceiver of the kind whose sender never had a track or sent is reused (step 7).
    const reusable = this.#list.find((t) => {
      const state = t[internals];
      return (
        state.kind === track.kind &&
        t.sender.track === null &&
        !state.stopping &&
        !state.stopped &&
        !t.sender[internals].stream.counters.packetsSent &&
        !sends(state.currentDirection)
      );
    });
    if (reusable !== undefined) {
      reusable.sender.setTrack(track);
      reusable.sender[internals].streamIds = streams.map((stream) => stream.id);
      if (reusable.direction === 'recvonly') reusable.direction = 'sendrecv';
      else if (reusable.direction === 'inactive') reusable.direction = 'sendonly';
      this.#host.updateNegotiationNeeded();
      return reusable.sender;
    }
    const transceiver = this.#create(track.kind, 'sendrecv', track, streams, undefined);
    transceiver[internals].addedByAddTrack = true;
    this.#host.updateNegotiationNeeded();
    return transceiver.sender;
  }

  /** W3C §5.1 removeTrack: the sender stops sending; its direction loses `send`. */
  removeTrack(sender: RTCRtpSender): void {
    if (this.#host.closed) throw invalidStateError('the peer connection is closed');
    const transceiver = this.#list.find((t) => t.sender === sender);
    if (transceiver === undefined) {
      throw invalidAccessError('the sender was not created by this connection');
    }
    if (transceiver[internals].stopping || sender.track === null) return;
    sender.setTrack(null);
    if (transceiver.direction === 'sendrecv') transceiver.direction = 'recvonly';
    else if (transceiver.direction === 'sendonly') transceiver.direction = 'inactive';
    this.#host.updateNegotiationNeeded();
  }

  /** W3C §5.1 addTransceiver. */
  addTransceiver(
    trackOrKind: MediaStreamTrack | string,
    init: RTCRtpTransceiverInit = {},
  ): RTCRtpTransceiver {
    if (this.#host.closed) throw invalidStateError('the peer connection is closed');
    const track = trackOrKind instanceof MediaStreamTrack ? trackOrKind : null;
    const kind = track?.kind ?? trackOrKind;
    if (kind !== 'audio' && kind !== 'video') {
      throw new TypeError(`addTransceiver: ${String(kind)} is not audio or video`);
    }
    const direction = init.direction ?? 'sendrecv';
    if (!DIRECTIONS.includes(direction)) {
      throw new TypeError(`addTransceiver: ${String(direction)} is not a direction`);
    }
    const encodings = init.sendEncodings ?? [];
    checkEncodings(encodings);
    // W3C step "if the number of encodings is more than the user agent supports, truncate":
    // a written track is one stream, so one encoding is sent (the first).
    const first = encodings[0];
    const kept: RTCRtpEncodingParameters[] | undefined =
      first === undefined ? undefined : [{ ...first, active: first.active ?? true }];
    const transceiver = this.#create(kind, direction, track, init.streams ?? [], kept);
    this.#host.updateNegotiationNeeded();
    return transceiver;
  }

  /**
   * A description was applied: stopped transceivers leave the set, and the RTP session is told
   * which sections send and receive.
   */
  onNegotiated(): void {
    this.#list = this.#list.filter((t) => !t[internals].stopped);
    const sections: SessionSection[] = [];
    let reducedSize = false;
    for (const transceiver of this.#list) {
      const state = transceiver[internals];
      const negotiated = state.negotiated;
      if (negotiated === undefined || state.stopping) continue;
      const sender = transceiver.sender[internals].stream;
      const receiver = transceiver.receiver[internals].stream;
      const receiving = receives(state.currentDirection);
      sections.push({
        mid: negotiated.mid,
        sender: sends(state.currentDirection) ? sender : undefined,
        receiver: receiving ? receiver : undefined,
        demux: receiving
          ? {
              mid: negotiated.mid,
              target: receiver,
              ssrcs: negotiated.remoteSources.flatMap(({ ssrc, rtxSsrc }) =>
                rtxSsrc === undefined ? [ssrc] : [ssrc, rtxSsrc],
              ),
              payloadTypes: negotiated.codecs.map((codec) => codec.payloadType),
              rtxPayloadTypes: negotiated.codecs
                .filter((codec) => codec.associatedPayloadType !== undefined)
                .map((codec) => codec.payloadType),
            }
          : undefined,
        extensions: negotiated.extensions,
      });
      reducedSize ||= negotiated.rtcpRsize;
    }
    this.session.configure(sections, reducedSize);
  }

  /**
   * Server extension `sendRtcp`: the application's own RTCP, protected with SRTCP and sent.
   * Throws `InvalidStateError` when closed or before SRTP is keyed.
   */
  sendRtcp(packets: readonly RtcpPacket[] | Uint8Array): void {
    if (this.#host.closed) throw invalidStateError('the peer connection is closed');
    const session = this.session;
    const sent =
      packets instanceof Uint8Array ? session.sendRawRtcp(packets) : session.sendRtcp(packets);
    if (!sent) throw invalidStateError('sendRtcp before the transport is connected');
  }

  /** The SSRCs a getStats selector (a track, sender or receiver) names (W3C §8.5). */
  selectedSsrcs(selector: MediaStreamTrack | RTCRtpSender | RTCRtpReceiver): Set<number> {
    const ssrcs = new Set<number>();
    for (const { sender, receiver } of this.#list) {
      if (selector === sender || selector === sender.track) ssrcs.add(sender.ssrc);
      if (selector === receiver || selector === receiver.track) {
        for (const ssrc of receiver[internals].stream.streams.keys()) ssrcs.add(ssrc);
      }
    }
    return ssrcs;
  }

  /** What the negotiation needs of the media half; `fire` dispatches the `track` events. */
  negotiationHost(fire: (event: RTCTrackEvent) => void) {
    return {
      transceivers: () => this.transceivers(),
      createTransceiver: (kind: MediaKind) => this.createTransceiver(kind),
      removeTransceiver: (transceiver: RTCRtpTransceiver) => this.removeTransceiver(transceiver),
      remoteStreams: this.remoteStreams,
      context: () => ({ cname: this.cname, codecs: this.#host.codecConfiguration() }),
      onNegotiated: () => this.onNegotiated(),
      onTracks: (events: readonly TrackEventInit[]) => {
        for (const { transceiver, streams } of events) {
          const receiver = transceiver.receiver;
          fire(
            new RTCTrackEvent('track', { receiver, track: receiver.track, streams, transceiver }),
          );
        }
      },
    };
  }

  /** close(): BYE for what we sent, then every transceiver stops (W3C §4.4.1.8). */
  close(): void {
    this.session.close();
    for (const transceiver of this.#list) transceiver[internals].finishStop();
  }

  #create(
    kind: MediaKind,
    direction: RTCRtpTransceiverDirection,
    track: MediaStreamTrack | null,
    streams: readonly MediaStream[],
    encodings: RTCRtpEncodingParameters[] | undefined,
  ): RTCRtpTransceiver {
    const host = this.#host;
    const sendStream = new RtpSendStream(randomSsrc(), kind === 'video' ? randomSsrc() : undefined);
    sendStream.attach(this.session);
    const sender = new RTCRtpSender(
      kind,
      track,
      sendStream,
      {
        cname: this.cname,
        transport: () => host.transport(),
        updateNegotiationNeeded: () => host.updateNegotiationNeeded(),
        getStats: (selector) => host.getStats(selector),
      },
      encodings,
    );
    sender[internals].streamIds = [...new Set(streams.map((stream) => stream.id))];
    const receiveStream = new RtpReceiveStream(new MediaStreamTrack({ kind }, true));
    receiveStream.attach(this.session);
    const receiver = new RTCRtpReceiver(receiveStream, {
      cname: this.cname,
      transport: () => host.transport(),
      getStats: (selector) => host.getStats(selector),
    });
    const transceiver = new RTCRtpTransceiver(kind, sender, receiver, direction, {
      updateNegotiationNeeded: () => host.updateNegotiationNeeded(),
      codecConfiguration: () => host.codecConfiguration(),
    });
    this.#list.push(transceiver);
    return transceiver;
  }
}
