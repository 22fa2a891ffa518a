// The send-from-file page: plays the video and audio the server sends, and shows what it
// decodes. It sends nothing; the server makes the offer and this page answers.
import { connectSignaling } from '/shared/signaling.js';

const $ = (id) => document.getElementById(id);
const pc = new RTCPeerConnection();
window.pc = pc; // for the example's test and for poking at in the console

pc.onconnectionstatechange = () => {
  $('status').textContent = `connection: ${pc.connectionState}`;
};

connectSignaling(pc, {
  onMessage: (message) => {
    if (message.type !== 'media') return;
    const { codec, width, height, frameRate, videoSeconds, audioSeconds } = message;
    $('file').textContent =
      `${codec} ${width}x${height} at ${frameRate} fps, ${videoSeconds.toFixed(1)} s; ` +
      `Opus, ${audioSeconds.toFixed(1)} s; both looped`;
  },
});

pc.ontrack = ({ track }) => {
  const element = track.kind === 'video' ? $('video') : $('audio');
  element.srcObject = new MediaStream([track]);
  // Browsers may refuse to play sound before the user has touched the page.
  element.play().catch(() => {
    $('unmute').hidden = false;
  });
};
$('unmute').onclick = () => {
  $('unmute').hidden = true;
  void $('audio').play();
};

let previous;
setInterval(async () => {
  const stats = await pc.getStats();
  stats.forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'audio') {
      $('samples').textContent = String(s.totalSamplesReceived ?? 0);
      return;
    }
    $('codec').textContent = stats.get(s.codecId)?.mimeType ?? '–';
    $('frames').textContent = String(s.framesDecoded ?? 0);
    if (previous !== undefined) {
      const seconds = (s.timestamp - previous.timestamp) / 1000;
      $('fps').textContent = ((s.framesDecoded - previous.framesDecoded) / seconds).toFixed(1);
    }
    previous = s;
  });
}, 1000);
