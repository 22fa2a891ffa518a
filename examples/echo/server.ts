/**
 * The echo example, what `npm start` runs: a page sends its camera, microphone and chat
 * messages to this server, which sends every RTP packet and message straight back, asks for a
 * keyframe as each video track starts, and reports its own getStats() to the page.
 *
 *     PORT=8080 npm start        # then open the printed URL
 *
 * The media part is the dozen lines of docs/media-api.md: a local track per kind, written with
 * each packet the remote track of that kind receives.
 */

import { fileURLToPath } from 'node:url';
import { MediaStreamTrack, RTCPeerConnection } from '@typertc/peerconnection';
import type { WebSocket } from 'ws';
import { closeOnInterrupt, portFromEnvironment } from '../shared/cli.js';
import { publicDir } from '../shared/paths.js';
import { signalPeerConnection } from '../shared/signaling.js';
import { type StatsSummary, summarizeStats } from '../shared/stats-summary.js';
import { startWebServer, type WebServer } from '../shared/web-server.js';

/** One browser: its peer connection, echoing media and chat, and a stats report each second. */
function echoPeer(socket: WebSocket): () => void {
  const pc = new RTCPeerConnection();
  const echoes = {
    audio: new MediaStreamTrack({ kind: 'audio', label: 'echo' }),
    video: new MediaStreamTrack({ kind: 'video', label: 'echo' }),
  };
  // Taken by the browser's offer: each m= section receives its media and sends the echo.
  pc.addTrack(echoes.audio);
  pc.addTrack(echoes.video);
  pc.ontrack = ({ track, receiver }) => {
    const echo = echoes[track.kind];
    track.on('rtp', (packet) => echo.writeRtp(packet));
    if (track.kind === 'video') receiver.requestKeyFrame();
  };
  pc.ondatachannel = ({ channel }) => {
    channel.onmessage = ({ data }) => channel.send(data);
  };
  const signaling = signalPeerConnection(socket, pc, { answerOnly: true });
  let previous: StatsSummary | undefined;
  const timer = setInterval(async () => {
    if (pc.connectionState !== 'connected') return;
    previous = summarizeStats(await pc.getStats(), previous);
    signaling.send({ type: 'server-stats', stats: previous });
  }, 1000);
  const close = () => {
    clearInterval(timer);
    pc.close();
  };
  socket.on('close', close);
  return close;
}

export interface EchoServer extends WebServer {
  /** Peer connections now open. */
  readonly peers: number;
}

/** The echo server on `port` (0: any free one). */
export async function startEchoServer(port: number): Promise<EchoServer> {
  const peers = new Set<() => void>();
  const web = await startWebServer({
    publicDir: publicDir('echo'),
    port,
    onSocket: (socket) => {
      const close = echoPeer(socket);
      peers.add(close);
      socket.on('close', () => peers.delete(close));
    },
  });
  return {
    url: web.url,
    port: web.port,
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
  const server = await startEchoServer(portFromEnvironment());
  console.log(`TypeRTC echo: open ${server.url} in a browser (Ctrl-C to stop)`);
  closeOnInterrupt(server, 'closing');
}
