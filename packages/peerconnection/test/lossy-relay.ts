/**
 * Two TypeRTC peer connections whose every datagram goes through a UDP relay that can drop
 * chosen ones, so a test can lose RTP on the wire with no hook in the stack.
 *
 * Each side is told only relay addresses: for each real address X there is a proxy P(X) on
 * 127.0.0.1; a datagram from Y arriving at P(X) goes on to X from P(Y). Each peer then only
 * ever hears from proxies of addresses it was told, like two hosts behind a NAT each.
 */

import { createSocket, type Socket } from 'node:dgram';
import { parseCandidate } from '@typertc/sdp';
import { RTCPeerConnection } from '../src/index.js';

export type Direction = 'a-to-b' | 'b-to-a';

interface Proxy {
  readonly socket: Socket;
  readonly port: number;
  /** The real address it stands for. */
  readonly target: { address: string; port: number };
  /** Which way datagrams it receives travel: to `target`'s owner. */
  readonly towards: 'a' | 'b';
}

export interface RelayedPair {
  readonly a: RTCPeerConnection;
  readonly b: RTCPeerConnection;
  readonly dropped: { count: number };
  close(): void;
}

/** Whether a datagram is RTP (RFC 7983 first byte 128..191, RFC 5761 §4 not RTCP). */
export function isRtp(datagram: Uint8Array): boolean {
  const first = datagram[0] ?? 0;
  const second = datagram[1] ?? 0;
  return first >= 128 && first <= 191 && !(second >= 192 && second <= 223);
}

export function relayedPair(
  drop: (datagram: Uint8Array, direction: Direction) => boolean,
): RelayedPair {
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  const proxies = new Map<string, Promise<Proxy>>();
  const dropped = { count: 0 };

  const proxyFor = (address: string, port: number, owner: 'a' | 'b'): Promise<Proxy> => {
    const key = `${address}|${port}`;
    let proxy = proxies.get(key);
    if (proxy === undefined) {
      proxy = new Promise((resolve) => {
        const socket = createSocket('udp4');
        socket.bind(0, '127.0.0.1', () => {
          const made: Proxy = {
            socket,
            port: socket.address().port,
            target: { address, port },
            towards: owner,
          };
          socket.on('message', (message, from) => {
            const direction: Direction = owner === 'b' ? 'a-to-b' : 'b-to-a';
            if (drop(message, direction)) {
              dropped.count++;
              return;
            }
            // The sender's own proxy forwards, so the receiver sees the proxy it was told.
            void proxyFor(from.address, from.port, owner === 'a' ? 'b' : 'a').then((back) => {
              back.socket.send(message, made.target.port, made.target.address);
            });
          });
          resolve(made);
        });
      });
      proxies.set(key, proxy);
    }
    return proxy;
  };

  const relayCandidates = (from: RTCPeerConnection, to: RTCPeerConnection, owner: 'a' | 'b') => {
    from.addEventListener('icecandidate', (event) => {
      const { candidate } = event as unknown as {
        candidate: { candidate: string; sdpMid: string | null } | null;
      };
      if (candidate === null || candidate.candidate === '' || to.signalingState === 'closed') {
        return;
      }
      const parsed = parseCandidate(candidate.candidate);
      if (parsed.address.includes(':')) return; // the relay is IPv4
      void proxyFor(parsed.address, parsed.port, owner).then((proxy) => {
        const rewritten = candidate.candidate.replace(
          ` ${parsed.address} ${parsed.port} `,
          ` 127.0.0.1 ${proxy.port} `,
        );
        void to
          .addIceCandidate({ candidate: rewritten, sdpMid: candidate.sdpMid })
          .catch(() => undefined);
      });
    });
  };
  relayCandidates(a, b, 'a');
  relayCandidates(b, a, 'b');
  return {
    a,
    b,
    dropped,
    close() {
      a.close();
      b.close();
      for (const proxy of proxies.values()) void proxy.then((p) => p.socket.close());
    },
  };
}

/** An offer/answer round whose descriptions carry no candidates (they go through the relay). */
export async function negotiateWithoutCandidates(
  offerer: RTCPeerConnection,
  answerer: RTCPeerConnection,
): Promise<void> {
  const strip = (sdp: string) => sdp.replace(/^a=(candidate|end-of-candidates).*\r\n/gm, '');
  await offerer.setLocalDescription();
  await answerer.setRemoteDescription({
    type: 'offer',
    sdp: strip(offerer.localDescription?.sdp ?? ''),
  });
  await answerer.setLocalDescription();
  await offerer.setRemoteDescription({
    type: 'answer',
    sdp: strip(answerer.localDescription?.sdp ?? ''),
  });
}
