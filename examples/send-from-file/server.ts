/**
 * The send-from-file example: each page that connects is sent a video file (IVF: VP8, VP9 or
 * AV1) and an Ogg Opus file, paced by their timestamps and looped, and plays them.
 *
 *     node examples/dist/send-from-file/server.js [video.ivf] [audio.ogg]   # PORT=8080
 *
 * Without arguments it sends media/vp8.ivf and media/opus.ogg (made by make-media.sh). The
 * video's codec comes from the IVF fourcc, and the peer connection offers that codec alone (the
 * `codecs` configuration), so the browser cannot answer with one the file is not in.
 */

import { fileURLToPath } from 'node:url';
import {
  type CodecSpec,
  MediaStream,
  MediaStreamTrack,
  RTCPeerConnection,
} from '@typertc/peerconnection';
import {
  Av1Packetizer,
  type IvfCodec,
  type Packetizer,
  Vp8Packetizer,
  Vp9Packetizer,
} from '@typertc/rtp-rtcp';
import type { WebSocket } from 'ws';
import { closeOnInterrupt, portFromEnvironment } from '../shared/cli.js';
import { EXAMPLES_DIR, publicDir } from '../shared/paths.js';
import { signalPeerConnection } from '../shared/signaling.js';
import { startWebServer, type WebServer } from '../shared/web-server.js';
import { ClipPlayer } from './clip-player.js';
import { type Clip, readIvfClip, readOggOpusClip, type VideoClip } from './clips.js';

/** The media make-media.sh writes: vp8.ivf, vp9.ivf, av1.ivf (if it could), opus.ogg. */
export const MEDIA_DIR = `${EXAMPLES_DIR}send-from-file/media/`;

/** Each IVF codec as the `codecs` configuration names it, with a fixed payload type to write. */
const VIDEO_CODECS: Readonly<Record<IvfCodec, CodecSpec & { payloadType: number }>> = {
  VP8: { mimeType: 'video/VP8', payloadType: 96 },
  // RFC 9628 §6: profile 0 is what the files hold (8-bit 4:2:0) and what browsers decode.
  VP9: { mimeType: 'video/VP9', sdpFmtpLine: 'profile-id=0', payloadType: 98 },
  AV1: { mimeType: 'video/AV1', payloadType: 104 },
};
const OPUS: CodecSpec & { payloadType: number } = { mimeType: 'audio/opus', payloadType: 111 };

function packetizerFor(codec: IvfCodec): Packetizer {
  switch (codec) {
    case 'VP8':
      return new Vp8Packetizer();
    case 'VP9':
      return new Vp9Packetizer();
    case 'AV1':
      return new Av1Packetizer();
  }
}

/** What the page is told about the files. */
function describeMedia(video: VideoClip, audio: Clip) {
  return {
    type: 'media',
    codec: video.codec,
    width: video.width,
    height: video.height,
    frameRate: Math.round(video.frameRate * 100) / 100,
    videoSeconds: video.length / video.clockRate,
    audioSeconds: audio.length / audio.clockRate,
  };
}

/** One browser: a peer connection that sends the clips from when it connects until it closes. */
function sendToPeer(socket: WebSocket, video: VideoClip, audio: Clip): () => void {
  const videoCodec = VIDEO_CODECS[video.codec];
  const pc = new RTCPeerConnection({ codecs: { video: [videoCodec], audio: [OPUS] } });
  // The server offers (its tracks are what there is to negotiate); the page only answers.
  const signaling = signalPeerConnection(socket, pc);
  const stream = new MediaStream();
  const tracks = {
    video: new MediaStreamTrack({ kind: 'video', label: `${video.codec} file` }),
    audio: new MediaStreamTrack({ kind: 'audio', label: 'Opus file' }),
  };
  // Send-only: nothing is asked of the browser.
  pc.addTransceiver(tracks.video, { direction: 'sendonly', streams: [stream] });
  pc.addTransceiver(tracks.audio, { direction: 'sendonly', streams: [stream] });
  const players = [
    new ClipPlayer({
      clip: video,
      track: tracks.video,
      payloadType: videoCodec.payloadType,
      packetizer: packetizerFor(video.codec),
    }),
    new ClipPlayer({ clip: audio, track: tracks.audio, payloadType: OPUS.payloadType }),
  ];
  signaling.send(describeMedia(video, audio));
  // From the first frame, a keyframe, once there is a connection to send it on. A file cannot
  // answer the browser's keyframe requests (PLI): its keyframes come every second instead.
  pc.onconnectionstatechange = () => {
    if (pc.connectionState === 'connected') for (const player of players) player.start();
    if (pc.connectionState === 'failed') close();
  };
  const close = () => {
    for (const player of players) player.stop();
    pc.close();
  };
  socket.on('close', close);
  return close;
}

export interface SendFromFileOptions {
  /** 0 for any free port. */
  readonly port: number;
  /** An IVF file; default media/vp8.ivf. */
  readonly video?: string;
  /** An Ogg Opus file; default media/opus.ogg. */
  readonly audio?: string;
}

export interface SendFromFileServer extends WebServer {
  readonly video: VideoClip;
  readonly audio: Clip;
  /** Peer connections now open. */
  readonly peers: number;
}

/** Reads the files (throwing if they are not IVF and Ogg Opus), then serves them. */
export async function startSendFromFileServer(
  options: SendFromFileOptions,
): Promise<SendFromFileServer> {
  const video = await readIvfClip(options.video ?? `${MEDIA_DIR}vp8.ivf`);
  const audio = await readOggOpusClip(options.audio ?? `${MEDIA_DIR}opus.ogg`);
  const peers = new Set<() => void>();
  const web = await startWebServer({
    publicDir: publicDir('send-from-file'),
    port: options.port,
    onSocket: (socket) => {
      const close = sendToPeer(socket, video, audio);
      peers.add(close);
      socket.on('close', () => peers.delete(close));
    },
  });
  return {
    url: web.url,
    port: web.port,
    video,
    audio,
    get peers() {
      return peers.size;
    },
    async close() {
      for (const close of peers) close();
      peers.clear();
      await web.close();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startSendFromFileServer({
    port: portFromEnvironment(),
    video: process.argv[2],
    audio: process.argv[3],
  }).catch((error: unknown) => {
    console.error(`send-from-file: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
  const { codec, width, height, frameRate } = server.video;
  console.log(`sending ${codec} ${width}x${height} at ${frameRate.toFixed(1)} fps, and Opus`);
  console.log(`TypeRTC send-from-file: open ${server.url} in a browser (Ctrl-C to stop)`);
  closeOnInterrupt(server, 'closing');
}
