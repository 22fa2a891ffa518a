/**
 * Chat between browsers through the server: each page opens a data channel to a TypeRTC peer
 * connection, and the server relays every message to every other page's channel. The server
 * sees the text (it is a relay, not end-to-end); each message is JSON `{ from, text }`.
 *
 *     PORT=8080 node examples/dist/chat/server.js    # then open the URL in two tabs
 */

import { fileURLToPath } from 'node:url';
import { type RTCDataChannel, RTCPeerConnection } from '@typertc/peerconnection';
import { closeOnInterrupt, portFromEnvironment } from '../shared/cli.js';
import { publicDir } from '../shared/paths.js';
import { signalPeerConnection } from '../shared/signaling.js';
import { startWebServer, type WebServer } from '../shared/web-server.js';

export interface ChatServer extends WebServer {
  /** Pages whose channel is open. */
  readonly members: number;
}

export async function startChatServer(port: number): Promise<ChatServer> {
  const channels = new Set<RTCDataChannel>();
  const connections = new Set<RTCPeerConnection>();
  const broadcast = (from: RTCDataChannel, data: string) => {
    for (const channel of channels) {
      if (channel !== from && channel.readyState === 'open') channel.send(data);
    }
  };
  const web = await startWebServer({
    publicDir: publicDir('chat'),
    port,
    onSocket: (socket) => {
      const pc = new RTCPeerConnection();
      connections.add(pc);
      pc.ondatachannel = ({ channel }) => {
        channel.onopen = () => channels.add(channel);
        channel.onclose = () => channels.delete(channel);
        channel.onmessage = ({ data }) => {
          if (typeof data === 'string') broadcast(channel, data);
        };
      };
      signalPeerConnection(socket, pc, { answerOnly: true });
      socket.on('close', () => {
        connections.delete(pc);
        pc.close();
        for (const channel of channels) if (channel.readyState !== 'open') channels.delete(channel);
      });
    },
  });
  return {
    url: web.url,
    port: web.port,
    get members() {
      return [...channels].filter((channel) => channel.readyState === 'open').length;
    },
    async close() {
      for (const pc of connections) pc.close();
      await web.close();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startChatServer(portFromEnvironment());
  console.log(`TypeRTC chat: open ${server.url} in two or more tabs (Ctrl-C to stop)`);
  closeOnInterrupt(server);
}
