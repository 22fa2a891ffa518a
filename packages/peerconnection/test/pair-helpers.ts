/** Two TypeRTC peer connections in one process over real UDP, with signaling in memory. */

import type { RTCDataChannel } from '@typertc/sctp';
import { RTCPeerConnection } from '../src/index.js';

export interface Pair {
  readonly a: RTCPeerConnection;
  readonly b: RTCPeerConnection;
  close(): void;
}

/** Two peer connections whose candidates trickle to each other. */
export function pair(): Pair {
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  trickle(a, b);
  trickle(b, a);
  return {
    a,
    b,
    close() {
      a.close();
      b.close();
    },
  };
}

function trickle(from: RTCPeerConnection, to: RTCPeerConnection): void {
  from.addEventListener('icecandidate', (event) => {
    const { candidate } = event as unknown as { candidate: unknown };
    if (to.signalingState === 'closed') return;
    void to.addIceCandidate(candidate as never).catch(() => {
      // A candidate of a generation the peer has moved past: ignored, as browsers do.
    });
  });
}

/** One offer/answer round, `offerer` first, through the implicit setLocalDescription. */
export async function negotiate(offerer: RTCPeerConnection, answerer: RTCPeerConnection) {
  await offerer.setLocalDescription();
  await answerer.setRemoteDescription(offerer.localDescription as never);
  await answerer.setLocalDescription();
  await offerer.setRemoteDescription(answerer.localDescription as never);
}

export function opened(channel: RTCDataChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    if (channel.readyState === 'open') resolve();
    channel.addEventListener('open', () => resolve(), { once: true });
    channel.addEventListener('close', () => reject(new Error('closed before open')), {
      once: true,
    });
  });
}

/** The next `datachannel` event's channel. */
export function nextChannel(connection: RTCPeerConnection): Promise<RTCDataChannel> {
  return new Promise((resolve) =>
    connection.addEventListener(
      'datachannel',
      (event) => resolve((event as unknown as { channel: RTCDataChannel }).channel),
      { once: true },
    ),
  );
}

/** The next `count` messages' data. */
export function messages(channel: RTCDataChannel, count: number): Promise<unknown[]> {
  return new Promise((resolve) => {
    const received: unknown[] = [];
    const listener = (event: Event): void => {
      received.push((event as MessageEvent).data);
      if (received.length === count) {
        channel.removeEventListener('message', listener);
        resolve(received);
      }
    };
    channel.addEventListener('message', listener);
  });
}

export function until(
  target: EventTarget,
  type: string,
  condition: () => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (condition()) {
      resolve();
      return;
    }
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${type}`)), timeoutMs);
    const listener = (): void => {
      if (!condition()) return;
      clearTimeout(timer);
      target.removeEventListener(type, listener);
      resolve();
    };
    target.addEventListener(type, listener);
  });
}
