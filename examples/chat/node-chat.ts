/**
 * Chat between two Node processes over a data channel, no browser anywhere: lines typed into
 * one terminal appear in the other.
 *
 *     node examples/dist/chat/node-chat.js listen [port]      # prints the URL to connect to
 *     node examples/dist/chat/node-chat.js connect ws://localhost:PORT/ws
 */

import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type RTCDataChannel, RTCPeerConnection } from '@typertc/peerconnection';
import { connectToPeer, listenForPeer } from '../shared/node-peer.js';

/** Lines from stdin go to the channel, messages from it to stdout; resolves when it closes. */
function chat(channel: RTCDataChannel, name: string): Promise<void> {
  const input = createInterface({ input: process.stdin });
  const opened = () => console.log(`${name}: connected; type a line and press Enter`);
  // A channel the peer opened is open by its `datachannel` event already.
  if (channel.readyState === 'open') opened();
  else channel.onopen = opened;
  channel.onmessage = ({ data }) => console.log(`peer: ${String(data)}`);
  input.on('line', (line) => {
    if (channel.readyState === 'open') channel.send(line);
  });
  // Enter without a peer, or Ctrl-D: the chat ends.
  input.on('close', () => channel.close());
  return new Promise((resolve) => {
    channel.onclose = () => {
      input.close();
      // The chat is over: stdin no longer keeps the process alive.
      process.stdin.destroy();
      resolve();
    };
  });
}

async function main(mode: string | undefined, target: string | undefined): Promise<void> {
  if (mode === 'listen') {
    const peer = await listenForPeer(Number(target ?? 0));
    console.log(
      `listening: connect with  node-chat.js connect ws://localhost:${peer.server.port}/ws`,
    );
    const pc = await peer.connection;
    const channel = await new Promise<RTCDataChannel>((resolve) => {
      pc.ondatachannel = ({ channel }) => resolve(channel);
    });
    await chat(channel, 'listener');
    await peer.close();
  } else if (mode === 'connect' && target !== undefined) {
    const pc = new RTCPeerConnection();
    const channel = pc.createDataChannel('chat');
    const socket = await connectToPeer(target, pc);
    await chat(channel, 'connector');
    // Signaling is done; the listener may already be gone, so no closing handshake to wait on.
    socket.terminate();
    pc.close();
  } else {
    console.error('usage: node-chat.js listen [port] | node-chat.js connect ws://host:port/ws');
    process.exitCode = 2;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main(process.argv[2], process.argv[3]);
}
