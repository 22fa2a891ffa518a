// The browser's end of the examples' signaling (see examples/shared/signaling.ts): JSON over a
// WebSocket, perfect negotiation with the browser as the polite peer (W3C WebRTC 1.0 §10.7).
// Other message types go to `onMessage`.

export function connectSignaling(pc, { url = `ws://${location.host}/ws`, onMessage } = {}) {
  const socket = new WebSocket(url);
  const send = (message) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    else
      socket.addEventListener('open', () => socket.send(JSON.stringify(message)), { once: true });
  };
  pc.onnegotiationneeded = async () => {
    await pc.setLocalDescription();
    send({ type: 'description', description: pc.localDescription });
  };
  pc.onicecandidate = ({ candidate }) => send({ type: 'candidate', candidate });
  socket.addEventListener('message', async ({ data }) => {
    const message = JSON.parse(data);
    if (message.type === 'description') {
      const { description } = message;
      // Polite: a colliding offer rolls our own back (setRemoteDescription does it implicitly).
      await pc.setRemoteDescription(description);
      if (description.type === 'offer') {
        await pc.setLocalDescription();
        send({ type: 'description', description: pc.localDescription });
      }
    } else if (message.type === 'candidate') {
      try {
        await pc.addIceCandidate(message.candidate);
      } catch {
        // A candidate for an offer that was rolled back.
      }
    } else {
      onMessage?.(message);
    }
  });
  return { socket, send };
}
