// The SFU room page: the camera and microphone to the server, and one labelled video per other
// participant. The server tells whose a track is by its stream id (`participant-<n>`), and takes
// a participant's tracks away by stopping their transceivers, which removes them from the stream.
import { connectSignaling } from '/shared/signaling.js';

const $ = (id) => document.getElementById(id);
const pc = new RTCPeerConnection();
window.pc = pc; // for the example's test and for poking at in the console

connectSignaling(pc, {
  onMessage: (message) => {
    if (message.type === 'welcome') $('me').textContent = `you (participant ${message.id})`;
  },
});
pc.onconnectionstatechange = () => {
  $('status').textContent = `connection: ${pc.connectionState}`;
};

/** A participant's figure: made with its first track, removed with its last. */
function figureFor(stream) {
  const existing = document.querySelector(`figure[data-stream="${CSS.escape(stream.id)}"]`);
  if (existing !== null) return existing;
  const figure = document.createElement('figure');
  figure.className = 'remote';
  figure.dataset.stream = stream.id;
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  video.srcObject = stream;
  const caption = document.createElement('figcaption');
  caption.textContent = stream.id.replace('participant-', 'participant ');
  figure.append(video, caption);
  $('videos').append(figure);
  stream.addEventListener('removetrack', () => {
    if (stream.getTracks().length === 0) figure.remove();
  });
  return figure;
}

pc.ontrack = ({ streams }) => {
  for (const stream of streams) figureFor(stream);
};

// sendonly: this page only publishes on its own sections; what it receives comes on the
// sections the server adds. Modest constraints: every page decodes everyone else's video.
const media = await navigator.mediaDevices.getUserMedia({
  audio: true,
  video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24 } },
});
$('local').srcObject = media;
for (const track of media.getTracks()) {
  pc.addTransceiver(track, { direction: 'sendonly', streams: [media] });
}
