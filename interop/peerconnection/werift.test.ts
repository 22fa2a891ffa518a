/** TypeRTC's RTCPeerConnection against werift in the same process: the suite in `suite.ts`. */

import { peerConnectionInterop } from './suite.js';
import { WeriftPeer } from './werift-peer.js';

peerConnectionInterop('werift', async () => new WeriftPeer(), {
  remoteReadsMaxMessageSize: false,
  remoteSendsEmptyMessages: false,
  remoteSurvivesPoliteRollback: false,
});
