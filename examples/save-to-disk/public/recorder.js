// The save-to-disk page: camera and microphone to the server, which records them; the stop
// button (or closing the page) ends the recording, and the server says what it wrote.
import { connectSignaling } from '/shared/signaling.js';

const $ = (id) => document.getElementById(id);
const pc = new RTCPeerConnection();
window.pc = pc; // for the example's test and for poking at in the console

pc.onconnectionstatechange = () => {
  $('status').textContent = `connection: ${pc.connectionState}`;
};

const { send } = connectSignaling(pc, {
  onMessage: (message) => {
    if (message.type === 'recording') {
      $('state').textContent = `recording ${message.id}`;
      $('stop').disabled = false;
    } else if (message.type === 'recorded') {
      const { result } = message;
      $('state').textContent = `recorded ${result.id}`;
      const lines = [`${result.seconds.toFixed(1)} s`];
      if (result.video) lines.push(`${result.video.path}: ${result.video.frames} frames`);
      if (result.audio) lines.push(`${result.audio.path}: ${result.audio.seconds.toFixed(1)} s`);
      if (result.remux) lines.push('', 'to WebM:', result.remux);
      $('result').textContent = lines.join('\n');
      $('result').hidden = false;
      $('stop').disabled = true;
    }
  },
});

$('stop').onclick = () => {
  $('stop').disabled = true;
  send({ type: 'stop' });
};

const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
$('local').srcObject = media;
for (const track of media.getTracks()) pc.addTrack(track, media);
