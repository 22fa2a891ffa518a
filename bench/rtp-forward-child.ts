/**
 * A source's or sink's process (rtp-forward.bench.ts forks it, the `PeerSetup` as JSON in
 * argv[2]): runs that peer and answers the main process's requests over the IPC channel.
 */

import { servePeer } from './rtp-forward-peers.js';
import type { PeerSetup, RequestMessage } from './rtp-forward-protocol.js';

const send = process.send?.bind(process);
if (send === undefined) throw new Error('rtp-forward-child.js runs as a forked child process');
const serve = servePeer(
  JSON.parse(process.argv[2] ?? '{}') as PeerSetup,
  (message) => send(message),
  // Nothing more will come: the process ends once the peer's sockets and timers are gone.
  () => process.disconnect(),
);
process.on('message', (message) => serve(message as RequestMessage));
