// The WHEP player: a recvonly offer for one audio and one video track, the answer from the
// server, and what arrives shown; a status line says whether media is coming.
import { WishClient } from './wish-client.js';

const $ = (id) => document.getElementById(id);
const stream = new URLSearchParams(location.search).get('stream') ?? 'live';
document.title = `${stream} – TypeRTC WHEP player`;

const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
window.pc = pc; // for the example's test and for the console
pc.addTransceiver('audio', { direction: 'recvonly' });
pc.addTransceiver('video', { direction: 'recvonly' });
const remote = new MediaStream();
$('video').srcObject = remote;
pc.ontrack = ({ track }) => remote.addTrack(track);
pc.onconnectionstatechange = () => {
  $('status').textContent = `connection: ${pc.connectionState}`;
};

const client = new WishClient(pc, `/whep?stream=${encodeURIComponent(stream)}`);
window.client = client;
client.start().catch((error) => {
  $('status').textContent = `failed: ${error.message}`;
});

// Whether the publisher is sending: packets arrived since the last look.
let packets = 0;
const timer = setInterval(async () => {
  let now = 0;
  let frames = 0;
  (await pc.getStats()).forEach((stats) => {
    if (stats.type !== 'inbound-rtp') return;
    now += stats.packetsReceived;
    if (stats.kind === 'video') frames = stats.framesDecoded ?? 0;
  });
  $('media').textContent =
    now > packets ? `playing: ${frames} frames decoded` : 'no media: is anyone publishing?';
  packets = now;
}, 1000);

$('restart').onclick = () => client.restartIce().catch(console.warn);
$('stop').onclick = async () => {
  clearInterval(timer);
  $('status').textContent = `stopped (DELETE: ${await client.stop()})`;
};
addEventListener('pagehide', () => void client.stop({ keepalive: true }));
