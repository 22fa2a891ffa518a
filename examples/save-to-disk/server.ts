/**
 * The save-to-disk example: a page sends its camera and microphone, and this server records
 * them, VP8 to `<dir>/<id>.ivf` and Opus to `<dir>/<id>.ogg`, until the page presses stop or
 * closes or the server shuts down; then it prints the ffmpeg command that remuxes the two files
 * to WebM (when ffmpeg is installed).
 *
 *     node examples/dist/save-to-disk/server.js [dir]     # PORT=8080, dir ./recordings
 *
 * The peer connection offers only VP8 and Opus (the `codecs` configuration), the two codecs
 * these containers and WebM hold, so the browser cannot pick another.
 */

import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RTCPeerConnection } from '@typertc/peerconnection';
import type { WebSocket } from 'ws';
import { closeOnInterrupt, portFromEnvironment } from '../shared/cli.js';
import { publicDir } from '../shared/paths.js';
import { signalPeerConnection } from '../shared/signaling.js';
import { startWebServer, type WebServer } from '../shared/web-server.js';
import { Recording, type RecordingResult } from './recording.js';

export type { RecordingResult } from './recording.js';

/** A name that sorts by time and does not collide: 2025-01-31T12-00-00-123Z-1a2b3c. */
function recordingId(): string {
  return `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
}

function summary(result: RecordingResult): string {
  const lines = [`recording ${result.id} (${result.seconds.toFixed(1)} s):`];
  if (result.video !== undefined)
    lines.push(`  ${result.video.path}: ${result.video.frames} frames`);
  if (result.audio !== undefined) {
    lines.push(`  ${result.audio.path}: ${result.audio.seconds.toFixed(1)} s of audio`);
  }
  if (result.video === undefined && result.audio === undefined) lines.push('  nothing recorded');
  if (result.remux !== undefined) lines.push(`  to WebM: ${result.remux}`);
  return lines.join('\n');
}

/** One browser: its peer connection, recorded until stop, page close or server shutdown. */
function recordPeer(
  socket: WebSocket,
  outputDir: string,
  onResult: (result: RecordingResult) => void,
): () => Promise<RecordingResult> {
  const pc = new RTCPeerConnection({
    codecs: { video: [{ mimeType: 'video/VP8' }], audio: [{ mimeType: 'audio/opus' }] },
  });
  let requestKeyFrame = () => {};
  const recording = new Recording(outputDir, recordingId(), {
    requestKeyFrame: () => requestKeyFrame(),
    onStart: () => signaling.send({ type: 'recording', id: recording.id }),
  });
  pc.ontrack = ({ track, receiver }) => {
    if (track.kind === 'video') {
      requestKeyFrame = () => receiver.requestKeyFrame();
      track.on('rtp', (packet) => recording.pushVideo(packet));
      // The encoder's first frame is a keyframe, but it may be gone before SRTP is up here.
      receiver.requestKeyFrame();
    } else {
      track.on('rtp', (packet) => recording.pushAudio(packet));
    }
  };
  const stop = async (): Promise<RecordingResult> => {
    const first = !recording.finished;
    pc.close();
    const result = await recording.finish();
    if (first) {
      signaling.send({ type: 'recorded', result });
      onResult(result);
    }
    return result;
  };
  // The browser offers its camera and microphone; the server only answers.
  const signaling = signalPeerConnection(socket, pc, {
    answerOnly: true,
    onMessage: (message) => {
      if (message.type === 'stop') void stop();
    },
  });
  socket.on('close', () => void stop());
  return stop;
}

export interface SaveToDiskServer extends WebServer {
  /** Where the recordings go. */
  readonly outputDir: string;
  /** Recordings finished so far, oldest first. */
  readonly results: readonly RecordingResult[];
  /** Finishes every recording, then closes the servers. */
  close(): Promise<void>;
}

/** The save-to-disk server on `port` (0: any free one), recording into `outputDir`. */
export async function startSaveToDiskServer(
  port: number,
  outputDir: string,
): Promise<SaveToDiskServer> {
  const dir = resolve(outputDir);
  await mkdir(dir, { recursive: true });
  const peers = new Set<() => Promise<RecordingResult>>();
  const results: RecordingResult[] = [];
  const web = await startWebServer({
    publicDir: publicDir('save-to-disk'),
    port,
    onSocket: (socket) => {
      const stop = recordPeer(socket, dir, (result) => {
        results.push(result);
        console.log(summary(result));
      });
      peers.add(stop);
      socket.on('close', () => peers.delete(stop));
    },
  });
  return {
    url: web.url,
    port: web.port,
    outputDir: dir,
    results,
    async close() {
      // Before the sockets close: each recording's files are finished and reported first.
      await Promise.all([...peers].map((stop) => stop()));
      peers.clear();
      await web.close();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startSaveToDiskServer(
    portFromEnvironment(),
    process.argv[2] ?? 'recordings',
  );
  console.log(`TypeRTC save-to-disk: open ${server.url} in a browser (Ctrl-C to stop)`);
  console.log(`recording into ${server.outputDir}`);
  closeOnInterrupt(server, 'finishing the recordings');
}
