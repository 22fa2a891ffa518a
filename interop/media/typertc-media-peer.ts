/**
 * The TypeRTC side of the media tests, written against docs/media-api.md the way a server uses
 * it: a remote track hands over each RTP packet, which is taken apart (`received-media.ts`) and
 * written, as it came, to a local track of the same kind — an echo, like the one in the doc.
 * Keyframe requests from Chromium about the echo go on to Chromium's own sender, as an SFU
 * would forward them, so that Chromium's decoder recovers at once from a missed start.
 */

// rtp-rtcp by its package name, as peerconnection imports it: one RtpPacket type for both
// (vitest's alias makes it the same module at run time either way, so `instanceof` holds).
import { GenericNack, type RtcpPacket, type RtpPacket } from '@typertc/rtp-rtcp';
import {
  MediaStreamTrack,
  type RTCOutboundRtpStreamStats,
  RTCPeerConnection,
  type RTCRtpReceiver,
  type RTCRtpSender,
  type RTCTrackEvent,
} from '../../packages/peerconnection/src/index.js';
import { ReceivedAudio, ReceivedVideo } from './received-media.js';

export interface TypertcMediaPeerOptions {
  /** Passed to `new RTCPeerConnection` (`codecs` narrows what TypeRTC offers). */
  readonly configuration?: ConstructorParameters<typeof RTCPeerConnection>[0];
  /** Write every received packet back on a local track of its kind. Default true. */
  readonly echo?: boolean;
}

export class TypertcMediaPeer {
  readonly pc: RTCPeerConnection;
  readonly video = new ReceivedVideo();
  readonly audio = new ReceivedAudio();
  /** The local tracks the echo writes into, one per kind. */
  readonly echoTracks = {
    audio: new MediaStreamTrack({ kind: 'audio', label: 'echo audio' }),
    video: new MediaStreamTrack({ kind: 'video', label: 'echo video' }),
  };
  /** Remote video tracks' codec (`track.codec`), as of the latest packet. */
  videoCodec: { readonly mimeType: string; readonly payloadType: number } | undefined;
  audioCodec: { readonly mimeType: string; readonly payloadType: number } | undefined;
  /** Whether a keyframe request about the echo is passed on as our own (off to test PLI alone). */
  forwardKeyframeRequests = true;
  /** Feedback Chromium sent about the video echo: NACK packets and keyframe requests. */
  nacksReceived = 0;
  keyframeRequestsReceived = 0;
  #videoReceiver: RTCRtpReceiver | undefined;
  #videoSender: RTCRtpSender | undefined;
  readonly #echo: boolean;
  #echoSsrcs: ReadonlySet<number> | undefined;

  constructor(options: TypertcMediaPeerOptions = {}) {
    this.pc = new RTCPeerConnection(options.configuration);
    this.#echo = options.echo ?? true;
    this.pc.addEventListener('track', (event) => {
      this.#adopt(event as RTCTrackEvent);
    });
  }

  /** The receiver of Chromium's video, once its `track` event has fired. */
  get videoReceiver(): RTCRtpReceiver {
    if (this.#videoReceiver === undefined) throw new Error('no remote video track yet');
    return this.#videoReceiver;
  }

  /** The sender of the video echo, once `addEchoTracks` has run. */
  get videoSender(): RTCRtpSender {
    if (this.#videoSender === undefined) throw new Error('no echo tracks added');
    return this.#videoSender;
  }

  /**
   * `addTrack` for each echo track: before an offer, new sendrecv transceivers; after Chromium's
   * offer, the transceivers it made (W3C: one of the kind that never sent is reused).
   */
  addEchoTracks(): void {
    this.pc.addTrack(this.echoTracks.audio);
    const video = this.pc.addTrack(this.echoTracks.video);
    this.#videoSender = video;
    video.on('keyframerequest', () => {
      this.keyframeRequestsReceived++;
      if (this.forwardKeyframeRequests) this.#videoReceiver?.requestKeyFrame();
    });
    video.on('rtcp', (packet: RtcpPacket) => {
      if (packet instanceof GenericNack) this.nacksReceived++;
    });
  }

  #adopt({ track, receiver }: RTCTrackEvent): void {
    if (track.kind === 'video') {
      this.#videoReceiver = receiver;
      let first = true;
      track.on('rtp', (packet: RtpPacket, rid?: string) => {
        const codec = track.codec;
        if (codec) this.videoCodec = { mimeType: codec.mimeType, payloadType: codec.payloadType };
        this.video.push(packet, codec?.mimeType, rid);
        if (this.#echo) this.echoTracks.video.writeRtp(packet);
        // A PLI as the doc's echo sends one, but once media flows: the transport is surely up
        // then, and the test does not depend on what a request before that does.
        if (first) queueMicrotask(() => receiver.requestKeyFrame());
        first = false;
      });
    } else if (track.kind === 'audio') {
      track.on('rtp', (packet: RtpPacket) => {
        const codec = track.codec;
        if (codec) this.audioCodec = { mimeType: codec.mimeType, payloadType: codec.payloadType };
        this.audio.push(packet, codec?.mimeType);
        if (this.#echo) this.echoTracks.audio.writeRtp(packet);
      });
    }
  }

  /**
   * The SSRC the video echo is sent with (its RTX one apart), or none before `addEchoTracks`:
   * what a lossy relay drops packets of.
   */
  echoVideoSsrcs(): ReadonlySet<number> {
    const sender = this.#videoSender;
    if (sender === undefined) return new Set();
    if (this.#echoSsrcs?.has(sender.ssrc) !== true) this.#echoSsrcs = new Set([sender.ssrc]);
    return this.#echoSsrcs;
  }

  /** TypeRTC's outbound-rtp for the video echo (by the sender's SSRC), if reported yet. */
  async videoEchoStats(): Promise<RTCOutboundRtpStreamStats | undefined> {
    const ssrc = this.videoSender.ssrc;
    for (const entry of (await this.pc.getStats()).values()) {
      if (entry.type === 'outbound-rtp' && entry.ssrc === ssrc) return entry;
    }
    return undefined;
  }

  /** Summary for a failing assertion's message. */
  toJSON(): object {
    return {
      connectionState: this.pc.connectionState,
      video: this.video,
      audio: this.audio,
      videoCodec: this.videoCodec,
      audioCodec: this.audioCodec,
      nacksReceived: this.nacksReceived,
      keyframeRequestsReceived: this.keyframeRequestsReceived,
    };
  }
}
