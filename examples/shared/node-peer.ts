/**
 * Two Node processes connected by a TypeRTC peer connection with no browser: one listens (an
 * HTTP server whose WebSocket on /ws carries the signaling), the other connects to it. The
 * connecting side makes the offer (its data channels need negotiating); the listening side
 * only answers, so the two never offer at once. Signaling is `signaling.ts`'s, as the browser
 * examples use it.
 */

import { once } from 'node:events';
import { RTCPeerConnection } from '@typertc/peerconnection';
import { WebSocket } from 'ws';
import { EXAMPLES_DIR } from './paths.js';
import { signalPeerConnection } from './signaling.js';
import { startWebServer, type WebServer } from './web-server.js';

export interface ListeningPeer {
  readonly server: WebServer;
  /** The peer connection of the first process that connects. */
  readonly connection: Promise<RTCPeerConnection>;
  close(): Promise<void>;
}

/** Listens on `port` (0: any) for one peer; its signaling URL is `ws://localhost:<port>/ws`. */
export async function listenForPeer(port: number): Promise<ListeningPeer> {
  let accept: (pc: RTCPeerConnection) => void = () => {};
  const connection = new Promise<RTCPeerConnection>((resolve) => {
    accept = resolve;
  });
  const peers: RTCPeerConnection[] = [];
  const server = await startWebServer({
    publicDir: `${EXAMPLES_DIR}shared/public/`,
    port,
    onSocket: (socket) => {
      const pc = new RTCPeerConnection();
      peers.push(pc);
      signalPeerConnection(socket, pc, { answerOnly: true });
      socket.on('close', () => pc.close());
      accept(pc);
    },
  });
  return {
    server,
    connection,
    async close() {
      for (const pc of peers) pc.close();
      await server.close();
    },
  };
}

/**
 * Connects `pc` to a listening peer at `url` (ws://host:port/ws); resolves once the socket is
 * open. Call it right after creating the data channels: the signaling must be listening when
 * `negotiationneeded` fires (a task after the first createDataChannel), or the offer is missed.
 */
export async function connectToPeer(url: string, pc: RTCPeerConnection): Promise<WebSocket> {
  const socket = new WebSocket(url);
  signalPeerConnection(socket, pc);
  await once(socket, 'open');
  return socket;
}

/** Resolves when `pc` is connected; rejects if it fails or closes first. */
export function connected(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pc.connectionState === 'connected') resolve();
      else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') {
        reject(new Error(`the peer connection ${pc.connectionState}`));
      } else return;
      pc.removeEventListener('connectionstatechange', check);
    };
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}
