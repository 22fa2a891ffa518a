// The WHIP publisher: camera and microphone, one MediaStream with one audio and one video
// track (RFC 9725 §4.4.2), sent over a sendonly peer connection set up by WHIP.
import { WishClient } from './wish-client.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
if (params.has('stream')) $('stream').value = params.get('stream');
let client;

$('controls').onsubmit = async (event) => {
  event.preventDefault();
  $('start').disabled = true;
  const stream = $('stream').value || 'live';
  $('play-link').href = `play.html?stream=${encodeURIComponent(stream)}`;
  try {
    const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    $('preview').srcObject = media;
    // §4.4.1: max-bundle, one transport for everything.
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    window.pc = pc; // for the example's test and for the console
    for (const track of media.getTracks()) {
      pc.addTransceiver(track, { direction: 'sendonly', streams: [media] });
    }
    pc.onconnectionstatechange = () => {
      $('status').textContent = `connection: ${pc.connectionState}`;
    };
    client = new WishClient(pc, `/whip?stream=${encodeURIComponent(stream)}`, {
      token: $('token').value || undefined,
    });
    window.client = client;
    await client.start();
    $('resource').textContent = `session: ${client.resource}`;
    $('stop').disabled = false;
  } catch (error) {
    $('status').textContent = `failed: ${error.message}`;
    $('start').disabled = false;
  }
};

$('stop').onclick = async () => {
  $('stop').disabled = true;
  const status = await client?.stop();
  for (const track of $('preview').srcObject?.getTracks() ?? []) track.stop();
  $('status').textContent = `stopped (DELETE: ${status})`;
  $('start').disabled = false;
};

// A closing page ends its session at once, rather than when consent freshness runs out.
addEventListener('pagehide', () => void client?.stop({ keepalive: true }));
