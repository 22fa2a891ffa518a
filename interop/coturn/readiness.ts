/**
 * Probes that tell when coturn's listeners answer: a STUN Binding transaction over UDP, a TCP
 * connection, a TLS handshake. Each gives up when its AbortSignal fires.
 */

import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { type Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { SocketAddress } from '@typertc/common';
import { isBindingSuccessResponse, stunBindingRequest } from './stun-binding.js';

const PROBE_INTERVAL_MS = 100;

/** Sends a Binding request every PROBE_INTERVAL_MS until the matching success response arrives. */
export function probeUdp(server: SocketAddress, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const transactionId = randomBytes(12);
    const request = stunBindingRequest(transactionId);
    const socket = createSocket('udp4');
    let interval: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (error?: unknown): void => {
      if (done) return;
      done = true;
      clearInterval(interval);
      signal.removeEventListener('abort', onAbort);
      socket.close();
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = (): void => finish(signal.reason);
    const send = (): void => socket.send(request, server.port, server.address);
    signal.addEventListener('abort', onAbort);
    socket.on('message', (message) => {
      if (isBindingSuccessResponse(message, transactionId)) finish();
    });
    // An ICMP port unreachable (coturn not listening yet) surfaces here; keep probing.
    socket.on('error', () => {});
    // Bind before the first send: sending on an unbound socket would bind it to every interface.
    socket.bind(0, server.address, () => {
      if (done) return;
      send();
      interval = setInterval(send, PROBE_INTERVAL_MS);
    });
    if (signal.aborted) onAbort();
  });
}

/** Connects over TCP until a connection succeeds. */
export function probeTcp(server: SocketAddress, signal: AbortSignal): Promise<void> {
  return retryUntilAborted(
    () => settleConnection(tcpConnect(server.port, server.address), 'connect', signal),
    signal,
  );
}

/** Connects over TLS, verifying the server against `ca` as `servername`, until a handshake succeeds. */
export function probeTls(
  server: SocketAddress,
  ca: string,
  servername: string,
  signal: AbortSignal,
): Promise<void> {
  return retryUntilAborted(
    () =>
      settleConnection(
        tlsConnect({ host: server.address, port: server.port, ca, servername }),
        'secureConnect',
        signal,
      ),
    signal,
  );
}

/** Resolves when `socket` emits `readyEvent`, rejects on its error or on abort; closes it either way. */
function settleConnection(
  socket: Socket,
  readyEvent: 'connect' | 'secureConnect',
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      socket.destroy(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once(readyEvent, () => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve();
    });
    socket.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    if (signal.aborted) onAbort();
  });
}

async function retryUntilAborted(attempt: () => Promise<void>, signal: AbortSignal): Promise<void> {
  for (;;) {
    signal.throwIfAborted();
    try {
      await attempt();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    }
  }
}
