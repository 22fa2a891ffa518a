// The echo page: camera and microphone to the server, its echo beside the preview, chat over a
// data channel, and both ends' statistics once a second.
import { connectSignaling } from '/shared/signaling.js';
import { summarizeStats } from '/shared/stats-summary.js';

const $ = (id) => document.getElementById(id);
const pc = new RTCPeerConnection();
window.pc = pc; // for the example's test and for poking at in the console

function show(prefix, summary) {
  $(`${prefix}-rx`).textContent = summary.receiveKbps.toFixed(0);
  $(`${prefix}-tx`).textContent = summary.sendKbps.toFixed(0);
  $(`${prefix}-lost`).textContent = String(summary.packetsLost);
  $(`${prefix}-rtt`).textContent =
    summary.roundTripTimeMs === undefined ? '–' : summary.roundTripTimeMs.toFixed(1);
}

const { send } = connectSignaling(pc, {
  onMessage: (message) => {
    if (message.type === 'server-stats') show('s', message.stats);
  },
});
void send;

const remote = new MediaStream();
$('remote').srcObject = remote;
pc.ontrack = ({ track }) => remote.addTrack(track);
pc.onconnectionstatechange = () => {
  $('status').textContent = `connection: ${pc.connectionState}`;
};

const channel = pc.createDataChannel('chat');
const log = (text) => {
  const line = document.createElement('div');
  line.textContent = text;
  $('chat-log').append(line);
  $('chat-log').scrollTop = $('chat-log').scrollHeight;
};
channel.onmessage = ({ data }) => log(`echo: ${data}`);
$('chat').onsubmit = (event) => {
  event.preventDefault();
  const text = $('message').value;
  if (text === '' || channel.readyState !== 'open') return;
  channel.send(text);
  log(`you: ${text}`);
  $('message').value = '';
};

const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
$('local').srcObject = media;
for (const track of media.getTracks()) pc.addTrack(track, media);

let previous;
setInterval(async () => {
  previous = summarizeStats(await pc.getStats(), previous);
  show('b', previous);
}, 1000);
