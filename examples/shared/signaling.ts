/**
 * The server's end of the examples' signaling: JSON messages over a WebSocket carrying
 * descriptions and trickled candidates both ways, with perfect negotiation (W3C WebRTC 1.0
 * §10.7) so that either side may renegotiate: the browser is the polite peer, the server the
 * impolite one. Other message types belong to the example (`onMessage`).
 *
 *     { "type": "description", "description": { "type": "offer", "sdp": "..." } }
 *     { "type": "candidate", "candidate": { "candidate": "...", "sdpMid": "0", ... } | null }
 */

import type {
  RTCIceCandidateInit,
  RTCPeerConnection,
  RTCSessionDescriptionInit,
} from '@typertc/peerconnection';
import type { WebSocket } from 'ws';

export type SignalingMessage =
  | { type: 'description'; description: RTCSessionDescriptionInit }
  | { type: 'candidate'; candidate: RTCIceCandidateInit | null }
  | { type: string; [key: string]: unknown };

export interface SignalingOptions {
  /** Messages that are not descriptions or candidates. */
  readonly onMessage?: (message: SignalingMessage) => void;
  /**
   * Only answer the browser's offers, never offer (default false). For a server whose tracks
   * are all meant for the browser's offer to take: its `addTrack`s then wait for that offer
   * rather than racing it with an offer of their own.
   */
  readonly answerOnly?: boolean;
}

export interface Signaling {
  send(message: SignalingMessage): void;
  close(): void;
}

/** Connects `pc` to the browser at the other end of `socket` (the server is impolite). */
export function signalPeerConnection(
  socket: WebSocket,
  pc: RTCPeerConnection,
  options: SignalingOptions = {},
): Signaling {
  // A client socket may still be connecting: what is sent meanwhile goes once it is open.
  const send = (message: SignalingMessage) => {
    const text = JSON.stringify(message);
    if (socket.readyState === socket.OPEN) socket.send(text);
    else if (socket.readyState === socket.CONNECTING) socket.once('open', () => socket.send(text));
  };
  let makingOffer = false;
  pc.onnegotiationneeded = async () => {
    if (options.answerOnly === true) return;
    try {
      makingOffer = true;
      await pc.setLocalDescription();
      send({ type: 'description', description: pc.localDescription?.toJSON() ?? {} });
    } catch (error) {
      console.error('negotiation failed:', error);
    } finally {
      makingOffer = false;
    }
  };
  pc.onicecandidate = ({ candidate }) =>
    send({ type: 'candidate', candidate: candidate?.toJSON() ?? null });
  socket.on('message', async (data) => {
    let message: SignalingMessage;
    try {
      message = JSON.parse(String(data)) as SignalingMessage;
    } catch {
      return;
    }
    try {
      if (message.type === 'description') {
        const description = message.description as RTCSessionDescriptionInit;
        // Impolite: our own offer wins a collision, the peer's offer is ignored.
        const collision =
          description.type === 'offer' && (makingOffer || pc.signalingState !== 'stable');
        if (collision) return;
        await pc.setRemoteDescription(description);
        if (description.type === 'offer') {
          await pc.setLocalDescription();
          send({ type: 'description', description: pc.localDescription?.toJSON() ?? {} });
        }
      } else if (message.type === 'candidate') {
        await pc
          .addIceCandidate((message.candidate as RTCIceCandidateInit | null) ?? null)
          .catch(() => {
            // A candidate for an offer this side ignored, or of an old generation.
          });
      } else {
        options.onMessage?.(message);
      }
    } catch (error) {
      console.error('signaling failed:', error);
    }
  });
  return {
    send,
    close() {
      socket.close();
    },
  };
}
