/**
 * The forwarder's worker thread (rtp-forward.bench.ts): runs the peer `workerData` names and
 * answers the main thread's requests over postMessage.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { servePeer } from './rtp-forward-peers.js';
import type { PeerSetup, RequestMessage } from './rtp-forward-protocol.js';

const port = parentPort;
if (port === null) throw new Error('rtp-forward-worker.js runs as a worker thread');
const serve = servePeer(
  workerData as PeerSetup,
  (message) => port.postMessage(message),
  // Nothing more will come: the thread ends once the peer's sockets and timers are gone.
  () => port.close(),
);
port.on('message', (message: RequestMessage) => serve(message));
